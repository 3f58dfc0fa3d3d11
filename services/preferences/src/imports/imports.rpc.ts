import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import {
  preferencesImportsChunk,
  preferencesImportsClose,
  preferencesImportsGet,
  preferencesImportsOpen,
} from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { ImportsService } from './imports.service';

type Req<C extends { request: z.ZodType }> = z.infer<C['request']>;
type Res<C extends { response: z.ZodType }> = Promise<z.input<C['response']>>;

@Injectable()
export class ImportsRpc {
  constructor(private readonly imports: ImportsService) {}

  @RpcHandler(preferencesImportsOpen)
  async open(req: Req<typeof preferencesImportsOpen>): Res<typeof preferencesImportsOpen> {
    return { id: await this.imports.open(req.segmentId) };
  }

  @RpcHandler(preferencesImportsChunk)
  async chunk(req: Req<typeof preferencesImportsChunk>): Res<typeof preferencesImportsChunk> {
    return { stored: await this.imports.chunk(req.id, req.seq, req.data) };
  }

  @RpcHandler(preferencesImportsClose)
  async close(req: Req<typeof preferencesImportsClose>): Res<typeof preferencesImportsClose> {
    return { import: await this.imports.close(req.id, req.chunks, req.aborted) };
  }

  @RpcHandler(preferencesImportsGet)
  async get(req: Req<typeof preferencesImportsGet>): Res<typeof preferencesImportsGet> {
    return { import: await this.imports.get(req.id) };
  }
}
