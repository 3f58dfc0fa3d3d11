import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, ErrorCode, senderEmailWebView } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { SAMPLE_TOKEN, WEB_VIEW_PATH, type TrackingClaims } from '@switchboard/tracking';
import { Public } from '../auth/public.decorator';
import type { GatewayConfig } from '../gateway.config';
import { ApiDoc } from '../http';
import { NOT_FOUND_PAGE, htmlPage, privateHeaders } from './page-response';
import { messagePage } from './preference-page.html';
import { TrackingService } from './tracking.service';

const SAMPLE_PAGE = messagePage(
  'This is a test or a preview',
  'In the emails your contacts receive, this link shows the email as it was sent to them.',
);
const UNAVAILABLE_PAGE = messagePage('Please try again later', 'This email cannot be shown right now.');

/**
 * The email's own markup, as it went out: its images, styles and fonts may come from anywhere, as in
 * a mail client; no script, form, frame or plugin runs, and the token in the URL reaches no image host.
 */
const WEB_VIEW_POLICY =
  "default-src 'none'; img-src * data:; style-src * 'unsafe-inline'; font-src * data:; " +
  "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/**
 * `{{ webview_url }}` (Mautic's `{webview_url}`, its `/email/view/{idHash}`): the email a contact
 * received, in a browser, from the copy sender-email kept. The token is signed like every tracking
 * link; a forged, altered or unknown one, or one past the copy's retention, is a 404 page. Opening
 * it is an `opened`, as Mautic counts a web view (`hitEmail` via the browser), once per second
 * like the pixel, so a view with images on does not count twice in the same second.
 */
@Public()
@Controller()
export class WebViewController {
  constructor(
    private readonly tracking: TrackingService,
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get(`${WEB_VIEW_PATH.slice(1)}/:token`)
  @ApiDoc({
    summary: 'Web view of a sent email (`{{ webview_url }}`): its HTML as sent, and an `opened` delivery event',
    tags: ['tracking'],
  })
  async view(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (token === SAMPLE_TOKEN) return htmlPage(res, 200, SAMPLE_PAGE);
    let copy: { subject: string; html: string };
    let claims: TrackingClaims;
    try {
      claims = this.tracking.claims(token, 'webview');
      copy = await this.rpc.call(
        senderEmailWebView,
        { dispatchId: claims.dispatchId },
        { timeoutMs: this.config.rpcTimeoutMs, unavailable: 'sender-email is not running.' },
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.NotFound) return htmlPage(res, 404, NOT_FOUND_PAGE);
      this.logger.error({ err: error }, 'web view failed');
      return htmlPage(res, 503, UNAVAILABLE_PAGE);
    }
    // A HEAD (link checkers) is not an open; a lost open must not hide the email.
    if (req.method === 'GET')
      await this.tracking.opened(claims).catch((err: unknown) => this.logger.error({ err }, 'open not recorded'));
    privateHeaders(res);
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('content-security-policy', WEB_VIEW_POLICY);
    res.status(200).type('html').send(copy.html);
  }
}
