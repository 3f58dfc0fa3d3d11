/**
 * Reads the two kinds of automated report a return path receives (DESIGN §6):
 * - DSN, RFC 3464: `multipart/report; report-type=delivery-status`, whose `message/delivery-status`
 *   part has per-recipient fields `Action` (failed, delayed, delivered, relayed, expanded),
 *   `Status` (RFC 3463: 5.x.x permanent, 4.x.x transient) and `Diagnostic-Code`;
 * - ARF, RFC 5965: `multipart/report; report-type=feedback-report`, whose
 *   `message/feedback-report` part has `Feedback-Type` (abuse, fraud, virus, other; not-spam is none).
 * Written here rather than with mailparser, which folds `message/delivery-status` into the text.
 */

export type ReportOutcome =
  | { event: 'bounced'; bounce: 'hard' | 'soft'; code?: string; diagnostic?: string }
  | { event: 'delivered'; code?: string; diagnostic?: string }
  | { event: 'complained'; code: string; diagnostic?: string };

export interface ParsedReport {
  kind: 'dsn' | 'arf';
  outcome: ReportOutcome;
  /** The report's own Message-ID: two reports about one dispatch are two events. */
  reportId?: string;
  /** The original message's Message-ID, when the report quotes it. */
  originalMessageId?: string;
  /** Every part as text: the original's Return-Path (our VERP address) is somewhere in it. */
  text: string;
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

const CRLF = /\r?\n/;

/** Header block → lower-case name → unfolded value (first occurrence). */
export function readFields(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(CRLF)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  return fields;
}

function splitHead(text: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return { head: text, body: '' };
  return { head: text.slice(0, match.index), body: text.slice(match.index + match[0].length) };
}

function param(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return match ? (match[1] ?? match[2]) : undefined;
}

function decode(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return Buffer.from(
        body
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ).toString('utf8');
    default:
      return body;
  }
}

function parts(body: string, boundary: string): Part[] {
  const found: Part[] = [];
  let current: string[] | undefined;
  const close = () => {
    if (!current) return;
    const { head, body: partBody } = splitHead(current.join('\r\n'));
    const headers = readFields(head);
    found.push({ headers, body: decode(partBody, headers.get('content-transfer-encoding')) });
  };
  for (const line of body.split(CRLF)) {
    const trimmed = line.trimEnd();
    if (trimmed === `--${boundary}--`) {
      close();
      return found;
    }
    if (trimmed === `--${boundary}`) {
      close();
      current = [];
    } else current?.push(line);
  }
  close();
  return found;
}

/** Per-recipient blocks of a `message/delivery-status` body (the first block is per-message). */
function recipientBlocks(status: string): Map<string, string>[] {
  return status
    .split(/\r?\n\s*\r?\n/)
    .map(readFields)
    .filter((f) => f.has('action'));
}

function dsnOutcome(status: string): ReportOutcome | undefined {
  const blocks = recipientBlocks(status);
  if (blocks.length === 0) return undefined;
  // The worst recipient decides: a failure outweighs a delay outweighs a delivery.
  const rank = (f: Map<string, string>) => {
    const action = f.get('action')!.toLowerCase();
    return action === 'failed' ? 0 : action === 'delayed' ? 1 : 2;
  };
  const block = [...blocks].sort((a, b) => rank(a) - rank(b))[0];
  const action = block.get('action')!.toLowerCase().split(/\s/)[0];
  const code = /\d\.\d{1,3}\.\d{1,3}/.exec(block.get('status') ?? '')?.[0];
  const diagnostic = (block.get('diagnostic-code') ?? '').replace(/^[a-z-]+;\s*/i, '') || undefined;
  if (action === 'failed') {
    return { event: 'bounced', bounce: code?.startsWith('4') ? 'soft' : 'hard', code, diagnostic };
  }
  if (action === 'delayed') return { event: 'bounced', bounce: 'soft', code, diagnostic };
  if (action === 'delivered' || action === 'relayed' || action === 'expanded') {
    return { event: 'delivered', code, diagnostic };
  }
  return undefined;
}

function arfOutcome(report: string): ReportOutcome | undefined {
  const fields = readFields(report);
  const type = (fields.get('feedback-type') ?? '').toLowerCase();
  if (!type || type === 'not-spam') return undefined;
  const diagnostic = [
    fields.get('user-agent') && `reported by ${fields.get('user-agent')}`,
    fields.get('source-ip') && `source ${fields.get('source-ip')}`,
  ]
    .filter(Boolean)
    .join(', ');
  return { event: 'complained', code: type, diagnostic: diagnostic ? `${type} (${diagnostic})` : type };
}

/** A DSN or ARF report in a raw message; undefined for anything else (auto-replies, spam, plain mail). */
export function parseReport(raw: string): ParsedReport | undefined {
  const { head, body } = splitHead(raw);
  const headers = readFields(head);
  const contentType = headers.get('content-type') ?? '';
  if (!/^multipart\/report\b/i.test(contentType)) return undefined;
  const reportType = (param(contentType, 'report-type') ?? '').toLowerCase();
  const boundary = param(contentType, 'boundary');
  if (!boundary) return undefined;
  const all = parts(body, boundary);
  const typeOf = (p: Part) => (p.headers.get('content-type') ?? 'text/plain').split(';')[0].trim().toLowerCase();
  const original = all.find((p) =>
    ['text/rfc822-headers', 'message/rfc822', 'message/rfc822-headers'].includes(typeOf(p)),
  );
  const base = {
    reportId: headers.get('message-id'),
    originalMessageId: original ? /^message-id:\s*(\S+)/im.exec(original.body)?.[1] : undefined,
    text: all.map((p) => p.body).join('\n'),
  };
  if (reportType === 'delivery-status') {
    const status = all.find(
      (p) => typeOf(p) === 'message/delivery-status' || typeOf(p) === 'message/global-delivery-status',
    );
    const outcome = status && dsnOutcome(status.body);
    return outcome && { kind: 'dsn', outcome, ...base };
  }
  if (reportType === 'feedback-report') {
    const report = all.find((p) => typeOf(p) === 'message/feedback-report');
    const outcome = report && arfOutcome(report.body);
    return outcome && { kind: 'arf', outcome, ...base };
  }
  return undefined;
}
