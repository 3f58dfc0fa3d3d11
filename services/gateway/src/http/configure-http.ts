import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { newCorrelationId, runWithCorrelationId } from '@switchboard/messaging';
import type { GatewayConfig } from '../gateway.config';
import { ignoreUnknownExpectations } from './expect-header';
import { httpMetrics } from './http-metrics';
import { inputGuard } from './input-guard';

const CORRELATION_HEADER = 'x-correlation-id';
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Runs each request inside its correlation id, so RPCs and events it causes carry the same id. */
function correlation(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.headers[CORRELATION_HEADER];
  const id = typeof incoming === 'string' && SAFE_CORRELATION_ID.test(incoming) ? incoming : newCorrelationId();
  res.setHeader(CORRELATION_HEADER, id);
  runWithCorrelationId(id, next);
}

/** API answers carry personal data and depend on who asks: never kept by a cache, never type-sniffed. */
function apiResponseHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  next();
}

/** body-parser errors (malformed JSON, too large) go to Nest's error handler, hence the HTTP error filter. */
function parser(handler: RequestHandler): RequestHandler {
  return (req, res, next) => handler(req, res, (err?: unknown) => next(err));
}

/** Express settings of the gateway; `main.ts` and the test helper both use it. */
export function configureHttp(app: NestExpressApplication, config: Pick<GatewayConfig, 'http'>): void {
  ignoreUnknownExpectations(app.getHttpServer());
  app.set('query parser', 'extended');
  app.set('etag', false);
  app.disable('x-powered-by');
  app.use(httpMetrics);
  app.use(correlation);
  app.use('/api', apiResponseHeaders);
  // Provider webhooks are verified over their exact bytes (signatures), so they get the raw body.
  app.use('/webhooks/providers', parser(express.raw({ limit: config.http.bodyLimit, type: () => true })));
  app.use(parser(express.json({ limit: config.http.bodyLimit, type: ['application/json', 'application/*+json'] })));
  app.use(parser(express.urlencoded({ limit: config.http.bodyLimit, extended: true })));
  app.use(inputGuard);
}
