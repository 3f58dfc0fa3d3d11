import { metricsRegistry } from '@switchboard/telemetry';
import { messagingMetrics as sut } from './messaging.metrics';
import { Outcomes } from './outcome';

async function consumed(consumer: string): Promise<Record<string, number>> {
  const metric = await metricsRegistry.getSingleMetric('switchboard_events_consumed_total')!.get();
  const out: Record<string, number> = {};
  for (const v of metric.values)
    if (v.labels.consumer === consumer) out[`${String(v.labels.subject)} ${String(v.labels.result)}`] = v.value;
  return out;
}

describe('messagingMetrics.handled', () => {
  it('counts every item by subject and result, however they are interleaved', async () => {
    const subjects = ['sb.a.v1', 'sb.a.v1', 'sb.b.v1', 'sb.a.v1', 'sb.a.v1', 'sb.a.v1'];
    const outcomes = [
      Outcomes.done(),
      Outcomes.retry(10, 'x'),
      Outcomes.done(),
      Outcomes.done(),
      Outcomes.done(),
      Outcomes.poison('bad'),
    ];
    sut.handled(
      'spec-interleaved',
      subjects.map((subject) => ({ subject })),
      outcomes,
      performance.now(),
    );
    sut.handled('spec-interleaved', [{ subject: 'sb.a.v1' }, { subject: 'sb.b.v1' }], 'error', performance.now());
    sut.handled('spec-interleaved', [{ subject: 'sb.b.v1' }], undefined, performance.now());
    expect(await consumed('spec-interleaved')).toEqual({
      'a.v1 done': 3,
      'a.v1 retry': 1,
      'a.v1 poison': 1,
      'a.v1 error': 1,
      'b.v1 done': 2,
      'b.v1 error': 1,
    });
  });

  it('counts nothing for an empty batch', async () => {
    sut.handled('spec-empty', [], [], performance.now());
    expect(await consumed('spec-empty')).toEqual({});
  });
});
