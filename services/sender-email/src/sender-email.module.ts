import type { DynamicModule } from '@nestjs/common';
import type { ServiceModuleOptions } from '@switchboard/service-kit';
import { CONTACT_DATA_ERASERS, ChannelSenderModule } from '@switchboard/channel-sdk';
import { BounceListener } from './bounces/bounce-listener';
import { emailSender } from './email/email.sender';
import { CreateWebViewCopies1797100000000 } from './migrations/1797100000000-CreateWebViewCopies';
import { SERVICE, type EmailConfig } from './sender-email.config';
import { webViewRetention, WebViewRepository } from './web-view/web-view.repository';
import { WebViewRpc } from './web-view/web-view.rpc';

export function createSenderEmailModule(config: EmailConfig, options: ServiceModuleOptions = {}): DynamicModule {
  return ChannelSenderModule.forRoot({
    ...options,
    service: SERVICE,
    config,
    senders: [emailSender(config)],
    migrations: [CreateWebViewCopies1797100000000],
    retention: [webViewRetention(config)],
    providers: [
      BounceListener,
      WebViewRepository,
      WebViewRpc,
      { provide: CONTACT_DATA_ERASERS, useFactory: (repo: WebViewRepository) => [repo], inject: [WebViewRepository] },
    ],
  });
}
