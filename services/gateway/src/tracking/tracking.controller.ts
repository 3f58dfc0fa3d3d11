import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, ErrorCode } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { SAMPLE_TOKEN } from '@switchboard/tracking';
import { Public } from '../auth/public.decorator';
import { ApiDoc } from '../http';
import { isOneClick } from './one-click';
import { readPreferenceForm } from './preference-form';
import { NOT_FOUND_PAGE, htmlPage, privateHeaders } from './page-response';
import { messagePage, preferencePage, unsubscribedPage } from './preference-page.html';
import { PreferencePageService } from './preference-page.service';
import { TrackingService } from './tracking.service';

/** A transparent 1×1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const tags = ['tracking'];

const SAMPLE_PAGE = messagePage(
  'This is a test or a preview',
  'In the messages your contacts receive, this link lets them unsubscribe and manage their preferences. Here it changes nothing.',
);
const UNAVAILABLE_PAGE = messagePage(
  'Please try again later',
  'We cannot reach your preferences right now. Nothing was changed.',
);

/**
 * DESIGN §7.6, public: open pixel, click redirect, RFC 8058 one-click unsubscribe and the
 * preference page. Every token is verified first; a forged or altered one is a 404 and changes nothing.
 */
@Public()
@Controller()
export class TrackingController {
  constructor(
    private readonly tracking: TrackingService,
    private readonly preferences: PreferencePageService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('t/o/:file')
  @ApiDoc({
    summary:
      'Open pixel (`{token}.gif`): a 1×1 GIF, and an `opened` delivery event (none for the sample token of tests and previews)',
    tags,
  })
  async open(@Param('file') file: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!file.endsWith('.gif')) throw DomainError.notFound();
    const token = file.slice(0, -4);
    const claims = token === SAMPLE_TOKEN ? undefined : this.tracking.claims(token, 'open');
    // A HEAD (link checkers) is not an open; a lost open must not break the image: log it and answer anyway.
    if (claims && req.method === 'GET') {
      await this.tracking.opened(claims).catch((err: unknown) => this.logger.error({ err }, 'open not recorded'));
    }
    privateHeaders(res);
    res.status(200).type('image/gif').send(PIXEL);
  }

  @Get('t/c/:token')
  @ApiDoc({ summary: 'Click: 302 to the signed URL, and a `clicked` delivery event', tags })
  async click(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const claims = this.tracking.claims(token, 'click');
    const url = this.tracking.target(claims);
    if (req.method === 'GET') {
      await this.tracking
        .clicked(claims, url)
        .catch((err: unknown) => this.logger.error({ err }, 'click not recorded'));
    }
    privateHeaders(res);
    res.redirect(302, url);
  }

  @Get('u/:token')
  @ApiDoc({
    summary: 'Preference page (HTML form): preferred channel, frequency, pauses and subscription per channel',
    tags,
  })
  async page(
    @Param('token') token: string,
    @Query('saved') saved: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    if (token === SAMPLE_TOKEN) return htmlPage(res, 200, SAMPLE_PAGE);
    await this.guard(res, async () => {
      const claims = this.tracking.claims(token, 'unsubscribe');
      const view = await this.preferences.view(claims);
      htmlPage(
        res,
        200,
        preferencePage({ action: `/u/${token}`, linkChannel: claims.channel, view, saved: saved === '1' }),
      );
    });
  }

  @Post('u/:token')
  @ApiDoc({ summary: 'RFC 8058 one-click unsubscribe (`List-Unsubscribe=One-Click`), or the preference form', tags })
  async post(
    @Param('token') token: string,
    @Req() req: Request,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    if (token === SAMPLE_TOKEN) return htmlPage(res, 200, SAMPLE_PAGE);
    await this.guard(res, async () => {
      const claims = this.tracking.claims(token, 'unsubscribe');
      if (await isOneClick(req, body)) {
        await this.preferences.unsubscribe(claims);
        htmlPage(res, 200, unsubscribedPage(claims.channel, `/u/${token}`));
        return;
      }
      const form = readPreferenceForm(body);
      if ('errors' in form && form.errors.form) {
        htmlPage(res, 400, messagePage('This request was not understood', 'Nothing was changed.'));
        return;
      }
      const errors = 'errors' in form ? form.errors : await this.preferences.save(claims, form.choices);
      if (!errors) {
        privateHeaders(res);
        res.redirect(303, `/u/${token}?saved=1`);
        return;
      }
      const view = await this.preferences.view(claims);
      htmlPage(
        res,
        400,
        preferencePage({ action: `/u/${token}`, linkChannel: claims.channel, view, errors, posted: body as never }),
      );
    });
  }

  /** The page's errors as pages: 404 for a bad token or a contact that is gone, 503 when preferences does not answer. */
  private async guard(res: Response, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.NotFound) return htmlPage(res, 404, NOT_FOUND_PAGE);
      this.logger.error({ err: error }, 'preference page failed');
      htmlPage(res, 503, UNAVAILABLE_PAGE);
    }
  }
}
