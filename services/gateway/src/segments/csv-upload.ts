import type { Request } from 'express';
import busboy from 'busboy';
import type { Readable } from 'node:stream';
import { DomainError, ErrorCode } from '@switchboard/contracts';

/**
 * The CSV bytes of an upload as a stream read at the caller's pace: the body itself for
 * `text/csv` (or `text/plain`, `application/csv`), the first file part of a `multipart/form-data`
 * body. Nothing is buffered beyond what the stream holds.
 */
export function csvBody(req: Request): Promise<Readable> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (/^(text\/csv|text\/plain|application\/csv|application\/vnd\.ms-excel|application\/octet-stream)\b/.test(type))
    return Promise.resolve(req);
  if (!type.startsWith('multipart/form-data'))
    return Promise.reject(
      new DomainError(ErrorCode.Validation, 'file: Send the file as text/csv or multipart/form-data.', {
        file: ['Send the file as text/csv or multipart/form-data.'],
      }),
    );
  return new Promise((resolve, reject) => {
    let found = false;
    const parser = busboy({ headers: req.headers, limits: { files: 1 } });
    parser.on('file', (_name, stream) => {
      found = true;
      resolve(stream);
    });
    parser.on('error', reject);
    parser.on('close', () => {
      if (!found) reject(DomainError.validation({ file: ['A file is required.'] }));
    });
    req.pipe(parser);
  });
}
