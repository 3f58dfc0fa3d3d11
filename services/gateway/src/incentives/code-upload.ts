import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import {
  INCENTIVE_CODE,
  INCENTIVE_CODE_MESSAGE,
  INCENTIVE_CODES_BATCH,
  type IncentiveCodesReply,
} from '@switchboard/contracts';

/** Refused rows kept for the reply; the rest are only counted. */
const MAX_ERRORS = 1_000;

/**
 * Streams an upload of codes (one per line, or a one-column CSV with an optional `code` header)
 * into `add` in batches, so a pool of any size costs constant memory. A row that is not one valid
 * code is reported by its line number and skipped; the rest go in.
 */
export async function uploadCodes(
  body: Readable,
  add: (codes: string[]) => Promise<{ added: number; duplicates: number }>,
): Promise<IncentiveCodesReply> {
  const reply: IncentiveCodesReply = { added: 0, duplicates: 0, errors: [] };
  const parser = body.pipe(
    parse({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, trim: true, info: true }),
  );
  let batch: string[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const r = await add(batch);
    reply.added += r.added;
    reply.duplicates += r.duplicates;
    batch = [];
  };
  let first = true;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const cells = record.filter((c) => c !== '');
    const isHeader = first && cells.length === 1 && cells[0].toLowerCase() === 'code';
    first = false;
    if (isHeader || cells.length === 0) continue;
    const message =
      cells.length > 1 ? 'A row holds one code.' : !INCENTIVE_CODE.test(cells[0]) ? INCENTIVE_CODE_MESSAGE : undefined;
    if (message) {
      if (reply.errors.length < MAX_ERRORS) reply.errors.push({ row: info.lines, message });
      continue;
    }
    batch.push(cells[0]);
    if (batch.length >= INCENTIVE_CODES_BATCH) await flush();
  }
  await flush();
  return reply;
}
