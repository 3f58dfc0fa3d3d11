import { DomainError } from '@switchboard/contracts';

/** The keyset position of a row: its created_at in epoch microseconds and its id. */
export interface Cursor {
  createdUs: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.createdUs}.${c.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(value: string): Cursor {
  const match = /^(-?\d{1,19})\.(\d{1,19})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) throw DomainError.validation({ after: ['Invalid cursor.'] });
  return { createdUs: match[1], id: match[2] };
}
