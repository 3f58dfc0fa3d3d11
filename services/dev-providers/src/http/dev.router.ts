import { parseControlCommand, type ProviderControls } from '../control';
import type { Outbox, OutboxEntry } from '../outbox';
import { parseJson, reply, type FakeRoute } from './http-kit';

/** `/health`, the outbox (`/dev/outbox`, `.json`, `/dev/outbox/tally.json`, DELETE) and the failure control API (`/dev/control`). */
export function createDevRoute(outbox: Outbox, controls: ProviderControls): FakeRoute {
  return (req) => {
    const { method, path } = req;
    if (path === '/health' && (method === 'GET' || method === 'HEAD')) return reply(200, { status: 'ok' });
    if (path === '/dev/outbox.json' && method === 'GET') {
      const entries = outbox.list();
      return reply(200, { total: entries.length, entries });
    }
    if (path === '/dev/outbox' && method === 'GET') return reply(200, renderOutbox(outbox.list()));
    if (path === '/dev/outbox/tally.json' && method === 'GET')
      return reply(200, outbox.tally(req.query.get('recipients') === 'true'));
    if ((path === '/dev/outbox' || path === '/dev/outbox.json') && method === 'DELETE') {
      outbox.clear();
      return reply(204);
    }
    if (path === '/dev/control' && method === 'GET') return reply(200, controls.states());
    if (path === '/dev/control' && method === 'POST') {
      try {
        const command = parseControlCommand(parseJson(req.body));
        return reply(200, { provider: command.provider, ...controls.apply(command) });
      } catch (err) {
        return reply(400, { error: (err as Error).message });
      }
    }
    if (path === '/dev/control/reset' && method === 'POST') {
      controls.reset();
      return reply(200, controls.states());
    }
    return undefined;
  };
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function renderEntry(entry: OutboxEntry): string {
  const html = typeof entry.details.html === 'string' ? entry.details.html : undefined;
  const preview = html
    ? `<details><summary>HTML</summary><iframe sandbox srcdoc="${escapeHtml(html)}"></iframe></details>`
    : '';
  return `<tr>
  <td>${entry.id}</td><td>${escapeHtml(entry.receivedAt)}</td><td><b>${entry.provider}</b></td>
  <td>${escapeHtml(entry.from ?? '')}</td><td>${escapeHtml(entry.to)}</td>
  <td>${escapeHtml(entry.subject ?? '')}</td><td><pre>${escapeHtml(entry.body)}</pre>${preview}</td>
</tr>`;
}

function renderOutbox(entries: OutboxEntry[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dev outbox (${entries.length})</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border-bottom: 1px solid #ddd; padding: .4rem; text-align: left; vertical-align: top; font-size: .9rem; }
  pre { white-space: pre-wrap; margin: 0; max-height: 12rem; overflow: auto; }
  iframe { width: 100%; height: 24rem; border: 1px solid #ccc; }
</style></head>
<body>
<h1>Dev outbox</h1>
<p>${entries.length} item(s), newest first. <a href="/dev/outbox.json">JSON</a> · clear with <code>DELETE /dev/outbox</code></p>
<table><thead><tr><th>#</th><th>received</th><th>provider</th><th>from</th><th>to</th><th>subject / title</th><th>content</th></tr></thead>
<tbody>
${entries.map(renderEntry).join('\n')}
</tbody></table>
</body></html>`;
}
