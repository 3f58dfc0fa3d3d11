import type { Response } from 'express';
import type { ApiError, ErrorDetails } from '@switchboard/contracts';

export function errorBody(status: number, message: string, details: ErrorDetails = {}): ApiError {
  return { errors: [{ code: status, message, details, type: null }] };
}

export function sendError(res: Response, status: number, message: string, details?: ErrorDetails): void {
  res.status(status).json(errorBody(status, message, details));
}
