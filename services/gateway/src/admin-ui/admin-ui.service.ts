import { join } from 'node:path';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Response } from 'express';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { sendError } from '../http';
import type { AdminWebLocation } from './admin-web-dir';

export const ADMIN_WEB_LOCATION = Symbol('ADMIN_WEB_LOCATION');

/** The UI's pages may load only their own scripts and styles and call only this origin. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    // Email previews (sandboxed srcdoc frames, which inherit this policy) use inline styles and remote images.
    "style-src 'self' 'unsafe-inline'",
    'img-src * data:',
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // No hashed file names: the browser revalidates (ETag / Last-Modified) on each load.
  'cache-control': 'no-cache',
};

/** A path segment that stays inside the assets folder: no traversal, no dotfiles, no separators. */
const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

@Injectable()
export class AdminUiService implements OnModuleInit {
  constructor(
    @Inject(ADMIN_WEB_LOCATION) private readonly location: AdminWebLocation,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    if (this.location.dir) this.logger.info({ dir: this.location.dir }, 'admin UI served at / and /admin/*');
    else this.logger.warn({ problem: this.location.problem }, 'admin UI not served');
  }

  /** index.html: the shell of every /admin/* page (the client routes). */
  sendIndex(res: Response): void {
    this.send(res, 'index.html');
  }

  /** A file under assets/; `segments` is the decoded remainder of the path. */
  sendAsset(segments: string[], res: Response): void {
    if (segments.length === 0 || !segments.every((s) => SAFE_SEGMENT.test(s))) {
      sendError(res, 404, 'Requested URL not found.');
      return;
    }
    this.send(res, join('assets', ...segments));
  }

  private send(res: Response, relative: string): void {
    const dir = this.location.dir;
    if (!dir) {
      sendError(res, 404, 'The admin UI is not installed on this gateway.');
      return;
    }
    res.sendFile(
      relative,
      { root: dir, dotfiles: 'deny', cacheControl: false, headers: SECURITY_HEADERS },
      (err?: Error & { status?: number }) => {
        if (!err || res.headersSent) return;
        if (err.status === 404 || (err as NodeJS.ErrnoException).code === 'ENOENT') {
          sendError(res, 404, 'Requested URL not found.');
          return;
        }
        this.logger.error({ err, file: relative }, 'admin UI file could not be sent');
        sendError(res, 500, 'An unexpected error occurred.');
      },
    );
  }
}
