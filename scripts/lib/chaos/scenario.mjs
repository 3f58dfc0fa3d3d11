// The campaign the chaos suite runs, set up only through the REST API as a user would: an email and
// an SMS content, a message offering both, N contacts imported from CSV into a segment (half of
// them reachable by email only, half by SMS only, each preferring that channel), and a broadcast
// campaign to the segment, submitted by a marketer and approved by an approver.
import { basic } from './api.mjs';
import { sleep } from '../procs.mjs';

const MARKETER = { username: 'chaos-marketer', password: 'chaos-marketer-password-1', role: 'marketer' };
const APPROVER = { username: 'chaos-approver', password: 'chaos-approver-password-1', role: 'approver' };

/** The contacts: `e<i>` by email, `s<i>` by SMS (a valid US number, E.164), for i < n/2 each. */
export function chaosContacts(n) {
  const contacts = [];
  for (let i = 0; i < n; i += 1) {
    const k = String(i).padStart(6, '0');
    if (i % 2 === 0) contacts.push({ id: `e${k}`, channel: 'email', address: `e${k}@chaos.test` });
    else contacts.push({ id: `s${k}`, channel: 'sms', address: `+1212${String(2_000_000 + i).padStart(7, '0')}` });
  }
  return contacts;
}

export function contactsCsv(contacts) {
  const lines = ['id,email,mobile,firstname,preferred_channel'];
  for (const c of contacts)
    lines.push(c.channel === 'email' ? `${c.id},${c.address},,Chaos,email` : `${c.id},,${c.address},Chaos,sms`);
  return lines.join('\n') + '\n';
}

/** Waits until GET /api/channels shows every channel of `channels` available. */
export async function waitChannels(api, channels, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api.call('GET', '/api/channels');
    const available = new Set((res.body?.channels ?? []).filter((c) => c.available).map((c) => c.channel));
    if (channels.every((c) => available.has(c))) return;
    if (Date.now() > deadline) throw new Error(`channels not available after ${timeoutMs / 1000} s: ${res.text}`);
    await sleep(1_000);
  }
}

/** Everything before the campaign starts; resolves { messageId, segmentId, campaignId, contacts, importMs }. */
export async function prepareCampaign(api, n, say) {
  for (const user of [MARKETER, APPROVER]) await api.must(201, 'POST', '/api/users/new', user);
  const marketer = { auth: basic(MARKETER.username, MARKETER.password) };
  const approver = { auth: basic(APPROVER.username, APPROVER.password) };

  await waitChannels(api, ['email', 'sms']);
  const email = await api.must(
    201,
    'POST',
    '/api/emails/new',
    {
      name: 'Chaos email',
      subject: 'Chaos for {{ contact.firstname }}',
      customHtml: '<html><body><p>Hello {{ contact.firstname }}, this is the chaos suite.</p></body></html>',
      isPublished: true,
    },
    marketer,
  );
  const sms = await api.must(
    201,
    'POST',
    '/api/smses/new',
    { name: 'Chaos SMS', message: 'Hello {{ contact.firstname }}, this is the chaos suite.', isPublished: true },
    marketer,
  );
  const message = await api.must(
    201,
    'POST',
    '/api/messages/new',
    {
      name: 'Chaos',
      isPublished: true,
      channels: {
        email: { channelId: email.email.id, isEnabled: true },
        sms: { channelId: sms.sms.id, isEnabled: true },
      },
    },
    marketer,
  );
  const segment = await api.must(201, 'POST', '/api/segments/new', { name: 'Chaos audience' }, marketer);
  const segmentId = segment.list.id;

  const contacts = chaosContacts(n);
  const t0 = Date.now();
  const queued = await api.must(202, 'POST', `/api/segments/${segmentId}/import`, contactsCsv(contacts), {
    ...marketer,
    contentType: 'text/csv',
  });
  let done;
  for (;;) {
    const res = await api.call('GET', `/api/imports/${queued.import.id}`);
    done = res.body?.import;
    if (done && (done.status === 'completed' || done.status === 'failed')) break;
    await sleep(1_000);
  }
  if (done.status !== 'completed' || done.failed > 0 || done.processed !== n)
    throw new Error(`the import of ${n} contacts did not complete cleanly: ${JSON.stringify(done).slice(0, 800)}`);
  const importMs = Date.now() - t0;
  say(`imported ${n} contacts in ${(importMs / 1000).toFixed(1)} s`);

  const campaign = await api.must(
    201,
    'POST',
    '/api/campaigns/new',
    {
      name: 'Chaos campaign',
      messageId: message.message.id,
      audience: { include: [segmentId] },
      schedule: { type: 'now' },
    },
    marketer,
  );
  const campaignId = campaign.campaign.id;
  await api.must(200, 'POST', `/api/campaigns/${campaignId}/submit`, {}, marketer);
  return {
    messageId: message.message.id,
    segmentId,
    campaignId,
    contacts,
    importMs,
    /** Approving starts the shipment (schedule `now`). */
    approve: () => api.must(200, 'POST', `/api/campaigns/${campaignId}/approve`, {}, approver),
  };
}
