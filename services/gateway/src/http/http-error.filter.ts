import {
  Catch,
  HttpException,
  Inject,
  NotFoundException,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, ErrorCode, HTTP_STATUS_BY_CODE, type ErrorDetails } from '@switchboard/contracts';
import { domainErrorOfDatabase } from '@switchboard/persistence';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { allowedMethods } from './allowed-methods';
import { TooManyLoginsError } from '../auth/login-limiter';
import { sendError } from './mautic-error';

interface Mapped {
  status: number;
  message: string;
  details?: ErrorDetails;
  headers?: Record<string, string>;
}

/** body-parser's errors carry a `type` and an HTTP status. */
interface BodyParserError {
  type: string;
  status: number;
  expose?: boolean;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as BodyParserError).type === 'string' &&
    typeof (error as BodyParserError).status === 'number'
  );
}

const MESSAGE_BY_STATUS: Record<number, string> = {
  400: 'Bad request.',
  401: 'Authorization is required.',
  403: 'You do not have access to the requested area/action.',
  404: 'Item was not found.',
  405: 'Method Not Allowed.',
  409: 'Conflict.',
  413: 'Request body is too large (limit 1 MB).',
  415: 'Unsupported media type.',
  429: 'Too many requests.',
  500: 'An unexpected error occurred.',
  503: 'Service unavailable.',
  504: 'Gateway timeout.',
};

/**
 * The one HTTP error mapper: DomainError codes to their status (PostgreSQL data errors become one
 * first, here and in every RpcServer, so the same input gets the same 400 whichever service hit
 * the database), Nest/body-parser errors to theirs, everything else to a 500 that leaks nothing.
 * Always the Mautic error shape.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const mapped = this.map(exception, req);
    if (mapped.status >= 500) {
      this.logger.error(
        { err: exception, method: req.method, path: req.path, correlationId: res.getHeader('x-correlation-id') },
        'request failed',
      );
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(mapped.headers ?? {})) res.setHeader(name, value);
    sendError(res, mapped.status, mapped.message, mapped.details);
  }

  private map(thrown: unknown, req: Request): Mapped {
    const exception = domainErrorOfDatabase(thrown) ?? thrown;
    if (exception instanceof DomainError) {
      const status = HTTP_STATUS_BY_CODE[exception.code] ?? 500;
      if (exception.code === ErrorCode.Internal) return { status, message: MESSAGE_BY_STATUS[500] };
      const headers: Record<string, string> =
        status === 401 ? { 'www-authenticate': 'Basic realm="Switchboard", Bearer' } : {};
      if (exception instanceof TooManyLoginsError) headers['retry-after'] = String(exception.retryAfterSeconds);
      return {
        status,
        message: exception.message || (MESSAGE_BY_STATUS[status] ?? 'Error.'),
        details: exception.details,
        headers,
      };
    }
    if (exception instanceof NotFoundException && /^Cannot [A-Z]+ /.test(exception.message)) {
      const allow = allowedMethods(req.app, req.path);
      if (allow.length > 0)
        return { status: 405, message: MESSAGE_BY_STATUS[405], headers: { allow: allow.join(', ') } };
      return { status: 404, message: 'Requested URL not found.' };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return {
        status,
        message: status >= 500 ? MESSAGE_BY_STATUS[500] : (MESSAGE_BY_STATUS[status] ?? exception.message),
      };
    }
    if (isBodyParserError(exception) && exception.status >= 400 && exception.status < 500) {
      if (exception.type === 'entity.parse.failed') return { status: 400, message: 'Request body is not valid JSON.' };
      return {
        status: exception.status,
        message: MESSAGE_BY_STATUS[exception.status] ?? (exception.expose ? exception.message : 'Bad request.'),
      };
    }
    return { status: 500, message: MESSAGE_BY_STATUS[500] };
  }
}
