/**
 * Standalone dev-providers process: `node -r @swc-node/register services/dev-providers/src/main.ts`.
 * Starts every fake on loopback and writes what the senders need into DEV_PROVIDERS_STATE_DIR.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { startDevProviders, type DevProviders, type GoogleServiceAccount, type ServerCertificate } from './index';

const logger = pino({ name: 'dev-providers', redact: ['authToken', 'password', '*.authToken', '*.password'] });

function env(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

function port(name: string, fallback: number): number {
  const raw = env(name, String(fallback));
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535) {
    throw new Error(`${name} must be a TCP port number (0-65535), got "${raw}"`);
  }
  return value;
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Reuses the FCM service account of an earlier run when it still points at this token endpoint. */
function savedServiceAccount(stateDir: string, projectId: string, tokenUri: string): GoogleServiceAccount | undefined {
  const saved = readJson<GoogleServiceAccount>(join(stateDir, 'fcm-service-account.json'));
  return saved && saved.project_id === projectId && saved.token_uri === tokenUri ? saved : undefined;
}

/** Reuses the web-push CA and server certificate of an earlier run while they are valid for `host`. */
function savedCertificate(stateDir: string, host: string): ServerCertificate | undefined {
  const files = ['webpush-ca.pem', 'webpush-cert.pem', 'webpush-key.pem'].map((f) => join(stateDir, f));
  if (!files.every((f) => existsSync(f))) return undefined;
  const [caPem, certPem, keyPem] = files.map((f) => readFileSync(f, 'utf8'));
  try {
    const cert = new X509Certificate(certPem);
    const valid = new Date(cert.validTo).getTime() > Date.now() + 86400_000;
    const matches =
      cert.checkIssued(new X509Certificate(caPem)) && (cert.checkIP(host) ?? cert.checkHost(host)) !== undefined;
    return valid && matches ? { caPem, certPem, keyPem } : undefined;
  } catch {
    return undefined;
  }
}

function writeState(stateDir: string, providers: DevProviders): void {
  mkdirSync(stateDir, { recursive: true });
  const file = (name: string): string => join(stateDir, name);
  writeFileSync(file('fcm-service-account.json'), `${JSON.stringify(providers.fcm.serviceAccount, null, 2)}\n`, {
    mode: 0o600,
  });
  writeFileSync(file('webpush-ca.pem'), providers.webPush.certificate.caPem);
  writeFileSync(file('webpush-cert.pem'), providers.webPush.certificate.certPem);
  writeFileSync(file('webpush-key.pem'), providers.webPush.certificate.keyPem, { mode: 0o600 });
  const summary = {
    smtp: { host: providers.smtp.host, port: providers.smtp.port },
    httpBaseUrl: providers.httpBaseUrl,
    twilio: { baseUrl: providers.httpBaseUrl, ...providers.twilio.config },
    fcm: {
      baseUrl: providers.httpBaseUrl,
      projectId: providers.fcm.projectId,
      serviceAccountFile: file('fcm-service-account.json'),
    },
    x: { baseUrl: providers.httpBaseUrl, accessToken: providers.x.config.accessTokens[0] },
    webPush: { origin: providers.webPush.origin, caFile: file('webpush-ca.pem') },
    smpp: {
      host: providers.smpp.host,
      port: providers.smpp.port,
      systemId: providers.smpp.systemId,
      password: providers.smpp.password,
    },
    outbox: `${providers.httpBaseUrl}/dev/outbox`,
  };
  writeFileSync(file('providers.json'), `${JSON.stringify(summary, null, 2)}\n`, { mode: 0o600 });
}

async function main(): Promise<void> {
  const host = env('DEV_PROVIDERS_HOST', '127.0.0.1');
  const ports = {
    smtp: port('DEV_SMTP_PORT', 2525),
    http: port('DEV_HTTP_PORT', 4010),
    webPush: port('DEV_WEBPUSH_PORT', 4443),
    smpp: port('DEV_SMPP_PORT', 2775),
  };
  const stateDir = process.env.DEV_PROVIDERS_STATE_DIR
    ? resolve(process.env.DEV_PROVIDERS_STATE_DIR)
    : resolve(__dirname, '../../../.data/dev-providers');
  const projectId = env('DEV_FCM_PROJECT_ID', 'switchboard-dev');
  const smtpUser = process.env.DEV_SMTP_USER;
  const tokenUri = ports.http ? `http://${host.includes(':') ? `[${host}]` : host}:${ports.http}/token` : '';

  const providers = await startDevProviders({
    host,
    ports,
    smtp: {
      auth: smtpUser ? { user: smtpUser, pass: env('DEV_SMTP_PASS', '') } : undefined,
      // Where DSN and ARF reports go: sender-email's bounce listener (SMTP_BOUNCE_PORT).
      reportRelay: { host: env('DEV_REPORT_SMTP_HOST', '127.0.0.1'), port: port('DEV_REPORT_SMTP_PORT', 2526) },
    },
    twilio: {
      accountSid: env('DEV_TWILIO_SID', 'ACdev0000000000000000000000000000'),
      authToken: env('DEV_TWILIO_TOKEN', 'dev-token'),
    },
    x: { accessTokens: [env('DEV_X_TOKEN', 'dev-x-token')] },
    fcm: { projectId, serviceAccount: tokenUri ? savedServiceAccount(stateDir, projectId, tokenUri) : undefined },
    webPush: { certificate: ports.webPush ? savedCertificate(stateDir, host) : undefined },
    smpp: { systemId: env('DEV_SMPP_SYSTEM_ID', 'switchboard'), password: env('DEV_SMPP_PASSWORD', 'devpass') },
  });
  writeState(stateDir, providers);

  logger.info({ listener: 'smtp', url: `smtp://${providers.smtp.host}:${providers.smtp.port}` }, 'listening');
  logger.info(
    {
      listener: 'http',
      url: providers.httpBaseUrl,
      serves: ['twilio', 'fcm', 'x', '/dev/outbox', '/dev/control', '/health'],
    },
    'listening',
  );
  logger.info(
    { listener: 'webpush', url: providers.webPush.origin, caFile: join(stateDir, 'webpush-ca.pem') },
    'listening',
  );
  logger.info({ listener: 'smpp', url: `smpp://${providers.smpp.host}:${providers.smpp.port}` }, 'listening');
  logger.info({ stateDir }, 'state written');

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return process.exit(1); // a second signal: do not wait any longer
    stopping = true;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 5_000);
    force.unref();
    providers.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'dev-providers failed to start');
  process.exit(1);
});
