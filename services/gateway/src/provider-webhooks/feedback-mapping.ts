import type { FeedbackReport } from '@switchboard/contracts';
import { dispatchOfBounceAddress } from '@switchboard/tracking';

/** Twilio error codes that say the number will never take a message (unknown, landline, blocked, opted out). */
const TWILIO_HARD = new Set(['21211', '21610', '21612', '21614', '30004', '30005', '30006']);

/** A Twilio status callback → a report; queued, sending, sent and read say nothing we count. */
export function twilioReport(params: URLSearchParams): FeedbackReport | undefined {
  const sid = params.get('MessageSid') ?? params.get('SmsSid');
  const status = params.get('MessageStatus') ?? params.get('SmsStatus');
  if (!sid || !status) return undefined;
  const code = params.get('ErrorCode') || undefined;
  const base = { providerMessageId: sid, source: 'twilio', ...(code ? { code } : {}) };
  if (status === 'delivered') return { ...base, event: 'delivered' };
  if (status === 'undelivered') {
    return {
      ...base,
      event: 'bounced',
      bounce: code && TWILIO_HARD.has(code) ? 'hard' : 'soft',
      diagnostic: `Twilio: undelivered${code ? ` (error ${code})` : ''}`,
      reportId: `${sid}:${status}:${code ?? ''}`,
    };
  }
  if (status === 'failed') {
    return { ...base, event: 'failed', diagnostic: `Twilio: failed${code ? ` (error ${code})` : ''}` };
  }
  return undefined;
}

interface SendgridEvent {
  event?: string;
  sg_event_id?: string;
  'smtp-id'?: string;
  type?: string;
  status?: string;
  reason?: string;
  timestamp?: number;
}

/** SendGrid event webhook events → reports; the message is named by its `smtp-id`, the Message-ID we set. */
export function sendgridReports(events: unknown): FeedbackReport[] {
  if (!Array.isArray(events)) return [];
  return (events as SendgridEvent[]).flatMap((e): FeedbackReport[] => {
    const messageId = e['smtp-id'];
    if (typeof messageId !== 'string' || !messageId) return [];
    const base = {
      providerMessageId: messageId,
      source: 'sendgrid',
      ...(typeof e.timestamp === 'number' ? { occurredAt: new Date(e.timestamp * 1000).toISOString() } : {}),
      ...(e.sg_event_id ? { reportId: e.sg_event_id } : {}),
      ...(e.status ? { code: e.status } : {}),
      ...(e.reason ? { diagnostic: e.reason.slice(0, 2_000) } : {}),
    };
    switch (e.event ?? '') {
      case 'delivered':
        return [{ ...base, event: 'delivered' }];
      case 'bounce':
        return [
          { ...base, event: 'bounced', bounce: e.type === 'blocked' || e.status?.startsWith('4') ? 'soft' : 'hard' },
        ];
      case 'dropped':
        return [{ ...base, event: 'bounced', bounce: 'hard' }];
      case 'spamreport':
        return [{ ...base, event: 'complained', code: 'abuse' }];
      default:
        return []; // processed, deferred (SendGrid retries), open, click...: nothing to count here
    }
  });
}

interface SesNotification {
  notificationType?: string;
  eventType?: string;
  mail?: { source?: string; commonHeaders?: { messageId?: string } };
  bounce?: {
    bounceType?: string;
    bounceSubType?: string;
    feedbackId?: string;
    timestamp?: string;
    bouncedRecipients?: Array<{ status?: string; diagnosticCode?: string }>;
  };
  complaint?: { complaintFeedbackType?: string; feedbackId?: string; timestamp?: string };
  delivery?: { timestamp?: string; smtpResponse?: string };
}

/**
 * An SES notification (the SNS message's `Message`) → a report. The dispatch is the VERP return
 * path SES reports as `mail.source` when its token verifies, else the Message-ID we set.
 */
export function sesReport(message: string, trackingSecret: string | undefined): FeedbackReport | undefined {
  let n: SesNotification;
  try {
    n = JSON.parse(message) as SesNotification;
  } catch {
    return undefined;
  }
  const dispatchId =
    trackingSecret && n.mail?.source ? dispatchOfBounceAddress(trackingSecret, n.mail.source) : undefined;
  const messageId = n.mail?.commonHeaders?.messageId;
  if (!dispatchId && !messageId) return undefined;
  const who = dispatchId ? { dispatchId } : { providerMessageId: messageId! };
  const at = (t: string | undefined) =>
    t && !Number.isNaN(Date.parse(t)) ? { occurredAt: new Date(t).toISOString() } : {};
  switch (n.notificationType ?? n.eventType ?? '') {
    case 'Bounce': {
      const recipient = n.bounce?.bouncedRecipients?.[0];
      return {
        ...who,
        source: 'ses',
        event: 'bounced',
        bounce: n.bounce?.bounceType === 'Permanent' ? 'hard' : 'soft',
        code: recipient?.status ?? n.bounce?.bounceSubType,
        diagnostic: (recipient?.diagnosticCode ?? `${n.bounce?.bounceType} ${n.bounce?.bounceSubType}`).slice(0, 2_000),
        ...(n.bounce?.feedbackId ? { reportId: n.bounce.feedbackId } : {}),
        ...at(n.bounce?.timestamp),
      };
    }
    case 'Complaint':
      return {
        ...who,
        source: 'ses',
        event: 'complained',
        code: n.complaint?.complaintFeedbackType ?? 'abuse',
        diagnostic: n.complaint?.complaintFeedbackType ?? 'complaint',
        ...at(n.complaint?.timestamp),
      };
    case 'Delivery':
      return {
        ...who,
        source: 'ses',
        event: 'delivered',
        ...(n.delivery?.smtpResponse ? { diagnostic: n.delivery.smtpResponse.slice(0, 2_000) } : {}),
        ...at(n.delivery?.timestamp),
      };
    default:
      return undefined;
  }
}
