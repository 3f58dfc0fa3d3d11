import { createHash } from 'node:crypto';

/** The send of one contact by one campaign action: the same action redelivered or republished yields the same id. */
export function sendIdOf(actionId: string, contactId: string): string {
  return createHash('sha256').update(`${actionId}\u0000${contactId}`).digest('hex').slice(0, 32);
}
