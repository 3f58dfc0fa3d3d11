import { errorBlock, h, loading, replace, statusBadge, table } from '../dom.js';
import { channelLabel, loadChannels } from './shared.js';

/** Channel status from the channel registry and the senders' heartbeats (`GET /api/channels`). @param {import('../app.js').ViewContext} ctx */
export async function channelsPage(ctx) {
  ctx.title('Channels');
  const results = h('div', { 'aria-live': 'polite' }, loading());
  const load = async () => {
    replace(results, loading());
    try {
      const channels = await loadChannels();
      if (!ctx.current()) return;
      replace(
        results,
        table({
          caption: 'Channels and their senders',
          columns: [
            { label: 'Channel', cell: (c) => [channelLabel(c.channel), h('div', { class: 'muted' }, c.channel)] },
            {
              label: 'Available',
              cell: (c) => [
                statusBadge(c.available ? 'available' : 'unavailable'),
                c.available || !c.unavailableReason ? null : h('div', { class: 'muted' }, c.unavailableReason),
              ],
            },
            {
              label: 'Sender',
              cell: (c) =>
                c.up ? statusBadge('up') : c.available ? h('span', { class: 'badge warn' }, 'down — sends wait') : '—',
            },
            { label: 'Provider', cell: (c) => c.provider ?? '—' },
            { label: 'Status', cell: (c) => (c.status ? statusBadge(c.status) : '—') },
            { label: 'Instances', cell: (c) => String(c.instances ?? 0), className: 'num' },
          ],
          rows: channels,
          empty: 'No sender has announced itself yet.',
        }),
        h(
          'p',
          { class: 'muted' },
          'A channel is available while a sender for it is deployed, even while that sender is down or restarting: ' +
            'its sends wait until it is back. Only a sender removed on purpose, or silent for longer than ' +
            'CHANNEL_GONE_AFTER (24 h by default), makes it unavailable.',
        ),
      );
    } catch (error) {
      if (ctx.current()) replace(results, errorBlock(error));
    }
  };
  replace(
    ctx.main,
    h(
      'div',
      { class: 'page-header' },
      h('h1', null, 'Channels'),
      h('button', { type: 'button', onclick: () => void load() }, 'Refresh'),
    ),
    results,
  );
  await load();
}
