import { join } from 'node:path';
import type { RunningService } from '@switchboard/service-kit';
import { startTestService, REPO_ROOT } from './services';
import { childEnv, type TestEnv } from './test-env';

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}

/**
 * Starts services/<name> in-process as its main.ts would, by convention: `src/<name>.config.ts`
 * exports `load<Name>Config(env)` and `src/<name>.module.ts` exports `create<Name>Module(config)` or
 * a class with `forRoot(config)`. Loaded by path at run time, so no service imports another.
 */
export async function startNamedService(
  name: string,
  env: TestEnv,
  extraEnv: Record<string, string> = {},
): Promise<RunningService> {
  const src = join(REPO_ROOT, 'services', name, 'src');
  const configModule = (await import(join(src, `${name}.config`))) as Record<string, unknown>;
  const rootModule = (await import(join(src, `${name}.module`))) as Record<string, unknown>;
  const load = (configModule[`load${pascal(name)}Config`] ??
    Object.entries(configModule).find(([k, v]) => /^load\w*Config$/.test(k) && typeof v === 'function')?.[1]) as
    ((e: NodeJS.ProcessEnv) => unknown) | undefined;
  if (!load) throw new Error(`services/${name}/src/${name}.config.ts exports no load<Name>Config(env)`);
  const config = load(childEnv(env, { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...extraEnv }));
  const factory = Object.entries(rootModule).find(
    ([k, v]) => /^create\w*Module$/.test(k) && typeof v === 'function',
  )?.[1] as ((c: unknown) => unknown) | undefined;
  const forRoot = Object.values(rootModule).find(
    (v): v is { forRoot(c: unknown): unknown } =>
      typeof v === 'function' && typeof (v as { forRoot?: unknown }).forRoot === 'function',
  );
  const module = factory ? factory(config) : forRoot?.forRoot(config);
  if (!module)
    throw new Error(
      `services/${name}/src/${name}.module.ts exports no create<Name>Module(config) or X.forRoot(config)`,
    );
  return startTestService({ service: name, module });
}
