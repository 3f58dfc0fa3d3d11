/**
 * Boots the gateway (and any services a test names) in-process on a TestEnv, with an admin user,
 * and hands back an authenticated HTTP client.
 *
 *   const ctx = await startGateway({ services: ['catalog'] });   // one per test file, in beforeAll
 *   afterAll(() => ctx.close());                                  // closes everything it started
 *   const res = await ctx.api('POST', '/api/messages/new', { name: 'Hi' });
 *   expect(res.status).toBe(201); res.body.message.id; res.headers.get('location');
 *
 * - `api(method, path, body?, options?)` → `{ status, body, text, headers }`: JSON in, JSON out
 *   (`body` is the parsed JSON, or undefined for non-JSON replies, then read `text`). Sends Basic
 *   auth as the admin unless `options.auth` is given (`null` = no Authorization header, or a full
 *   header value such as `Bearer x`). `options.headers` adds headers, `options.raw` sends a string
 *   body as is (with `options.contentType`).
 * - `services`: names under services/ started in-process; each must export `load<Name>Config(env)`
 *   from `src/<name>.config.ts` and `create<Name>Module(config)` (or a class with `forRoot(config)`)
 *   from `src/<name>.module.ts`. `serviceEnv` adds environment variables for them and the gateway.
 * - Pass `env` to share a TestEnv you created (then you clean it up); otherwise `close()` does.
 * - `ctx.gateway.app.get(X)` / `ctx.services.catalog.app.get(X)` reach providers; `ctx.env.names`
 *   gives subjects for a SubjectRecorder.
 */
import type { RunningService } from '@switchboard/service-kit';
import type { Logger } from '@switchboard/telemetry';
import {
  childEnv,
  createTestEnv,
  startNamedService,
  startTestService,
  waitFor,
  type TestEnv,
} from '@switchboard/testing';

export { startNamedService };
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadGatewayConfig, type GatewayConfig } from '../../src/gateway.config';
import { createGatewayModule } from '../../src/gateway.module';
import { configureHttp } from '../../src/http';

export const TEST_ADMIN = { username: 'admin', password: 'test-admin-password' } as const;

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface ApiOptions {
  /** A full Authorization header value, or null for none; default: the admin's Basic credentials. */
  auth?: string | null;
  headers?: Record<string, string>;
  /** Sent as the body verbatim (malformed JSON, forms...). */
  raw?: string;
  contentType?: string;
}

export interface GatewayTestContext {
  env: TestEnv;
  baseUrl: string;
  gateway: RunningService;
  config: GatewayConfig;
  services: Record<string, RunningService>;
  /** `Basic ...` header of the admin user. */
  adminAuth: string;
  api<T = any>(method: string, path: string, body?: unknown, options?: ApiOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  env?: TestEnv;
  services?: string[];
  /** Extra environment variables for the gateway and the named services (e.g. `{ SB_TOKEN_TTL_SECONDS: '5' }`). */
  serviceEnv?: Record<string, string>;
  /** Extra Nest modules for the gateway (test-only controllers). */
  imports?: (Type | DynamicModule)[];
  /** The gateway's logger (default: silent, or TEST_LOG_LEVEL). */
  logger?: Logger;
}

export async function startGateway(options: StartGatewayOptions = {}): Promise<GatewayTestContext> {
  const ownEnv = !options.env;
  const env = options.env ?? (await createTestEnv());
  const services: Record<string, RunningService> = {};
  let gateway: RunningService | undefined;
  // Every step runs even when one before it fails, so that a failed close still frees the
  // services' ports and drops the test's database and streams; the failures are reported together.
  const close = async () => {
    const failures: unknown[] = [];
    const attempt = async (step: () => Promise<unknown>) => step().catch((error: unknown) => void failures.push(error));
    const started = gateway;
    if (started) await attempt(() => started.close());
    await Promise.all(Object.values(services).map((s) => attempt(() => s.close())));
    if (ownEnv) await attempt(() => env.cleanup());
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1)
      throw new AggregateError(failures, `${failures.length} steps of closing the gateway test failed`);
  };
  try {
    // Every start settles before anything is torn down: cleaning up under a service still starting
    // dropped its database mid-migration, and that second failure ended the test process before
    // the first one was reported. Services that did start are then closed by close().
    const starts = await Promise.allSettled(
      (options.services ?? []).map(async (name) => {
        services[name] = await startNamedService(name, env, options.serviceEnv);
      }),
    );
    const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const config = loadGatewayConfig(
      childEnv(env, {
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        SB_ADMIN_USER: TEST_ADMIN.username,
        SB_ADMIN_PASSWORD: TEST_ADMIN.password,
        SB_TRACKING_SECRET: 'test-tracking-secret-0123456789abcdef',
        PORT: '0',
        ...options.serviceEnv,
      }),
    );
    gateway = await startTestService({
      service: 'gateway',
      module: createGatewayModule(config, { imports: options.imports, logger: options.logger }),
      httpPort: 0,
      configureHttp: (app: NestExpressApplication) => configureHttp(app, config),
    });
    const baseUrl = `http://127.0.0.1:${gateway.httpPort}`;
    config.http.publicUrl = baseUrl;
    const adminAuth = `Basic ${Buffer.from(`${TEST_ADMIN.username}:${TEST_ADMIN.password}`).toString('base64')}`;
    const api = async <T>(
      method: string,
      path: string,
      body?: unknown,
      opts: ApiOptions = {},
    ): Promise<ApiResponse<T>> => {
      const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
      const auth = opts.auth === undefined ? adminAuth : opts.auth;
      if (auth) headers.authorization = auth;
      let payload: string | undefined;
      if (opts.raw !== undefined) {
        payload = opts.raw;
        headers['content-type'] = opts.contentType ?? 'application/json';
      } else if (body !== undefined) {
        payload = JSON.stringify(body);
        headers['content-type'] = 'application/json';
      }
      const res = await fetch(`${baseUrl}${path}`, { method, headers, body: payload, redirect: 'manual' });
      const text = await res.text();
      let parsed: unknown;
      if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
      return { status: res.status, body: parsed as T, text, headers: res.headers };
    };
    return { env, baseUrl, gateway, config, services, adminAuth, api, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** Resolves once the gateway lists `channel` as available: the router routes only to channels whose sender has announced itself. */
export async function channelAvailable(ctx: GatewayTestContext, channel: string): Promise<void> {
  await waitFor(async () => {
    const res = await ctx.api<{ channels?: { channel: string; available: boolean }[] }>('GET', '/api/channels');
    return res.body.channels?.some((c) => c.channel === channel && c.available);
  });
}
