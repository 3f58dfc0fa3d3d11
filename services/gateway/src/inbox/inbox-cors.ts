import type { NextFunction, Request, Response } from 'express';

/**
 * The widget runs on the customer's own site and calls /inbox from there. The inbox is
 * authenticated by a bearer token, never by cookies, so any origin may call it: a page without a
 * token gets nothing. Preflights are answered here, before routing.
 */
export function inboxCors(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-allow-headers', 'authorization, content-type');
  res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
  res.setHeader('access-control-max-age', '600');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  if (req.method === 'OPTIONS') {
    res.status(204).end();
    return;
  }
  next();
}
