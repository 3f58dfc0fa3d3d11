import type { Channel, RoutingOutcomeKind, SendTokens, Skipped } from '@switchboard/contracts';

export type DecisionFailureReason =
  'unpublished' | 'not_found' | 'no_channel' | 'expired' | 'max_deferrals' | 'canceled';

/** One routing decision as the router stores it (router.decisions) and publishes it. */
export interface DecisionRecord {
  sendId: string;
  attempt: number;
  deferrals: number;
  messageId: number;
  contactId: string;
  campaignId: string | null;
  campaignEventId: string | null;
  shipmentId: string | null;
  /** The request's order override. */
  channels: Channel[] | null;
  excludeChannels: Channel[];
  requestedAt: string;
  expiresAt: string;
  outcome: RoutingOutcomeKind;
  channel: Channel | null;
  dispatchId: string | null;
  contentId: number | null;
  candidates: Channel[];
  skipped: Skipped[];
  reason: DecisionFailureReason | null;
  retryAt: string | null;
  decidedAt: string;
  /** The trace of the send request this decision answered (null when it carried none). */
  traceId: string | null;
  /** Mautic's send tokens, dispatched with the send. */
  tokens: SendTokens | null;
}
