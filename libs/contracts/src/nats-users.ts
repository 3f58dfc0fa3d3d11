import { durableConsumersOf, natsInboxPrefix, SENDER_CHANNELS } from './consumers';
import type { NatsNames } from './naming';

/**
 * The NATS users of a deployment and the subjects each may use: one list, rendered into
 * deploy/nats/nats-server.conf and the Helm chart's deploy/helm/switchboard/files/nats-users.json
 * by `npm run nats-users` (libs/contracts/test/nats-users.test.ts fails when they drift).
 *
 * Streams and durable consumers are made by the migrate step as `provisioner` (MIGRATE_ONLY=true
 * or MIGRATE_ON_BOOT), so a service user never gets `$JS.API.>`: it reads the channel registry,
 * and pulls, reads the info of and acks its own durables (durableConsumers in consumers.ts) and
 * no other service's. It receives pulled messages and replies only on its own inboxes
 * (natsInboxPrefix), so it cannot listen in on another's either.
 */
export interface NatsUserPermissions {
  publish: string[];
  subscribe: string[];
  /** May answer requests (RPC services and anything replying on _INBOX). */
  allowResponses: boolean;
}

export const SERVICE_NATS_USERS = [
  'gateway',
  'catalog',
  'preferences',
  'campaign-actions',
  'router',
  'tracker',
  'sender-email',
  'sender-sms',
  'sender-push',
  'sender-tweet',
  'sender-inapp',
] as const;
export type ServiceNatsUser = (typeof SERVICE_NATS_USERS)[number];
/** The migrate step's user: the whole JetStream API, nothing else. */
export const PROVISIONER_NATS_USER = 'provisioner';

/**
 * The environment variable deploy/nats/nats-server.conf reads a user's password from
 * (`SB_NATS_PASSWORD_SENDER_EMAIL`): docker compose, npm start and the tests set it under this name.
 * scripts/services.mjs, loaded before dependencies are installed, keeps a copy that
 * libs/contracts/test/docker-compose.test.ts checks against this one.
 */
