import type { Channel } from './channels';
import type { NatsNames } from './naming';

/**
 * The NATS users of a deployment and the subjects each may use: one list, rendered into
 * deploy/nats/nats-server.conf and the Helm chart's deploy/helm/switchboard/files/nats-users.json
 * by `npm run nats-users` (libs/contracts/test/nats-users.test.ts fails when they drift).
 *
 * Streams and durable consumers are made by the migrate step as `provisioner` (MIGRATE_ONLY=true
 * or MIGRATE_ON_BOOT), so a service user only reads consumers and the channel registry, pulls and
 * acks: never `$JS.API.>`.
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

/** The channels each sender sends. */
const SENDER_CHANNELS: Record<Extract<ServiceNatsUser, `sender-${string}`>, Channel[]> = {
  'sender-email': ['email'],
  'sender-sms': ['sms'],
  'sender-push': ['notification', 'mobile_notification'],
  'sender-tweet': ['tweet'],
  'sender-inapp': ['inapp'],
};

/** A service's JetStream rights: read stream and consumer info and the registry, pull, ack. */
function consumeApi(names: NatsNames): string[] {
  const registry = names.streamName('registry');
  return [
    '$JS.API.INFO',
    '$JS.API.STREAM.INFO.*',
    `$JS.API.STREAM.MSG.GET.${registry}`,
    `$JS.API.DIRECT.GET.${registry}.>`,
    '$JS.API.CONSUMER.INFO.*.*',
    '$JS.API.CONSUMER.MSG.NEXT.*.*',
    '$JS.ACK.>',
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
      subscribe: [s.channelHeartbeat(), s.channelAnnounced('*'), s.inboxChanged()],
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
    [PROVISIONER_NATS_USER]: { publish: ['$JS.API.>'], subscribe: ['_INBOX.>'], allowResponses: false },
  };
  const subjects = serviceSubjects(names);
  for (const user of SERVICE_NATS_USERS) {
    users[user] = {
      publish: [...subjects[user].publish, names.subjects.dlq(user), ...consumeApi(names)],
      subscribe: [...subjects[user].subscribe, '_INBOX.>'],
      allowResponses: true,
    };
  }
  return users;
}
