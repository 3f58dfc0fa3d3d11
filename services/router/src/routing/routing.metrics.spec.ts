import { metricsRegistry } from '@switchboard/telemetry';
import type { DecisionRecord } from './decision.record';
import { countOutcomes as sut } from './routing.metrics';

async function counted(): Promise<Record<string, number>> {
  const metric = await metricsRegistry.getSingleMetric('switchboard_routing_outcomes_total')!.get();
  const out: Record<string, number> = {};
  for (const v of metric.values)
    out[`${String(v.labels.outcome)}/${String(v.labels.channel)}/${String(v.labels.reason)}`] = v.value;
  return out;
}

const record = (
  outcome: DecisionRecord['outcome'],
  channel: DecisionRecord['channel'],
  reason: DecisionRecord['reason'],
) => ({ outcome, channel, reason }) as DecisionRecord;

describe('countOutcomes', () => {
  it('counts every record by outcome, channel and reason, however they are interleaved', async () => {
    sut([
      record('routed', 'email', null),
      record('routed', 'email', null),
      record('routed', 'sms', null),
      record('failed', null, 'no_channel'),
      record('routed', 'email', null),
      record('failed', null, 'expired'),
      record('failed', null, 'expired'),
      record('deferred', null, null),
    ]);
    sut([]);
    expect(await counted()).toEqual({
      'routed/email/': 3,
      'routed/sms/': 1,
      'failed//no_channel': 1,
      'failed//expired': 2,
      'deferred//': 1,
    });
  });
});
