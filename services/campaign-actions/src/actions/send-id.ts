import { hash } from 'node:crypto';

/** The send of one contact by one campaign action: the same action redelivered or republished yields the same id. */
export function sendIdOf(actionId: string, contactId: string): string {
  // crypto.hash, one call: the same digest as a Hash object at a third of the cost, once per contact.
  return hash('sha256', `${actionId}\u0000${contactId}`, 'hex').slice(0, 32);
}
