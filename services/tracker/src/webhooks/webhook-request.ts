import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { AddressRefusedError, type AddressPolicy } from './address-policy';

/**
 * POSTs one webhook body through the address policy: an IP-literal host is checked before the
 * request, a name on every connection (the policy is the sockets' DNS lookup), and redirects are
 * never followed (a 3xx is a failed attempt), so no response can steer the request inward.
 */
export class WebhookRequester {
  private readonly agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  constructor(private readonly policy: AddressPolicy) {}

  async post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
    const target = new URL(url);
    if (!this.policy.allowsHostOf(url)) {
      const refused = this.policy.urlRefusal(url);
      if (refused) throw new AddressRefusedError(`refused: ${refused}`);
    }
    const https = target.protocol === 'https:';
    const signal = AbortSignal.timeout(timeoutMs);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(
        target,
        {
          method: 'POST',
          agent: https ? this.agents.https : this.agents.http,
          lookup: this.policy.lookup,
          signal,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        resolve,
      );
      req.on('error', (error) => reject(signal.aborted ? signal.reason : error));
      req.end(body);
    });
    // Drain the answer so the connection can be reused; its content does not matter.
    await new Promise<void>((resolve) => {
      res.on('error', () => resolve());
      res.on('end', resolve);
      res.resume();
    });
    return res.statusCode ?? 0;
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
