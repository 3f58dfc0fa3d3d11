import { counter } from '@switchboard/telemetry';
import type { DecisionRecord } from './decision.record';

const outcomes = counter({
  name: 'switchboard_routing_outcomes_total',
  help: 'Routing decisions published, by outcome (routed, deferred, failed), channel (routed only) and failure reason.',
  labelNames: ['outcome', 'channel', 'reason'],
});

/** Counts the decisions of one round as published (a redelivered request republishes its stored decision). */
export function countOutcomes(records: DecisionRecord[]): void {
  // One increment per run of equal labels (a batch is mostly one), not per record: prom-client hashes the labels at each call.
  let run = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    run++;
    const next = records[i + 1];
    if (next && next.outcome === r.outcome && next.channel === r.channel && next.reason === r.reason) continue;
    outcomes.inc({ outcome: r.outcome, channel: r.channel ?? '', reason: r.reason ?? '' }, run);
    run = 0;
  }
}
