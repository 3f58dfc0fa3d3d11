import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Serves a request whose `Expect` header is blank or unknown as if it had none. Node answers 417 to
 * any expectation other than `100-continue` unless 'checkExpectation' has a listener, and Mautic's
 * PHP library (over curl or Guzzle) sends a blank `Expect:` on every call to turn 100-continue off.
 * A real `Expect: 100-continue` never reaches this listener: Node answers it with 100 itself.
 */
export function ignoreUnknownExpectations(server: Server): void {
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    delete req.headers.expect;
    server.emit('request', req, res);
  });
}
