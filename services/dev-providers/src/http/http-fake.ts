import { createServer } from 'node:http';
import { ProviderControls } from '../control';
import { Outbox } from '../outbox';
import { createDevRoute } from './dev.router';
import { createFcmFake, type FcmFake, type GoogleServiceAccount } from './fcm.router';
import { closeServer, hostForUrl, listen, routeRequests } from './http-kit';
import { createTwilioFake, type TwilioConfig, type TwilioFake } from './twilio.router';
import { createXFake, type XConfig, type XFake } from './x.router';

export interface HttpFakeOptions {
  /** 0 = a random free port. Default 0. */
  port?: number;
  host?: string;
  twilio?: Partial<TwilioConfig>;
  /** `serviceAccount`: reuse one (its token_uri must point at this server) instead of generating a new one. */
  fcm?: { projectId?: string; serviceAccount?: GoogleServiceAccount };
  x?: Partial<XConfig>;
  outbox?: Outbox;
  controls?: ProviderControls;
}

export interface HttpFake {
  host: string;
  port: number;
  /** e.g. http://127.0.0.1:4010 — the base URL of Twilio, FCM, the FCM token endpoint and X. */
  baseUrl: string;
  twilio: TwilioFake;
  fcm: FcmFake & { serviceAccount: GoogleServiceAccount; tokenUri: string };
  x: XFake;
  outbox: Outbox;
  controls: ProviderControls;
  close(): Promise<void>;
}

export const DEFAULT_TWILIO: TwilioConfig = { accountSid: 'ACdev0000000000000000000000000000', authToken: 'dev-token' };
export const DEFAULT_X_TOKEN = 'dev-x-token';
export const DEFAULT_FCM_PROJECT = 'switchboard-dev';

/** One node:http server hosting Twilio, FCM (+ OAuth token endpoint), X, the outbox and the control API. */
export async function startHttpFake(options: HttpFakeOptions = {}): Promise<HttpFake> {
  const host = options.host ?? '127.0.0.1';
  const outbox = options.outbox ?? new Outbox();
  const controls = options.controls ?? new ProviderControls();
  const twilio = createTwilioFake({ ...DEFAULT_TWILIO, ...options.twilio }, outbox, controls.get('twilio'));
  const fcm = createFcmFake(
    options.fcm?.projectId ?? options.fcm?.serviceAccount?.project_id ?? DEFAULT_FCM_PROJECT,
    outbox,
    controls.get('fcm'),
  );
  const x = createXFake({ accessTokens: options.x?.accessTokens ?? [DEFAULT_X_TOKEN] }, outbox, controls.get('x'));

  const server = createServer(routeRequests([createDevRoute(outbox, controls), twilio.route, fcm.route, x.route]));
  const port = await listen(server, options.port ?? 0, host);
  const baseUrl = `http://${hostForUrl(host)}:${port}`;
  const tokenUri = `${baseUrl}/token`;
  const reused = options.fcm?.serviceAccount;
  if (reused) fcm.registerServiceAccount(reused);
  const serviceAccount = reused ?? fcm.createServiceAccount(tokenUri);

  return {
    host,
    port,
    baseUrl,
    twilio,
    fcm: Object.assign(fcm, { serviceAccount, tokenUri }),
    x,
    outbox,
    controls,
    close: () => closeServer(server),
  };
}
