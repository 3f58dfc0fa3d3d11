import { waitFor } from '@switchboard/testing';
import type { GatewayTestContext } from './gateway-test';

/**
 * Waits until one of the send's dispatches has recorded a bounce. A hard bounce re-routes the send;
 * when no other channel is left that re-route fails a moment later and the deliveries log moves on
 * to its outcome, so a test that polls the log for `bounced` races it. The dispatch keeps the event.
 */
export const waitForHardBounce = (ctx: GatewayTestContext, sendId: string) =>
  waitFor(
    async () => {
      const res = await ctx.api('GET', `/api/sends/${sendId}`);
      const dispatches = (res.body.send?.dispatches ?? []) as Array<{ events: Array<{ event: string }> }>;
      return dispatches.some((d) => d.events.some((e) => e.event === 'bounced'));
    },
    { timeoutMs: 20_000, message: `send ${sendId} never bounced` },
  );
