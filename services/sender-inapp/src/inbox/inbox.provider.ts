import type { ChannelProvider, SendResult } from '@switchboard/channel-sdk';
import type { NewInboxEntry } from './inbox.repository';
import type { InboxWriter } from './inbox.writer';

/**
 * The `inapp` channel's "provider" is the sender's own store: delivering is writing the contact's
 * inbox. Its definition turns the SDK's breaker off (see inapp.sender.ts); a database error is
 * transient and retried like any provider error.
 */
export class InboxProvider implements ChannelProvider<NewInboxEntry> {
  readonly name = 'inbox';

  constructor(private readonly writer: InboxWriter) {}

  async send(entry: NewInboxEntry): Promise<SendResult> {
    const stored = await this.writer.write(entry);
    return { providerMessageId: String(stored.id), meta: { inboxMessageId: stored.id } };
  }
}
