import type { Response } from 'express';
import { messagePage } from './preference-page.html';

/** The token lives in the URL: keep it out of caches, referrers and frames. */
export function privateHeaders(res: Response): void {
  res.setHeader('cache-control', 'no-store');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-content-type-options', 'nosniff');
}

/** One of our own pages: it runs no script and loads nothing but its inline style. */
export function htmlPage(res: Response, status: number, body: string): void {
  privateHeaders(res);
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader(
    'content-security-policy',
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  res.status(status).type('html').send(body);
}

export const NOT_FOUND_PAGE = messagePage(
  'This link is not valid',
  'The link may be incomplete or changed. Please use the link from the message you received.',
);
