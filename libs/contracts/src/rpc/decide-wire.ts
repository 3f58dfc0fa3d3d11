import type { z } from 'zod';
import type {
  Decision,
  DecisionRequest,
  PackedDecision,
  PackedDecisionRequest,
  preferencesDecide,
  SharedDecisionFields,
} from './preferences.rpc';

export type DecideCall = z.infer<typeof preferencesDecide.request>;

/**
 * A batch of decision requests as one `decide` call: the first request's channels, exclusions,
 * attempt, deferrals and expiry are sent once as `shared`, and each request carries only its send,
 * its contact and what differs from them. A router batch is mostly one message and one campaign
 * action, so a request shrinks from ~200 bytes to ~60, and preferences decodes and checks two
 * fields a request instead of eight.
 */
export function packDecisionRequests(requests: DecisionRequest[]): DecideCall {
  const first = requests[0];
  const shared: SharedDecisionFields = {
    attempt: first.attempt,
    channels: first.channels,
    contentUnavailable: first.contentUnavailable,
    excludeChannels: first.excludeChannels,
    deferrals: first.deferrals,
    expiresAt: first.expiresAt,
  };
  return {
    shared,
    requests: requests.map((r) => {
      const packed: PackedDecisionRequest = { sendId: r.sendId, contactId: r.contactId };
      if (r.attempt !== shared.attempt) packed.attempt = r.attempt;
      if (!sameChannels(r.channels, shared.channels)) packed.channels = r.channels;
      if (!sameChannels(r.contentUnavailable, shared.contentUnavailable))
        packed.contentUnavailable = r.contentUnavailable;
      if (!sameChannels(r.excludeChannels, shared.excludeChannels)) packed.excludeChannels = r.excludeChannels;
      if (r.deferrals !== shared.deferrals) packed.deferrals = r.deferrals;
      if (r.expiresAt !== shared.expiresAt) packed.expiresAt = r.expiresAt;
      return packed;
    }),
  };
}

/** The requests of a `decide` call, each whole again: its own fields over the call's shared ones. */
export function unpackDecisionRequests({ shared, requests }: DecideCall): DecisionRequest[] {
  return requests.map((r) => ({
    sendId: r.sendId,
    attempt: r.attempt ?? shared.attempt,
    contactId: r.contactId,
    channels: r.channels ?? shared.channels,
    contentUnavailable: r.contentUnavailable ?? shared.contentUnavailable,
    excludeChannels: r.excludeChannels ?? shared.excludeChannels,
    deferrals: r.deferrals ?? shared.deferrals,
    expiresAt: r.expiresAt ?? shared.expiresAt,
  }));
}

/**
 * Preferences' decisions as its reply carries them: in the order of the requests they answer,
 * without the send id the router already holds at that position, the candidates when they are the
 * request's channels, and an empty skipped list (~80 of the ~330 bytes a decision).
 */
export function packDecisions(requests: DecisionRequest[], decisions: Decision[]): PackedDecision[] {
  return decisions.map((d, i) => {
    const packed: PackedDecision = { outcome: d.outcome };
    if (!sameChannels(d.candidates, requests[i].channels)) packed.candidates = d.candidates;
    if (d.skipped.length > 0) packed.skipped = d.skipped;
    if (d.channel !== undefined) packed.channel = d.channel;
    if (d.contact !== undefined) packed.contact = d.contact;
    if (d.retryAt !== undefined) packed.retryAt = d.retryAt;
    if (d.reason !== undefined) packed.reason = d.reason;
    return packed;
  });
}

/** The decisions of a `decide` reply, each whole again with what its request says; a reply of another length is refused. */
export function unpackDecisions(requests: DecisionRequest[], packed: PackedDecision[]): Decision[] {
  if (packed.length !== requests.length)
    throw new Error(`preferences answered ${requests.length} decide requests with ${packed.length} decisions`);
  return packed.map((p, i) => {
    const d: Decision = {
      sendId: requests[i].sendId,
      outcome: p.outcome,
      candidates: p.candidates ?? requests[i].channels,
      skipped: p.skipped ?? [],
    };
    if (p.channel !== undefined) d.channel = p.channel;
    if (p.contact !== undefined) d.contact = p.contact;
    if (p.retryAt !== undefined) d.retryAt = p.retryAt;
    if (p.reason !== undefined) d.reason = p.reason;
    return d;
  });
}

function sameChannels(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
