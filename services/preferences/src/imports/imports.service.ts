import { Injectable } from '@nestjs/common';
import { DomainError, type ImportView } from '@switchboard/contracts';
import { SegmentsRepository } from '../segments/segments.repository';
import { ImportWorker } from './import.worker';
import { ImportsRepository, type ImportRecord } from './imports.repository';

const mauticDate = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, '+00:00');

function toView(r: ImportRecord, errors: { row: number; message: string }[]): ImportView {
  return {
    id: r.id,
    segmentId: r.segmentId,
    // Still uploading reads as queued: the API's statuses are queued, running, completed, failed.
    status: r.status === 'uploading' ? 'queued' : r.status,
    rows: r.processed,
    processed: r.processed,
    created: r.created,
    updated: r.updated,
    unchanged: r.unchanged,
    failed: r.failed,
    progress: r.status === 'completed' ? 1 : r.bytes > 0 ? Math.min(1, r.bytesProcessed / r.bytes) : 0,
    bytes: r.bytes,
    error: r.error,
    errors,
    dateAdded: mauticDate(r.dateAdded),
    dateModified: r.dateModified ? mauticDate(r.dateModified) : null,
  };
}

@Injectable()
export class ImportsService {
  constructor(
    private readonly imports: ImportsRepository,
    private readonly segments: SegmentsRepository,
    private readonly worker: ImportWorker,
  ) {}

  async open(segmentId: number): Promise<number> {
    if (!(await this.segments.findOne(segmentId))) throw DomainError.notFound();
    return this.imports.open(segmentId);
  }

  chunk(id: number, seq: number, base64: string): Promise<boolean> {
    return this.imports.storeChunk(id, seq, Buffer.from(base64, 'base64'));
  }

  async close(id: number, chunks: number, aborted: boolean): Promise<ImportView> {
    await this.imports.close(id, chunks, aborted);
    this.worker.kick();
    return this.get(id);
  }

  async get(id: number): Promise<ImportView> {
    const record = await this.imports.find(id);
    if (!record) throw DomainError.notFound();
    return toView(record, await this.imports.errors(id));
  }
}
