/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})? (\\S+)(?: -?\\d+)?$`);
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]Inf|NaN)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/**
 * Parses the Prometheus text format (version 0.0.4) strictly: every line is a HELP, a TYPE or a
 * sample whose family was typed first; anything else throws, naming the line.
 */
export function parsePrometheusText(text: string): Sample[] {
  const typed = new Map<string, string>();
  const samples: Sample[] = [];
  text.split('\n').forEach((line, i) => {
    const fail = (why: string) => {
      throw new Error(`metrics line ${i + 1} ${why}: ${line}`);
    };
    if (line === '') return;
    if (line.startsWith('#')) {
      const meta = new RegExp(`^# (HELP|TYPE) (${NAME}) ?(.*)$`).exec(line);
      if (!meta) return; // a plain comment
      if (meta[1] === 'TYPE') {
        if (!TYPES.has(meta[3])) fail('has an unknown type');
        if (typed.has(meta[2])) fail('types a family twice');
        typed.set(meta[2], meta[3]);
      }
      return;
    }
    const match = SAMPLE.exec(line);
    if (!match) return fail('is not a sample');
    const name = match[1];
    const family = [...typed.keys()].find(
      (f) => f === name || (/_(bucket|sum|count|total|created)$/.test(name) && name.startsWith(`${f}_`)),
    );
    if (!family) fail('belongs to no typed family');
    const raw = match[match.length - 1];
    if (!VALUE.test(raw)) fail('has a bad value');
    const labels: Record<string, string> = {};
    for (const m of (match[2] ?? '').matchAll(new RegExp(LABEL, 'g'))) {
      labels[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    samples.push({ name, labels, value: Number(raw.replace('Inf', 'Infinity')) });
  });
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels` (0 when there are none). */
export function sampleSum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Fetches and parses a service's `/metrics`. */
export async function scrapeMetrics(healthPort: number): Promise<Sample[]> {
  const res = await fetch(`http://127.0.0.1:${healthPort}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  if (!(res.headers.get('content-type') ?? '').startsWith('text/plain')) throw new Error('/metrics is not text/plain');
  return parsePrometheusText(await res.text());
}
