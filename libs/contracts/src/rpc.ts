import { z } from 'zod';
import { ErrorCode } from './errors';
import type { AcceptsAsIs } from './hot-path-checks';

/**
 * Request/reply operations on `<prefix>.rpc.<service>.<operation>`. Each feature adds its
 * operations here: `{ service, operation, request, response }`, so that both sides validate
 * against the same schema.
 */
export interface RpcContract<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  service: string;
  operation: string;
  request: Req;
  response: Res;
  /** On a hot path: a check of the reply's common shape in front of `response` (see hot-path-checks.ts). */
  acceptsResponseAsIs?: AcceptsAsIs<z.infer<Res>>;
}

export function rpcContract<Req extends z.ZodType, Res extends z.ZodType>(
  service: string,
  operation: string,
  request: Req,
  response: Res,
  options: { acceptsResponseAsIs?: AcceptsAsIs<z.infer<Res>> } = {},
): RpcContract<Req, Res> {
  return { service, operation, request, response, ...options };
}

/** The envelope of every reply. */
export const RpcReplySchema = z.union([
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({
      code: z.enum(ErrorCode),
      message: z.string(),
      details: z.record(z.string(), z.array(z.string())).optional(),
    }),
  }),
]);
export type RpcReply = z.infer<typeof RpcReplySchema>;
