import { ProviderControls, type ControlCommand, type FailureState } from './control';
import { startHttpFake, type HttpFake } from './http/http-fake';
import type { GoogleServiceAccount } from './http/fcm.router';
import type { TwilioConfig } from './http/twilio.router';
import { Outbox } from './outbox';
import { startSmppFake, type SmppFake } from './smpp/smpp-fake';
import type { ReportRelay } from './smtp/feedback-mail';
import { startSmtpFake, type SmtpFake } from './smtp/smtp-fake';
import type { ServerCertificate } from './webpush/self-signed';
import { startWebPushFake, type WebPushFake } from './webpush/webpush-fake';

export * from './control';
export * from './outbox';
export * from './smtp/smtp-fake';
export * from './smtp/feedback-mail';
export * from './http/http-kit';
export * from './http/http-fake';
export * from './http/twilio.router';
export * from './http/fcm.router';
export * from './http/x.router';
export * from './webpush/webpush-fake';
export * from './webpush/self-signed';
export * from './smpp/smpp-fake';
export * from './webhooks/provider-webhook';
export * from './webhooks/ses-notifier';
export * from './webhooks/sendgrid-notifier';

export interface DevProvidersConfig {
  /** Interface every listener binds to. Default 127.0.0.1. */
  host?: string;
  /** Ports: 0 (the default) picks a free one. */
  ports?: { smtp?: number; http?: number; webPush?: number; smpp?: number };
  smtp?: { auth?: { user: string; pass: string }; reportRelay?: ReportRelay };
  twilio?: Partial<TwilioConfig>;
  x?: { accessTokens?: string[] };
  fcm?: { projectId?: string; serviceAccount?: GoogleServiceAccount };
  webPush?: { certificate?: ServerCertificate };
  smpp?: { systemId?: string; password?: string };
}

export interface DevProviders {
  smtp: SmtpFake;
  /** Twilio, FCM (+ /token), X, /dev/outbox, /dev/control and /health. */
  httpBaseUrl: string;
  http: HttpFake;
  webPush: WebPushFake;
  smpp: SmppFake;
  fcm: HttpFake['fcm'];
  twilio: HttpFake['twilio'];
  x: HttpFake['x'];
  control: { apply(command: ControlCommand): FailureState; reset(): void; controls: ProviderControls };
  outbox: Outbox;
  close(): Promise<void>;
}

/** Starts every fake provider on loopback, sharing one outbox and one set of failure switches. */
export async function startDevProviders(config: DevProvidersConfig = {}): Promise<DevProviders> {
  const host = config.host ?? '127.0.0.1';
  const ports = config.ports ?? {};
  const outbox = new Outbox();
  const controls = new ProviderControls();
  const started: Array<{ close(): Promise<void> }> = [];
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled(started.splice(0).map((s) => s.close()));
  };
  try {
    const smtp = await startSmtpFake({
      host,
      port: ports.smtp,
      auth: config.smtp?.auth,
      reportRelay: config.smtp?.reportRelay,
      outbox,
      control: controls.get('smtp'),
    });
    started.push(smtp);
    const http = await startHttpFake({
      host,
      port: ports.http,
      twilio: config.twilio,
      x: config.x,
      fcm: config.fcm,
      outbox,
      controls,
    });
    started.push(http);
    const webPush = await startWebPushFake({
      host,
      port: ports.webPush,
      certificate: config.webPush?.certificate,
      outbox,
      control: controls.get('webpush'),
    });
    started.push(webPush);
    const smpp = await startSmppFake({ host, port: ports.smpp, ...config.smpp, outbox, control: controls.get('smpp') });
    started.push(smpp);
    return {
      smtp,
      httpBaseUrl: http.baseUrl,
      http,
      webPush,
      smpp,
      fcm: http.fcm,
      twilio: http.twilio,
      x: http.x,
      control: { apply: (command) => controls.apply(command), reset: () => controls.reset(), controls },
      outbox,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
