/**
 * The protocol between one benchmark process and `npm run bench`: a benchmark prints its figures
 * as one line `BENCH_RESULT <json>` (last), and a human-readable table before it.
 */
export function emitResult(name: string, figures: Record<string, unknown>): void {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ name, ...figures })}\n`);
}

export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}
