import addressparser from 'nodemailer/lib/addressparser';

/** What the SMTP fake records of a message, as mailparser's simpleParser would give it. */
export interface ReadMail {
  headerLines: ReadonlyArray<{ key: string; line: string }>;
  from: string[];
  to: string[];
  subject: string;
  html: string | null;
  text: string | null;
}

const UTF8 = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);
const ENCODINGS = new Set(['7bit', '8bit', 'binary', 'quoted-printable', 'base64']);
const ENCODED_WORDS = /=\?([^?]+)\?([QqBb])\?([^?]*)\?=(?:\s*=\?([^?]+)\?([QqBb])\?([^?]*)\?=)*/g;
const ENCODED_WORD = /=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g;
/** `addr@example.org` or `Plain Name <addr@example.org>`, read as nodemailer's addressparser reads them. */
const SIMPLE_ADDRESS = /^(?:[\w .'-]*<([\w.+-]+@[\w-]+(?:\.[\w-]+)+)>|([\w.+-]+@[\w-]+(?:\.[\w-]+)+))$/;

/**
 * Reads the messages most clients send — one text/plain body, or a multipart/alternative of one
 * text/plain and one text/html part, in UTF-8 or ASCII — synchronously and with the same result as
 * mailparser's simpleParser, which costs several times as much (its stream pipeline yields to the
 * event loop for every chunk). Returns undefined for anything else, which then goes to mailparser.
 */
export function readSimpleMail(raw: Buffer): ReadMail | undefined {
  const entity = splitEntity(raw.toString('latin1'));
  if (!entity) return undefined;
  const headerLines = entity.lines;
  const single = (key: string): string | undefined | null => {
    const found = headerLines.filter((l) => l.key === key);
    return found.length > 1 ? null : found[0] && unfoldValue(found[0].line);
  };
  const from = single('from');
  const to = single('to');
  const subject = single('subject');
  if (from === null || to === null || subject === null) return undefined;
  const fromList = addresses(from);
  const toList = addresses(to);
  const decodedSubject = subject === undefined ? '' : decodeWords(subject);
  if (!fromList || !toList || decodedSubject === undefined) return undefined;

  const type = contentType(entity);
  if (!type) return undefined;
  let text: Entity | null = null;
  let html: Entity | null = null;
  if (type.value === 'text/plain') {
    if (!isPlainText(entity, type)) return undefined;
    text = entity;
  } else if (type.value === 'multipart/alternative' && type.boundary) {
    const parts = splitMultipart(entity.body, type.boundary);
    if (!parts || parts.length !== 2) return undefined;
    for (const part of parts) {
      const partType = part && contentType(part);
      if (!part || !partType || !isPlainText(part, partType)) return undefined;
      if (partType.value === 'text/plain' && !text) text = part;
      else if (partType.value === 'text/html' && !html) html = part;
      else return undefined;
    }
  } else {
    return undefined;
  }
  // The bodies are decoded when read: the SMTP fake reads only headers when a message arrives.
  return {
    headerLines,
    from: fromList,
    to: toList,
    subject: decodedSubject,
    get html() {
      return html && decodeText(html);
    },
    get text() {
      return text && decodeText(text);
    },
  };
}

interface Entity {
  lines: Array<{ key: string; line: string }>;
  body: string;
}

/** Header lines (folding kept) and body of a latin1-decoded entity; undefined when the header has 8-bit bytes. */
function splitEntity(source: string): Entity | undefined {
  const end = source.indexOf('\r\n\r\n');
  if (end < 0 || /[\u0080-\uffff]/.test(source.slice(0, end))) return undefined;
  const lines = source
    .slice(0, end)
    .split(/\r\n(?![ \t])/)
    .map((line) => ({ key: line.slice(0, line.indexOf(':')).trim().toLowerCase(), line }));
  if (lines.some((l) => !l.key || l.key === 'content-disposition')) return undefined;
  return { lines, body: source.slice(end + 4) };
}

function unfoldValue(line: string): string {
  return line
    .replace(/(?:\r?\n|\r)[ \t]*/g, ' ')
    .slice(line.indexOf(':') + 1)
    .trim();
}

function headerOf(entity: Entity, key: string): string | undefined {
  const line = entity.lines.find((l) => l.key === key)?.line;
  return line === undefined ? undefined : unfoldValue(line);
}

/** The addresses of an address header; undefined for what mailparser would rewrite (groups, encoded words, punycode). */
function addresses(value: string | undefined): string[] | undefined {
  if (value === undefined) return [];
  const simple = SIMPLE_ADDRESS.exec(value);
  if (simple && !/@xn--/i.test(value)) return [simple[1] ?? simple[2]];
  const list = addressparser(value);
  if (list.some((a) => 'group' in a || /=\?|@xn--/i.test(a.address ?? ''))) return undefined;
  return list.map((a) => (a as { address?: string }).address ?? '').filter(Boolean);
}

function contentType(
  entity: Entity,
): { value: string; boundary?: string; charset: string; flowed: boolean } | undefined {
  const header = headerOf(entity, 'content-type') ?? 'text/plain';
  if (/[()]|\*=|=\?/.test(header)) return undefined; // comments, RFC 2231 or encoded parameters
  const [value, ...params] = header.split(';');
  const param = (name: string) =>
    params
      .map((p) => /^\s*([^=\s]+)\s*=\s*(?:"([^"\\]*)"|([^\s"]*))\s*$/.exec(p))
      .find((m) => m?.[1].toLowerCase() === name)
      ?.slice(2)
      .find((v) => v !== undefined);
  return {
    value: value.trim().toLowerCase(),
    boundary: param('boundary'),
    charset: (param('charset') ?? 'utf-8').toLowerCase(),
    flowed: /format\s*=\s*"?flowed/i.test(header),
  };
}

