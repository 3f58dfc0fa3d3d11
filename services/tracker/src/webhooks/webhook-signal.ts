import { Injectable } from '@nestjs/common';

/** In-process wake-up: ingest tells the dispatcher which endpoints got new deliveries, so it need not wait for its poll. */
@Injectable()
export class WebhookSignal {
  private listener?: (webhookIds: number[]) => void;

  listen(listener: (webhookIds: number[]) => void): void {
    this.listener = listener;
  }

  notify(webhookIds: number[]): void {
    if (webhookIds.length > 0) this.listener?.(webhookIds);
  }
}
