import type { FeedbackReport } from '@switchboard/contracts';

/** The PDU fields a delivery receipt is read from (deliver_sm, SMPP 3.4 §4.6.1 and Appendix B). */
export interface ReceiptPdu {
  esm_class?: number;
  short_message?: unknown;
  receipted_message_id?: unknown;
  message_state?: unknown;
}

/** esm_class bits 2–5: 0x04 an SMSC delivery receipt, 0x20 an intermediate notification. */
const MESSAGE_TYPE_MASK = 0x3c;
const SMSC_DELIVERY_RECEIPT = 0x04;

/** message_state TLV values (§5.3.2.35) → the receipt's `stat:` word. */
const STATES: Record<number, string> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (value && typeof value === 'object' && 'message' in value) return textOf((value as { message: unknown }).message);
  return '';
}

/**
 * A deliver_sm → a feedback report, or undefined when it is no final receipt (a mobile-originated
 * message, an intermediate notification, ENROUTE / ACCEPTD / UNKNOWN). The message id and state
 * come from the TLVs when the SMSC sends them, else from the receipt text
 * (`id:… sub:… dlvrd:… submit date:… done date:… stat:DELIVRD err:000 text:…`).
 * DELIVRD → delivered; UNDELIV and REJECTD → hard bounce (the network will not take it);
 * EXPIRED and DELETED → soft bounce (it gave up within the validity period).
 */
export function receiptReport(pdu: ReceiptPdu): FeedbackReport | undefined {
  if (((pdu.esm_class ?? 0) & MESSAGE_TYPE_MASK) !== SMSC_DELIVERY_RECEIPT) return undefined;
  const text = textOf(pdu.short_message);
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}:(\\S*)`, 'i').exec(text)?.[1];
  const id = (typeof pdu.receipted_message_id === 'string' && pdu.receipted_message_id) || field('id');
  const stat = (typeof pdu.message_state === 'number' ? STATES[pdu.message_state] : undefined) ?? field('stat');
  if (!id || !stat) return undefined;
  const err = field('err');
  const code = err && err !== '000' ? `${stat.toUpperCase()} err:${err}` : stat.toUpperCase();
  const base = { providerMessageId: id, source: 'smpp', code, reportId: `${id}:${code}` };
  switch (stat.toUpperCase()) {
    case 'DELIVRD':
      return { ...base, event: 'delivered' };
    case 'UNDELIV':
    case 'REJECTD':
      return { ...base, event: 'bounced', bounce: 'hard', diagnostic: `SMSC receipt: ${code}` };
    case 'EXPIRED':
    case 'DELETED':
      return { ...base, event: 'bounced', bounce: 'soft', diagnostic: `SMSC receipt: ${code}` };
    default:
      return undefined;
  }
}
