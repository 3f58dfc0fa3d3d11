import { counter } from '@switchboard/telemetry';
import type { DeliveryEvent } from '@switchboard/contracts';

const events = counter({
  name: 'switchboard_delivery_events_total',
  help: 'Delivery events a sender published for the first time, by channel, event (sent, failed), provider and failure reason (the error code).',
  labelNames: ['channel', 'event', 'provider', 'reason'],
});

/** Counts the events of attempts finished now (a redelivery's republished event is not counted again). */
export function countDeliveryEvents(provider: string, finished: { event?: DeliveryEvent }[]): void {
  for (const { event } of finished) {
    if (!event) continue;
    events.inc({ channel: event.channel, event: event.event, provider, reason: event.error?.code.slice(0, 48) ?? '' });
  }
}
