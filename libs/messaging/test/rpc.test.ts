import { connect, type NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { DomainError, ErrorCode, rpcContract } from '@switchboard/contracts';
import { createLogger } from '@switchboard/telemetry';
import { createTestEnv, type TestEnv } from '@switchboard/testing';
import { RpcClient, RpcServer } from '../src';

const echo = rpcContract('echo', 'say', z.object({ text: z.string() }), z.object({ said: z.string() }));

/** What a caller gets back when the other side is missing, slow, or answers outside its contract. */
describe('RPC over NATS (real NATS)', () => {
  let env: TestEnv;
  let nc: NatsConnection;
  let client: RpcClient;

  beforeAll(async () => {
    env = await createTestEnv();
    nc = await connect({ servers: env.natsUrl });
    client = new RpcClient(nc, env.names, 300);
  });

  afterAll(async () => {
    await nc.close();
    await env.cleanup();
  });

  const subject = () => env.names.subjects.rpc(echo.service, echo.operation);

  async function codeOf(call: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    return { code: (error as DomainError).code, message: (error as DomainError).message };
  }

  it('answers through a server, and carries its domain errors with their codes', async () => {
    const server = new RpcServer(nc, env.names, createLogger('test', 'silent'));
    server.serve(echo, async ({ text }) => {
      if (text === 'missing') throw DomainError.notFound();
      return { said: text };
    });
    await nc.flush();
    try {
      await expect(client.call(echo, { text: 'hi' })).resolves.toEqual({ said: 'hi' });
      expect(await codeOf(client.call(echo, { text: 'missing' }))).toEqual({
        code: ErrorCode.NotFound,
        message: 'Item was not found.',
      });
      expect((await codeOf(client.call(echo, { text: 1 } as never))).code).toBe(ErrorCode.Validation);
    } finally {
      await server.stop();
    }
  });

  it('is unavailable when nobody serves the operation, and a timeout when nobody answers', async () => {
    expect(await codeOf(client.call(echo, { text: 'hi' }))).toEqual({
      code: ErrorCode.Unavailable,
      message: 'echo is not available.',
    });
    const silent = nc.subscribe(subject());
    await nc.flush();
    try {
      expect(await codeOf(client.call(echo, { text: 'hi' }))).toEqual({
        code: ErrorCode.Timeout,
        message: 'echo did not answer in time.',
      });
    } finally {
      silent.unsubscribe();
    }
  });

  it('refuses a reply that is not JSON, not a reply envelope, or outside the operation contract', async () => {
    for (const [raw, expected] of [
      ['not json', /malformed reply/],
      ['{"ok":false,"error":{"code":"NO_SUCH_CODE","message":"x"}}', /malformed reply/],
      ['{"ok":true,"data":{"said":42}}', /outside its contract/],
    ] as const) {
      const responder = nc.subscribe(subject(), { callback: (_err, msg) => void msg.respond(raw) });
      await nc.flush();
      try {
        const { code, message } = await codeOf(client.call(echo, { text: 'hi' }));
        expect(code).toBe(ErrorCode.Internal);
        expect(message).toMatch(expected);
      } finally {
        responder.unsubscribe();
      }
    }
  });
});