export function natsPasswordVar(user: string): string {
  return `SB_NATS_PASSWORD_${user.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * A service's JetStream rights: the channel registry, and for each of its own durables the pull
 * (`CONSUMER.MSG.NEXT`), the info nats.js reads when it binds and when heartbeats stop
 * (`CONSUMER.INFO`), and ack / nak / working / term, which publish to the message's reply subject
 * `$JS.ACK.<stream>.<durable>.<counts…>`. Pull consumers have no flow control, and their
 * heartbeats come to the pull's inbox. No `CONSUMER.CREATE`: no service uses an ordered consumer.
 */
function consumeApi(names: NatsNames, user: ServiceNatsUser): string[] {
  const registry = names.streamName('registry');
  const own = durableConsumersOf(names, user).map((c) => `${names.streamOf(c.subject)}.${c.durable}`);
  return [
    '$JS.API.INFO',
    `$JS.API.STREAM.MSG.GET.${registry}`,
    `$JS.API.DIRECT.GET.${registry}.>`,
    ...own.flatMap((consumer) => [
      `$JS.API.CONSUMER.INFO.${consumer}`,
      `$JS.API.CONSUMER.MSG.NEXT.${consumer}`,
      `$JS.ACK.${consumer}.>`,
    ]),
  ];
}

/** What each service publishes and subscribes to, besides its dead-letter subject and the API. */
function serviceSubjects(names: NatsNames): Record<ServiceNatsUser, { publish: string[]; subscribe: string[] }> {
  const s = names.subjects;
  const rpcOf = (service: string) => s.rpc(service, '>');
  const callsCatalogAndPreferences = [rpcOf('catalog'), rpcOf('preferences')];
  const sender = (service: keyof typeof SENDER_CHANNELS) => {
    const channels = SENDER_CHANNELS[service];
    return {
      publish: [
        ...channels.flatMap((c) => [`${names.prefix}.delivery.${c}.>`, s.feedbackReported(c)]),
        ...channels.map((c) => s.dispatch(c)),
        s.channelHeartbeat(),
        ...channels.map((c) => s.channelAnnounced(c)),
        ...(service === 'sender-inapp' ? [s.inboxChanged()] : []),
        // Content and coupon codes from catalog; short links saved with the tracker.
        rpcOf('catalog'),
        rpcOf('tracker'),
      ],
      subscribe: [
        ...channels.map((c) => s.dispatch(c)),
        s.catalogChanged(),
        s.contactErased(),
        // Its own operations: sender-inapp's inbox, sender-email's web view copies (the gateway calls `rpc.>`).
        rpcOf(service),
        ...channels.map((c) => s.rpc('senders', `test.${c}`)),
        ...channels.map((c) => s.feedbackReported(c)),
      ],
    };
  };
  return {
    gateway: {
      publish: [
        s.sendRequested(),
        s.delivery('*', 'opened'),
        s.delivery('*', 'clicked'),
        s.delivery('*', 'unsubscribed'),
        s.delivery('*', 'complained'),
        s.feedbackReported('*'),
        `${names.prefix}.rpc.>`,
      ],
      // The catalog cache drops a message's entry when it changes (CatalogChanges).
      subscribe: [s.channelHeartbeat(), s.channelAnnounced('*'), s.inboxChanged(), s.catalogChanged()],
    },
    catalog: { publish: [s.catalogChanged()], subscribe: [rpcOf('catalog')] },
    preferences: {
      publish: [s.contactErased()],
      subscribe: [rpcOf('preferences'), s.contactUpserted(), s.contactErased(), names.familyFilter('delivery')],
    },
    'campaign-actions': {
      publish: [s.sendRequested(), ...callsCatalogAndPreferences, rpcOf('tracker'), s.shipmentCanceled()],
      subscribe: [
        rpcOf('campaign-actions'),
        s.campaignAction(),
        s.contactErased(),
        s.routing('deferred'),
        names.familyFilter('campaign'),
      ],
    },
    router: {
      publish: [s.dispatch('*'), s.routing('*'), s.sendRequested(), ...callsCatalogAndPreferences],
      subscribe: [
        s.sendRequested(),
        names.familyFilter('delivery'),
        s.catalogChanged(),
        s.channelHeartbeat(),
        s.channelAnnounced('*'),
        s.contactErased(),
        s.shipmentCanceled(),
        rpcOf('router'),
      ],
    },
    tracker: {
      publish: [names.familyFilter('delivery'), names.familyFilter('routing')],
      subscribe: [
        names.familyFilter('delivery'),
        names.familyFilter('routing'),
        s.dispatch('*'),
        s.contactErased(),
        rpcOf('tracker'),
      ],
    },
    'sender-email': sender('sender-email'),
    'sender-sms': sender('sender-sms'),
    'sender-push': sender('sender-push'),
    'sender-tweet': sender('sender-tweet'),
    'sender-inapp': sender('sender-inapp'),
  };
}

/** Every user's permissions under `names`' prefix, the provisioner first. */
export function natsUserPermissions(names: NatsNames): Record<string, NatsUserPermissions> {
  const users: Record<string, NatsUserPermissions> = {
    [PROVISIONER_NATS_USER]: {
      publish: ['$JS.API.>'],
      subscribe: [`${natsInboxPrefix(PROVISIONER_NATS_USER)}.>`],
      allowResponses: false,
    },
  };
  const subjects = serviceSubjects(names);
  for (const user of SERVICE_NATS_USERS) {
    users[user] = {
      publish: [...subjects[user].publish, names.subjects.dlq(user), ...consumeApi(names, user)],
      subscribe: [...subjects[user].subscribe, `${natsInboxPrefix(user)}.>`],
      allowResponses: true,
    };
  }
  return users;
}
