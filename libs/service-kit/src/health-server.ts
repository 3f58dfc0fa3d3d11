import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderMetrics } from '@switchboard/telemetry';

export type ReadinessCheck = () => Promise<void>;

/**
 * `/health` (the process is alive), `/ready` (every dependency answers) and `/metrics`
 * (Prometheus text) on their own port, so
 * that services without an HTTP API need no web framework, and probes never queue behind traffic.
 */
export class HealthServer {
  private server?: Server;
  private ready = false;

  constructor(private readonly checks: Record<string, ReadinessCheck>) {}

  markReady(): void {
    this.ready = true;
  }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/health') return this.reply(res, 200, { status: 'ok' });
      if (path === '/metrics') return void this.metrics(res);
      if (path !== '/ready') return this.reply(res, 404, { status: 'not found' });
      void this.readiness().then(({ ok, results }) =>
        this.reply(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', checks: results }),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    return (this.server!.address() as AddressInfo).port;
  }

  async readiness(): Promise<{ ok: boolean; results: Record<string, string> }> {
    const results: Record<string, string> = { started: this.ready ? 'ok' : 'starting' };
    await Promise.all(
      Object.entries(this.checks).map(async ([name, check]) => {
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref()),
          ]);
          results[name] = 'ok';
        } catch (error) {
          results[name] = (error as Error).message || 'failed';
        }
      }),
    );
    return { ok: Object.values(results).every((r) => r === 'ok'), results };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async metrics(res: import('node:http').ServerResponse): Promise<void> {
    try {
      const { contentType, body } = await renderMetrics();
      res.writeHead(200, { 'content-type': contentType }).end(body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(error as Error).message}\n`);
    }
  }

  private reply(res: import('node:http').ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}
