// busboy ships no types; the part of its API the CSV upload uses.
declare module 'busboy' {
  import type { IncomingHttpHeaders } from 'node:http';
  import type { Readable, Writable } from 'node:stream';

  interface BusboyConfig {
    headers: IncomingHttpHeaders;
    limits?: { files?: number; fileSize?: number };
  }
  interface Busboy extends Writable {
    on(
      event: 'file',
      listener: (name: string, stream: Readable, info: { filename: string; mimeType: string }) => void,
    ): this;
    on(event: 'error', listener: (error: unknown) => void): this;
    on(event: 'close', listener: () => void): this;
  }
  function busboy(config: BusboyConfig): Busboy;
  export default busboy;
}
