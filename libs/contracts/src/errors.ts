/**
 * Error codes shared by every transport. A domain exception carries one; the HTTP mapper turns it
 * into a status in the Mautic error shape, the RPC layer carries it across NATS.
 */
export enum ErrorCode {
  Validation = 'VALIDATION',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  Forbidden = 'FORBIDDEN',
  Unauthorized = 'UNAUTHORIZED',
  TooMany = 'TOO_MANY',
  Unavailable = 'UNAVAILABLE',
  Timeout = 'TIMEOUT',
  Internal = 'INTERNAL',
}

export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCode.Validation]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.TooMany]: 429,
  [ErrorCode.Internal]: 500,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Timeout]: 504,
};

/** field → messages, as in Mautic's `details`. */
export type ErrorDetails = Record<string, string[]>;

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static notFound(message = 'Item was not found.'): DomainError {
    return new DomainError(ErrorCode.NotFound, message);
  }

  /** A validation error whose message is Mautic's `field: msg` pairs joined by `, `. */
  static validation(details: ErrorDetails): DomainError {
    const message = Object.entries(details)
      .flatMap(([field, msgs]) => msgs.map((m) => (field ? `${field}: ${m}` : m)))
      .join(', ');
    return new DomainError(ErrorCode.Validation, message, details);
  }
}
