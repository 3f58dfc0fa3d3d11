import { createHash } from 'node:crypto';

/** The dispatch of one routing attempt of a send: the same (send, attempt) always yields the same id. */
export function dispatchIdOf(sendId: string, attempt: number): string {
  return createHash('sha256').update(`${sendId}\u0000${attempt}`).digest('hex').slice(0, 32);
}

export function decisionKey(d: { sendId: string; attempt: number; deferrals: number }): string {
  return `${d.sendId}:${d.attempt}:${d.deferrals}`;
}
