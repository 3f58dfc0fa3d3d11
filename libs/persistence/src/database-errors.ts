import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { DomainError, ErrorCode } from '@switchboard/contracts';

/** What the client may read for a data exception; PostgreSQL's own text names internals (types, columns). */
const DATA_MESSAGES: Record<string, string> = {
  '22001': 'A value is too long.',
  '22003': 'A number is out of range.',
  '22007': 'A date is not valid.',
  '22008': 'A date is out of range.',
  '22021': 'A value contains a character that cannot be stored (such as NUL).',
  '22P02': 'A value has the wrong type.',
  '22P05': 'A value contains a character that cannot be stored (such as NUL).',
  '22012': 'A computation divided by zero.',
  '22023': 'A value is not valid.',
};

/** SQLSTATEs that say the input can never be stored as given, whatever runs concurrently. */
const INVALID_INPUT_23 = new Set(['23502', '23514']);

/** The PostgreSQL error behind `error` (pg's own, or wrapped by TypeORM), or undefined. */
export function databaseErrorOf(error: unknown): DatabaseError | undefined {
  if (error instanceof DatabaseError) return error;
  if (error instanceof QueryFailedError && error.driverError instanceof DatabaseError) return error.driverError;
  return undefined;
}

/**
 * True for an error the input itself caused and no retry can cure: a data exception (class 22) or
 * a not-null/check violation. A consumer dead-letters such an event instead of redelivering it.
 */
export function isPermanentDataError(error: unknown): boolean {
  const code = databaseErrorOf(error)?.code;
  return code !== undefined && (code.startsWith('22') || INVALID_INPUT_23.has(code));
}

/**
 * The one mapping of PostgreSQL errors caused by input to a DomainError: data exceptions and
 * not-null/check violations → validation (400), a unique violation → conflict (409), a foreign
 * key violation → validation (the item refers to one that does not exist). Anything else (a lost
 * connection, a deadlock, a bug in our SQL) is undefined: a 500, or a retry.
 */
export function domainErrorOfDatabase(error: unknown): DomainError | undefined {
  const code = databaseErrorOf(error)?.code;
  if (!code) return undefined;
  if (code.startsWith('22'))
    return new DomainError(ErrorCode.Validation, DATA_MESSAGES[code] ?? 'A value is not valid.');
  if (INVALID_INPUT_23.has(code))
    return new DomainError(ErrorCode.Validation, 'A required value is missing or not valid.');
  if (code === '23503') return new DomainError(ErrorCode.Validation, 'The item refers to one that does not exist.');
  if (code === '23505' || code === '23P01') return new DomainError(ErrorCode.Conflict, 'This item already exists.');
  return undefined;
}
