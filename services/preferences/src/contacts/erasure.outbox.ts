import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ContactErasedSchema, NatsNames, type ContactErased } from '@switchboard/contracts';
import { EventPublisher } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import { ContactsRepository } from './contacts.repository';

const RELAY_INTERVAL_MS = 30_000;

/**
 * Publishes sb.contact.erased.v1 for erasures committed to `preferences.erasures`: at once after
 * the erasure, and again from a periodic relay for any whose publish failed (the id makes a repeat
 * harmless), so that an erasure is never left unannounced.
 */
@Injectable()
export class ErasureOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private relaying?: Promise<void>;

  constructor(
    private readonly contacts: ContactsRepository,
    private readonly publisher: EventPublisher,
    private readonly names: NatsNames,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.relay(), RELAY_INTERVAL_MS);
    this.timer.unref();
    void this.relay();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.relaying;
  }

  /** Publishes after the erasure committed; a failure is left to the relay. */
  async announce(contactId: string, erasedAt: Date): Promise<void> {
    try {
      await this.publish(contactId, erasedAt);
    } catch (error) {
      this.logger.warn({ err: error, contactId }, 'contact erased publish failed; the relay will retry');
    }
  }

  private async publish(contactId: string, erasedAt: Date): Promise<void> {
    const payload: ContactErased = { contactId, erasedAt: erasedAt.toISOString() };
    await this.publisher.publish({
      subject: this.names.subjects.contactErased(),
      payload,
      schema: ContactErasedSchema,
      msgId: `contact-erased:${contactId}:${payload.erasedAt}`,
    });
    await this.contacts.markErasurePublished(contactId, erasedAt);
  }

  private relay(): Promise<void> {
    this.relaying ??= (async () => {
      try {
        for (const { contactId, erasedAt } of await this.contacts.unpublishedErasures(500))
          await this.publish(contactId, erasedAt);
      } catch (error) {
        this.logger.warn({ err: error }, 'erasure relay failed; retrying later');
      } finally {
        this.relaying = undefined;
      }
    })();
    return this.relaying;
  }
}
