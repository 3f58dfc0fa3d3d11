import type { DynamicModule } from '@nestjs/common';
import type { ServiceModuleOptions } from '@switchboard/service-kit';
import { CONTACT_DATA_ERASERS, ChannelSenderModule } from '@switchboard/channel-sdk';
import { inappSender } from './inbox/inapp.sender';
import { InboxNotifier } from './inbox/inbox.notifier';
import { INBOX_RETENTION, InboxRepository } from './inbox/inbox.repository';
import { InboxRpc } from './inbox/inbox.rpc';
import { InboxService } from './inbox/inbox.service';
import { InboxWriter } from './inbox/inbox.writer';
import { CreateInbox1797000000100 } from './migrations/1797000000100-CreateInbox';
import { SERVICE, type InAppConfig } from './sender-inapp.config';

/** The in-app inbox (DESIGN §7.7): a sender whose provider is its own store, plus the end-user operations. */
export function createSenderInappModule(config: InAppConfig, options: ServiceModuleOptions = {}): DynamicModule {
  return ChannelSenderModule.forRoot({
    ...options,
    service: SERVICE,
    config,
    senders: [inappSender(config)],
    migrations: [CreateInbox1797000000100],
    // Expired messages leave with the attempts' retention, in the same Pruner.
    retention: [INBOX_RETENTION],
    providers: [
      InboxRepository,
      InboxNotifier,
      InboxWriter,
      InboxService,
      InboxRpc,
      { provide: CONTACT_DATA_ERASERS, useFactory: (repo: InboxRepository) => [repo], inject: [InboxRepository] },
    ],
  });
}
