/**
 * The baseline of every ratio (DESIGN §9): bare JetStream publish → durable pull consume of N
 * messages on the same NATS, in the same run. `--count N --rounds R`.
 */
import { measureBaseline } from './lib/baseline';
import { emitResult, numberArg, flag } from './lib/report';
import { round, summarize } from './lib/stats';

void (async () => {
  const quick = flag('quick');
  const count = numberArg('count', quick ? 10_000 : 50_000);
  const rounds = numberArg('rounds', quick ? 2 : 3);
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const figures = [];
  for (let i = 0; i < rounds; i++) figures.push(await measureBaseline(natsUrl, count));
  const s = summarize(figures.map((f) => f.perSecond));
  const cpuMicrosPerMessage = round(summarize(figures.map((f) => f.cpuMicrosPerMessage)).median, 0);
  console.log(
    `baseline: ${round(s.median, 0)} msg/s (min ${round(s.min, 0)}, max ${round(s.max, 0)}, ${rounds} rounds of ${count}), ${cpuMicrosPerMessage} µs CPU a message`,
  );
  emitResult('baseline', {
    perSecond: round(s.median, 0),
    min: round(s.min, 0),
    max: round(s.max, 0),
    rounds,
    count,
    cpuMicrosPerMessage,
  });
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
