import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { parse } from 'csv-parse';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import type { ContactInput } from '@switchboard/contracts';
import type { PreferencesConfig } from '../preferences.config';
import { mapHeader, sniffDelimiter, toContactInput, type Column } from './csv-rows';
import { ImportsRepository, type BatchProgress, type ImportRecord, type ImportedContact } from './imports.repository';

/** Rows per transaction: one multi-row upsert of contacts and one of memberships. */
const BATCH_ROWS = 1000;
const POLL_MS = 2000;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

type ParsedRow = { row: number; cells: string[]; bytes: number };

/**
 * Parses stored CSV uploads into contacts and segment members, a batch per transaction with the
 * import's counters, so memory stays at one chunk plus one batch whatever the file's size, and a
 * restart resumes after the last committed batch (rows before it are parsed again but skipped).
 */
@Injectable()
export class ImportWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly imports: ImportsRepository,
    @Inject(SERVICE_CONFIG) private readonly config: PreferencesConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Works through claimable imports unless already doing so. */
  kick(): void {
    if (this.stopping) return;
    this.running ??= (async () => {
      try {
        for (let imp = await this.claim(); imp && !this.stopping; imp = await this.claim()) await this.process(imp);
      } catch (error) {
        this.logger.warn({ err: error }, 'import worker failed; retrying later');
      } finally {
        this.running = undefined;
      }
    })();
  }

  private claim(): Promise<ImportRecord | undefined> {
    return this.imports.claim(this.config.imports.leaseMs);
  }

  private async process(imp: ImportRecord): Promise<void> {
    let bytes = imp.bytesProcessed;
    try {
      if (imp.segmentId === null) throw new Error('The segment was deleted.');
      const segmentId = imp.segmentId;
      const chunks = this.chunks(imp);
      const first = await chunks.next();
      if (first.done) return await this.imports.finish(imp.id, 'completed', null);
      // Bytes go to the parser undecoded: a chunk may end inside a character.
      const head = first.value.subarray(0, 3).equals(BOM) ? first.value.subarray(3) : first.value;
      const parser = Readable.from(prepend(head, chunks)).pipe(
        parse({
          delimiter: sniffDelimiter(head.toString('utf8')),
          relax_column_count: true,
          relax_quotes: true,
          skip_empty_lines: true,
          info: true,
        }),
      );
      let columns: Column[] | undefined;
      let seen = 0;
      let batch: ParsedRow[] = [];
      // One batch commits while the next is parsed: batches still commit one after another, in
      // file order, so the import's counters always end at a committed batch (a restart resumes there).
      let committing: Promise<number> | undefined;
      const committed = async () => {
        if (committing) bytes = await committing;
        committing = undefined;
      };
      for await (const { record, info } of parser as AsyncIterable<{
        record: string[];
        info: { records: number; bytes: number };
      }>) {
        if (!columns) {
          columns = mapHeader(record);
          if (!columns.some((c) => c.kind === 'core' && (c.key === 'id' || c.key === 'email')))
            throw new Error('The file needs an id or an email column.');
          continue;
        }
        if (++seen <= imp.processed) continue;
        batch.push({ row: info.records, cells: record, bytes: info.bytes });
        if (batch.length < BATCH_ROWS) continue;
        await committed();
        if (this.stopping) {
          parser.destroy();
          return;
        }
        committing = this.commit(imp.id, segmentId, columns, batch);
        committing.catch(() => undefined); // awaited (and its error thrown) before the next batch or the end
        batch = [];
      }
      await committed();
      if (columns && batch.length) bytes = await this.commit(imp.id, segmentId, columns, batch);
      await this.imports.finish(imp.id, 'completed', null, imp.bytes);
    } catch (error) {
      if (this.stopping) return;
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn({ err: error, importId: imp.id }, 'import failed');
      await this.imports.finish(imp.id, 'failed', message.slice(0, 500), bytes);
    }
  }

  private async *chunks(imp: ImportRecord): AsyncGenerator<Buffer> {
    for (let seq = 0; seq < imp.chunks; seq++) {
      const data = await this.imports.chunk(imp.id, seq);
      if (!data) throw new Error(`Chunk ${seq} of the upload is missing.`);
      yield data;
    }
  }

  /** One transaction: the batch's contacts, their memberships and the import's counters. */
  private async commit(importId: number, segmentId: number, columns: Column[], rows: ParsedRow[]): Promise<number> {
    const progress: BatchProgress = {
      rows: rows.length,
      created: 0,
      updated: 0,
      unchanged: 0,
      failed: 0,
      bytesProcessed: rows[rows.length - 1].bytes,
      errors: [],
    };
    const good: { row: number; input: ContactInput }[] = [];
    for (const r of rows) {
      const result = toContactInput(columns, r.cells);
      if ('error' in result) progress.errors.push({ row: r.row, message: result.error });
      else good.push({ row: r.row, input: result.input });
    }
    progress.failed = progress.errors.length;
    await this.imports.transaction(async (sql) => {
      await this.imports.withoutJit(sql);
      const byEmail = await this.imports.idsByEmail(
        good.filter((g) => !g.input.id && g.input.email).map((g) => g.input.email!.toLowerCase()),
        sql,
      );
      // One row per contact: later rows of the batch merge over earlier ones, as sequential upserts would.
      const contacts = new Map<string, ImportedContact>();
      for (const { input } of good) {
        let id = input.id;
        if (!id) {
          const email = input.email!.toLowerCase();
          id = byEmail.get(email);
          if (!id) byEmail.set(email, (id = timeOrderedUuid()));
        }
        const prior = contacts.get(id);
        const next: ImportedContact = { ...prior, ...importedOf(input), id };
        if (prior?.fields && input.fields) next.fields = { ...prior.fields, ...input.fields };
        contacts.set(id, next);
      }
      const counts = contacts.size
        ? await this.imports.upsertRows(segmentId, [...contacts.values()], sql)
        : { created: 0, updated: 0 };
      progress.created = counts.created;
      progress.updated = counts.updated;
      progress.unchanged = good.length - counts.created - counts.updated;
      await this.imports.progress(importId, progress, this.config.imports.leaseMs, sql);
    });
    return progress.bytesProcessed;
  }
}

/** The properties an imported row sets (the CSV gives no rules, devices or do-not-contact). */
function importedOf(input: ContactInput): Omit<ImportedContact, 'id'> {
  const out: Omit<ImportedContact, 'id'> = {};
  for (const key of ['email', 'mobile', 'firstname', 'lastname', 'locale', 'timezone', 'preferredChannel'] as const)
    if (input[key] !== undefined) out[key] = input[key];
  if (input.twitterHandle !== undefined) out.twitterHandle = input.twitterHandle?.replace(/^@/, '') ?? null;
  if (input.fields) out.fields = input.fields;
  return out;
}

async function* prepend(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/**
 * A new contact's id: a UUID whose first 48 bits are the time (RFC 9562 version 7), so the rows of
 * an import land at the end of the id indexes (contacts, memberships) instead of on random pages
 * of indexes larger than the buffer cache.
 */
export function timeOrderedUuid(now = Date.now()): string {
  const b = randomBytes(16);
  b.writeUIntBE(now, 0, 6);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
