import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  /** Status codes of interim (1xx) responses, in order. */
  interim: number[];
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method: string;
  path: string;
  /** Header lines written verbatim (`Expect:` with nothing after it, as curl and Mautic's PHP library send it). */
  headerLines: string[];
  body?: string;
  /** Send the body only once the server has answered `100 Continue`, as a client that asked for it does. */
  waitForContinue?: boolean;
}

/** One handwritten HTTP/1.1 request over a socket, so headers reach the server exactly as a client wrote them. */
export function rawRequest(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = req.body ?? '';
  const head =
    [
      `${req.method} ${req.path} HTTP/1.1`,
      `Host: ${url.host}`,
      'Connection: close',
      ...(body ? [`Content-Length: ${Buffer.byteLength(body)}`] : []),
      ...req.headerLines,
    ].join('\r\n') + '\r\n\r\n';
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    let bodySent = !body;
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no reply to ${req.method} ${req.path}`)));
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(head);
      if (body && !req.waitForContinue) {
        socket.write(body);
        bodySent = true;
      }
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      if (!bodySent && /^HTTP\/1\.1 100 /.test(received) && received.includes('\r\n\r\n')) {
        socket.write(body);
        bodySent = true;
      }
    });
    socket.on('end', () => {
      const interim: number[] = [];
      let rest = received;
      for (;;) {
        const end = rest.indexOf('\r\n\r\n');
        const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
        const status = Number(statusLine.split(' ')[1]);
        rest = rest.slice(end + 4);
        if (status >= 100 && status < 200) {
          interim.push(status);
          continue;
        }
        const headers = Object.fromEntries(
          lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
        );
        resolve({ status, interim, headers, body: headers['transfer-encoding'] === 'chunked' ? dechunk(rest) : rest });
        return;
      }
    });
  });
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}
