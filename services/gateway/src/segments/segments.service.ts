import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError,
  preferencesSegmentsContacts,
  preferencesSegmentsDelete,
  preferencesSegmentsGet,
  preferencesSegmentsList,
  preferencesSegmentsMembers,
  preferencesSegmentsOfContact,
  preferencesSegmentsPreview,
  preferencesSegmentsSave,
  SegmentCreateSchema,
  SegmentPatchSchema,
  issuesToDetails,
  preferencesImportsChunk,
  preferencesImportsClose,
  preferencesImportsGet,
  preferencesImportsOpen,
  type ImportView,
  type Actor,
  type SegmentFilterInput,
  type SegmentView,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import type { GatewayConfig } from '../gateway.config';

/** Bytes per stored chunk (base64 in the RPC stays under NATS's 1 MB message limit). */
const IMPORT_CHUNK_BYTES = 512 * 1024;

export type SaveMode = 'create' | 'put' | 'patch';
export type BatchResult = {
  status: number;
  item?: SegmentView;
  error?: { code: number; message: string; details: Record<string, string[]> };
};

/** `/api/segments` over the preferences service's segment RPCs (DESIGN §7.4). */
@Injectable()
export class SegmentsService {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  private get options() {
    return { timeoutMs: this.config.rpcTimeoutMs };
  }

  list(query: Parameters<typeof this.rpc.call<typeof preferencesSegmentsList>>[1]) {
    return this.rpc.call(preferencesSegmentsList, query, this.options);
  }

  async get(id: number): Promise<SegmentView> {
    return (await this.rpc.call(preferencesSegmentsGet, { id }, this.options)).segment;
  }

  save(mode: SaveMode, id: number | undefined, input: unknown, actor: Actor) {
    return this.rpc.call(preferencesSegmentsSave, { mode, id, input, actor } as never, this.options);
  }

  async delete(id: number): Promise<SegmentView> {
    return (await this.rpc.call(preferencesSegmentsDelete, { id }, this.options)).segment;
  }

  async members(segmentId: number, action: 'add' | 'remove', contactIds: string[]): Promise<string[]> {
    return (await this.rpc.call(preferencesSegmentsMembers, { segmentId, action, contactIds }, this.options)).done;
  }

  contacts(segmentId: number, start: number, limit: number) {
    return this.rpc.call(preferencesSegmentsContacts, { segmentId, start, limit }, this.options);
  }

  async ofContact(contactId: string): Promise<SegmentView[]> {
    return (await this.rpc.call(preferencesSegmentsOfContact, { contactId }, this.options)).segments;
  }

  async preview(filters: SegmentFilterInput[]): Promise<number> {
    return (await this.rpc.call(preferencesSegmentsPreview, { filters }, this.options)).count;
  }

  /**
   * Streams an upload to preferences in chunks of 512 KiB, one RPC at a time (the request is read
   * only as fast as preferences stores it), then queues the import. A broken upload fails it.
   */
  async importCsv(segmentId: number, body: AsyncIterable<Buffer | string>): Promise<ImportView> {
    const { id } = await this.rpc.call(preferencesImportsOpen, { segmentId }, this.options);
    let seq = 0;
    let pending: Buffer[] = [];
    let size = 0;
    const flush = async () => {
      const data = Buffer.concat(pending).toString('base64');
      pending = [];
      size = 0;
      await this.rpc.call(preferencesImportsChunk, { id, seq: seq++, data }, this.options);
    };
    try {
      for await (const piece of body) {
        let buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
        while (buf.length > 0) {
          const take = buf.subarray(0, IMPORT_CHUNK_BYTES - size);
          pending.push(take);
          size += take.length;
          buf = buf.subarray(take.length);
          if (size === IMPORT_CHUNK_BYTES) await flush();
        }
      }
      if (size > 0) await flush();
    } catch (error) {
      await this.rpc
        .call(preferencesImportsClose, { id, chunks: seq, aborted: true }, this.options)
        .catch(() => undefined);
      throw error;
    }
    return (await this.rpc.call(preferencesImportsClose, { id, chunks: seq, aborted: false }, this.options)).import;
  }

  async getImport(id: number): Promise<ImportView> {
    return (await this.rpc.call(preferencesImportsGet, { id }, this.options)).import;
  }

  /**
   * Mautic's batch: each item on its own (≤ 200, one RPC each), a status per item and the errors
   * keyed by index; `delete` takes ids and answers the items as they were.
   */
  async batch(mode: SaveMode | 'delete', items: unknown[], actor: Actor): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    for (const raw of items) {
      try {
        if (mode === 'delete') {
          results.push({ status: 200, item: await this.delete(raw as number) });
          continue;
        }
        const record = (raw ?? {}) as Record<string, unknown>;
        const id = record.id === undefined ? undefined : Number(record.id);
        if (mode !== 'create' && (!Number.isInteger(id) || id! <= 0))
          throw DomainError.validation({ id: ['An id is required.'] });
        const parsed = (mode === 'patch' ? SegmentPatchSchema : SegmentCreateSchema).safeParse(record);
        if (!parsed.success) throw DomainError.validation(issuesToDetails(parsed.error));
        const { segment, created } = await this.save(mode, mode === 'create' ? undefined : id, parsed.data, actor);
        results.push({ status: created ? 201 : 200, item: segment });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const status = error.code === 'NOT_FOUND' ? 404 : 400;
        results.push({ status, error: { code: status, message: error.message, details: error.details } });
      }
    }
    return results;
  }
}