/** The parts of a multipart body, between its first delimiter line and its closing one. */
function splitMultipart(body: string, boundary: string): Array<Entity | undefined> | undefined {
  const delimiter = `--${boundary}`;
  const start = body.startsWith(delimiter) ? 0 : body.indexOf(`\r\n${delimiter}\r\n`) + 2;
  const close = body.indexOf(`\r\n${delimiter}--`);
  if (start < 0 || close < start || body.indexOf(`\r\n${delimiter}`, close + 2) >= 0) return undefined;
  return body
    .slice(start + delimiter.length + 2, close)
    .split(`\r\n${delimiter}\r\n`)
    .map(splitEntity);
}

/** A text part this reader decodes as mailparser does: a known transfer encoding, UTF-8 or ASCII, not flowed. */
function isPlainText(entity: Entity, type: { charset: string; flowed: boolean }): boolean {
  const encoding = headerOf(entity, 'content-transfer-encoding')?.toLowerCase();
  // mailparser gives odd values for empty parts (a lone "\n" text): leave those to it
  return (
    (encoding === undefined || ENCODINGS.has(encoding)) && UTF8.has(type.charset) && !type.flowed && entity.body !== ''
  );
}

/** Transfer encoding, charset, LF line ends. */
function decodeText(entity: Entity): string {
  const encoding = headerOf(entity, 'content-transfer-encoding')?.toLowerCase();
  let bytes: Buffer;
  if (encoding === 'base64') bytes = Buffer.from(entity.body, 'base64');
  else if (encoding === 'quoted-printable') bytes = decodeQp(entity.body);
  else bytes = Buffer.from(entity.body, 'latin1');
  return bytes.toString('utf8').replace(/\r?\n/g, '\n');
}

function decodeQp(body: string): Buffer {
  return Buffer.from(decodeHex(body.replace(/[\t ]+$/gm, '').replace(/=(?:\r?\n|$)/g, '')), 'latin1');
}

function decodeHex(text: string): string {
  return text.replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** RFC 2047 encoded words (adjacent ones joined) in UTF-8 or ASCII; undefined for other charsets. */
function decodeWords(value: string): string | undefined {
  let unsupported = false;
  const decoded = value.replace(ENCODED_WORDS, (run) => {
    const bytes: Buffer[] = [];
    for (const [, charset, encoding, text] of run.matchAll(ENCODED_WORD)) {
      if (!UTF8.has(charset.toLowerCase().split('*')[0])) unsupported = true;
      bytes.push(
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(decodeHex(text.replace(/_/g, ' ')), 'latin1'),
      );
    }
    return Buffer.concat(bytes).toString('latin1');
  });
  return unsupported ? undefined : Buffer.from(decoded, 'latin1').toString('utf8');
}
