import { defineSender, type SenderDefinition } from '@switchboard/channel-sdk';
import type { InAppConfig } from '../sender-inapp.config';
import { renderInApp } from './inapp.renderer';
import type { NewInboxEntry } from './inbox.repository';
import { InboxProvider } from './inbox.provider';
import { InboxWriter } from './inbox.writer';

export function inappSender(config: InAppConfig): SenderDefinition {
  return defineSender<NewInboxEntry>({
    channel: 'inapp',
    // No breaker: the "provider" is this service's own PostgreSQL, not a remote vendor whose outage
    // a breaker should ride out; when the database is down the service is not ready anyway, and a
    // failed write is a transient error the SDK retries with backoff.
    breaker: false,
    inject: [InboxWriter],
    provider: ({ injected: [writer] }) => new InboxProvider(writer as InboxWriter),
    render: (input) => renderInApp(input, config.inbox.defaultExpiryDays),
  });
}
