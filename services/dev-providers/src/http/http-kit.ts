import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AddressInfo, Server } from 'node:net';

/** A fully read request, as the routers see it. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** `body`: a string is sent as is (content-type from headers, default text/html), anything else as JSON. */
export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Returned by a route to simulate a provider that is down: the socket is destroyed without a response. */
export const DROP_CONNECTION = Symbol('drop connection');

/** A route answers the requests it owns and returns undefined for the others. */
export type FakeRoute = (
  req: FakeRequest,
) => FakeResponse | typeof DROP_CONNECTION | undefined | Promise<FakeResponse | typeof DROP_CONNECTION | undefined>;

export const MAX_BODY_BYTES = 1024 * 1024;

export function reply(status: number, body?: unknown, headers?: Record<string, string>): FakeResponse {
  return { status, body, headers };
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, response: FakeResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload = '';
  if (typeof response.body === 'string') {
    payload = response.body;
    headers['content-type'] ??= 'text/html; charset=utf-8';
  } else if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  res.writeHead(response.status, { ...headers, 'content-length': String(Buffer.byteLength(payload)) });
  res.end(payload);
}

/** A node:http(s) request listener that tries each route in order; 404 when none answers. */
export function routeRequests(routes: FakeRoute[]): RequestListener {
  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake.local');
      const body = await readBody(req);
      if (body === undefined) return send(res, reply(413, { error: 'request body too large' }));
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      };
      for (const route of routes) {
        const response = await route(request);
        if (response === DROP_CONNECTION) return void req.socket.destroy();
        if (response) return send(res, response);
      }
      send(res, reply(404, { error: 'not found', path: request.path }));
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, reply(500, { error: err instanceof Error ? err.message : String(err) }));
      else res.destroy();
    });
  };
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops listening and cuts keep-alive connections so the close is immediate. */
export function closeServer(server: Server & { closeAllConnections(): void }): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
