import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

type EnvShape = Record<string, z.ZodType>;

/**
 * Validates the environment once at boot. Each key of `shape` is an environment variable; a bad
 * or missing value throws a ConfigError naming the variable. `build` turns the flat, parsed
 * variables into the service's typed, nested config.
 */
export function loadConfig<S extends EnvShape, C>(
  shape: S,
  build: (env: z.infer<z.ZodObject<S>>) => C,
  env: NodeJS.ProcessEnv = process.env,
): C {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    input[key] = value === '' ? undefined : value;
  }
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return build(result.data as z.infer<z.ZodObject<S>>);
}

/** Env helpers: every variable is a string; these coerce with clear messages. */
export const env = {
  string: (fallback?: string) => (fallback === undefined ? z.string().min(1) : z.string().min(1).default(fallback)),
  optionalString: () => z.string().min(1).optional(),
  int: (fallback?: number) => {
    const schema = z.coerce.number().int();
    return fallback === undefined ? schema : schema.default(fallback);
  },
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  url: (fallback?: string) => (fallback === undefined ? z.url() : z.url().default(fallback)),
  enum: <T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) => z.enum(values).default(fallback),
  /** A duration in ms: plain milliseconds or a number with a unit (`500ms`, `30s`, `15m`, `24h`, `7d`). */
  duration: (fallbackMs: number) =>
    z
      .string()
      .default(String(fallbackMs))
      .transform((v, ctx) => {
        const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(v);
        if (!m) {
          ctx.addIssue({ code: 'custom', message: 'a duration such as 30s, 15m, 24h or plain milliseconds' });
          return z.NEVER;
        }
        const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms'] as number;
        return Math.round(Number(m[1]) * unit);
      }),
};
