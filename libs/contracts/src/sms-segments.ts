// One GSM 03.38 table for the sender and the fake Twilio, so the two can never count differently.
// Written here rather than taken from npm: `sms-segments-calculator` (Twilio's) returns per-segment
// objects and pulls a grapheme splitter, while both callers need only the encoding and the count.
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
// The extension table: each of these costs an escape septet plus its own.
const GSM7_EXTENDED = new Set('\f^{}\\[~]|€');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  segments: number;
}

/** Segments as carriers bill them: GSM-7 160 septets (153 per part when split), else UCS-2 70 UTF-16 units (67). */
export function smsSegments(text: string): SmsSegments {
  let septets = 0;
  for (const ch of text) {
    if (GSM7_BASIC.has(ch)) septets += 1;
    else if (GSM7_EXTENDED.has(ch)) septets += 2;
    else return { encoding: 'UCS-2', segments: text.length <= 70 ? 1 : Math.ceil(text.length / 67) };
  }
  return { encoding: 'GSM-7', segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
}
