import { counter } from '@switchboard/telemetry';
import type { DecisionRecord } from './decision.record';

const outcomes = counter({
  name: 'switchboard_routing_outcomes_total',
  help: 'Routing decisions published, by outcome (routed, deferred, failed), channel (routed only) and failure reason.',
  labelNames: ['outcome', 'channel', 'reason'],
});

/** Counts the decisions of one round as published (a redelivered request republishes its stored decision). */
export function countOutcomes(records: DecisionRecord[]): void {
  for (const r of records) outcomes.inc({ outcome: r.outcome, channel: r.channel ?? '', reason: r.reason ?? '' });
}
