import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { InboxChangedSchema, NatsNames, type InboxChanged } from '@switchboard/contracts';
import { NATS_CONNECTION } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/telemetry';

/**
 * Live nudges for the gateways' server-sent event streams (sb.inbox.changed.v1, core NATS). Fire and
 * forget by design: the stored inbox is the truth, and a client that missed a nudge sees the state
 * on its next page or count.
 */
@Injectable()
export class InboxNotifier {
  private readonly subject: string;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    names: NatsNames,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.subject = names.subjects.inboxChanged();
  }

  changed(change: InboxChanged): void {
    try {
      this.nc.publish(this.subject, JSON.stringify(InboxChangedSchema.parse(change)));
    } catch (err) {
      this.logger.warn({ err, contactId: change.contactId }, 'inbox change not announced');
    }
  }
}
