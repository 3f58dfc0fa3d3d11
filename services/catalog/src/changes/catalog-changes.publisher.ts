import { Inject, Injectable } from '@nestjs/common';
import { CatalogChangedSchema, NatsNames, type CatalogChanged } from '@switchboard/contracts';
import { EventPublisher } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/telemetry';

/**
 * Announces the catalog-changed event (`subjects.catalogChanged()`) after a change is committed, so caches elsewhere drop
 * their copy. A failed publish is logged, not thrown: the change is already committed, and the
 * caches also expire on their own.
 */
@Injectable()
export class CatalogChangesPublisher {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly names: NatsNames,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Announces now, or adds to `sink` when one is given. */
  async changed(changes: CatalogChanged[], sink?: CatalogChanged[]): Promise<void> {
    if (sink) {
      sink.push(...changes);
      return;
    }
    if (changes.length === 0) return;
    try {
      await this.publisher.publishAll(
        changes.map((change) => ({
          subject: this.names.subjects.catalogChanged(),
          payload: change,
          msgId: `catalog.${change.kind}.${change.id}.${change.version}`,
          schema: CatalogChangedSchema,
        })),
      );
    } catch (error) {
      this.logger.error({ err: error, changes }, 'could not announce catalog changes');
    }
  }
}
