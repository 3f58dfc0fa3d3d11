// What the chaos suite checks once the campaign has drained, from the outside: the REST API
// (shipments, the deliveries log, every send's decision record), the fakes' tally of what they
// accepted per recipient, the DLQ stream, and the senders' attempts tables (crash_resends) that
// the API's resentAfterCrash must agree with.
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from '../../services.mjs';
import { sleep } from '../procs.mjs';

const require = createRequire(path.join(ROOT, 'package.json'));
const PROVIDER_OF = { email: 'smtp', sms: 'twilio' };
const SENDER_OF = { email: 'sender-email', sms: 'sender-sms' };
const FINAL = new Set(['sent', 'delivered']);

export async function tally(devUrl, recipients = false) {
  const res = await fetch(`${devUrl}/dev/outbox/tally.json${recipients ? '?recipients=true' : ''}`, {
    signal: AbortSignal.timeout(30_000),
  });
  return res.json();
}

/** Recipients the fakes accepted a message for, on the campaign's channels (repeats not counted). */
export async function reachedCount(devUrl) {
  const t = await tally(devUrl).catch(() => ({ distinct: {} }));
  return (t.distinct.smtp ?? 0) + (t.distinct.twilio ?? 0);
}

/** Every row of the deliveries log for the campaign, page by page (500 a page). */
export async function deliveriesOf(api, campaignId) {
  const rows = [];
  let after = null;
  do {
    const q = new URLSearchParams({ campaignId: String(campaignId), limit: '500' });
    if (after) q.set('after', after);
    const res = await api.call('GET', `/api/deliveries?${q}`);
    if (res.status !== 200) throw new Error(`GET /api/deliveries answered ${res.status}: ${res.text.slice(0, 300)}`);
    rows.push(...res.body.deliveries);
    after = res.body.next;
  } while (after);
  return rows;
}

/**
 * Waits until every contact's message reached its fake provider and the deliveries log shows every
 * send as sent; resolves { reachedAt, recordedAt } (ms since the epoch; null for what had not
 * happened by the deadline).
 */
export async function waitDrained({ api, devUrl, contacts, campaignId, deadline, say }) {
  let reachedAt = null;
  let lastReport = 0;
  for (;;) {
    const now = Date.now();
    if (now > deadline) return { reachedAt, recordedAt: null };
    if (reachedAt === null) {
      const reached = await reachedCount(devUrl);
      if (now - lastReport > 15_000) {
        lastReport = now;
        say(`  draining: ${reached} of ${contacts.length} contacts reached at the fake providers`);
      }
      if (reached >= contacts.length) {
        const t = await tally(devUrl, true);
        const missing = contacts.filter((c) => !t.recipients?.[PROVIDER_OF[c.channel]]?.[c.address]).length;
        if (missing === 0) reachedAt = Date.now();
      }
    } else {
      const rows = await deliveriesOf(api, campaignId).catch(() => []);
      const done = rows.filter((r) => FINAL.has(r.status)).length;
      if (now - lastReport > 15_000) {
        lastReport = now;
        say(`  recording: ${done} of ${contacts.length} sends shown as sent by the deliveries log`);
      }
      if (rows.length >= contacts.length && done === rows.length) return { reachedAt, recordedAt: Date.now() };
    }
    await sleep(2_000);
  }
}

async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

async function dlqMessages({ natsUrl, natsAdmin }) {
  const { connect } = require('@nats-io/transport-node');
  const { jetstreamManager } = require('@nats-io/jetstream');
  const nc = await connect({ servers: natsUrl, ...natsAdmin });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('SB_DLQ');
    return info.state.messages;
  } finally {
    await nc.close();
  }
}

async function crashResendsInDb(databaseUrl) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const out = {};
    for (const [channel, schema] of [
      ['email', 'sender_email'],
      ['sms', 'sender_sms'],
    ]) {
      const { rows } = await client.query(
        `SELECT count(*) FILTER (WHERE crash_resends > 0)::int AS flagged, coalesce(sum(crash_resends), 0)::int AS resends,
                count(*)::int AS dispatches
           FROM ${schema}.dispatch_attempts`,
      );
      // Dispatches whose provider was called more than once without a crash: a call that failed
      // transiently (a timeout, a cut connection) may have been taken by the provider all the same.
      const retried = await client.query(
        `SELECT contact_id FROM ${schema}.dispatch_attempts WHERE attempts > 1 AND crash_resends = 0`,
      );
      out[channel] = { ...rows[0], retried: new Set(retried.rows.map((r) => r.contact_id)) };
    }
    return out;
  } finally {
    await client.end();
  }
}

/**
 * Every check of issue 14 point 3. input: { api, cluster, contacts, campaignId, faults, inFlightPerCrash,
 * smtpPoolSize }
 * where `faults` is the plan's log ({ kind, target, at, outstanding }). Resolves { checks, figures }.
 */
export async function verify({ api, cluster, contacts, campaignId, faults, inFlightPerCrash, smtpPoolSize, say }) {
  const checks = [];
  const figures = [];
  const check = (name, ok, detail = '') => checks.push({ name, ok: Boolean(ok), detail });
  const byId = new Map(contacts.map((c) => [c.id, c]));

  // The shipment: one, completed, with every contact of the segment as a target.
  const shipments = (await api.call('GET', `/api/campaigns/${campaignId}/shipments`)).body?.shipments ?? [];
  check(
    'the campaign ran as one completed shipment to every contact',
    shipments.length === 1 && shipments[0].status === 'Completed' && shipments[0].targets === contacts.length,
    JSON.stringify(shipments.map((s) => ({ status: s.status, targets: s.targets, sent: s.sent, failed: s.failed }))),
  );

  // The deliveries log: one row per contact, each sent on the contact's channel.
  const rows = await deliveriesOf(api, campaignId);
  const rowContacts = new Set(rows.map((r) => r.contact.id));
  const wrongChannel = rows.filter((r) => byId.get(r.contact.id)?.channel !== r.channel);
  const notSent = rows.filter((r) => !FINAL.has(r.status));
  check(
    'the deliveries log has one send per contact, none failed, each on its contact’s channel',
    rows.length === contacts.length &&
      rowContacts.size === contacts.length &&
      notSent.length === 0 &&
      wrongChannel.length === 0,
    `rows ${rows.length}, contacts ${rowContacts.size}, not sent ${notSent.length} (${[...new Set(notSent.map((r) => `${r.status}/${r.failureReason ?? r.error?.code ?? ''}`))].join(', ')}), wrong channel ${wrongChannel.length}`,
  );

  // Every send's decision record: exactly one final routing outcome, routed, one dispatch, no failure.
  const t0 = Date.now();
  const records = await mapLimit(rows, 8, async (r) => (await api.call('GET', `/api/sends/${r.sendId}`)).body?.send);
  figures.push(['decision records read', `${records.length} in ${((Date.now() - t0) / 1000).toFixed(1)} s`]);
  const bad = [];
  const failedEvents = [];
  let resentSends = 0;
  let resentSum = 0;
  const resentByContact = new Map();
  records.forEach((rec, i) => {
    if (!rec) return bad.push(`${rows[i].sendId}: no record`);
    const final = rec.decisions.filter((d) => d.outcome !== 'deferred');
    if (final.length !== 1 || final[0].outcome !== 'routed' || rec.dispatches.length !== 1)
      bad.push(`${rec.sendId}: ${rec.decisions.map((d) => d.outcome).join('+')}, ${rec.dispatches.length} dispatches`);
    if (rec.dispatches.some((d) => d.events.some((e) => e.event === 'failed' || e.event === 'bounced')))
      failedEvents.push(rec.sendId);
    if (rec.resentAfterCrash > 0) {
      resentSends += 1;
      resentSum += rec.resentAfterCrash;
    }
    resentByContact.set(rec.contactId, rec.resentAfterCrash ?? 0);
  });
  check(
    'every send has exactly one final routing outcome (routed) and one dispatch',
    bad.length === 0,
    bad.slice(0, 5).join('; '),
  );
  check('no send failed or bounced at its provider', failedEvents.length === 0, failedEvents.slice(0, 5).join(', '));

  // The providers: every contact reached, repeats counted and each named by resentAfterCrash.
  const t = await tally(cluster.devUrl, true);
  const missing = contacts.filter((c) => !t.recipients?.[PROVIDER_OF[c.channel]]?.[c.address]);
  check(
    'every routed send reached its fake provider',
    missing.length === 0,
    missing
      .slice(0, 5)
      .map((c) => c.id)
      .join(', '),
  );
  const db = await crashResendsInDb(cluster.databaseUrl);
  const duplicates = { email: 0, sms: 0 };
  const afterLostAnswer = { email: 0, sms: 0 };
  const unexplained = [];
  for (const c of contacts) {
    const n = t.recipients?.[PROVIDER_OF[c.channel]]?.[c.address] ?? 0;
    if (n <= 1) continue;
    duplicates[c.channel] += n - 1;
    if (resentByContact.get(c.id) > 0) continue;
    if (db[c.channel].retried.has(c.id)) afterLostAnswer[c.channel] += n - 1;
    else unexplained.push(c.id);
  }
  const crashes = Object.fromEntries(
    Object.entries(SENDER_OF).map(([ch, svc]) => [
      ch,
      faults.filter((f) => f.kind === 'kill' && f.target === svc).length,
    ]),
  );
  const outages = { email: faults.filter((f) => f.kind === 'down').length, sms: 0 };
  for (const ch of ['email', 'sms']) {
    const bound = crashes[ch] * inFlightPerCrash;
    const crashDuplicates = duplicates[ch] - afterLostAnswer[ch];
    figures.push([
      `duplicates, ${ch}`,
      `${duplicates[ch]}: ${crashDuplicates} after a crash (bound: ${crashes[ch]} crash(es) of ${SENDER_OF[ch]} × ${inFlightPerCrash} calls in flight = ${bound}), ${afterLostAnswer[ch]} after a call whose answer was lost`,
    ]);
    check(
      `${ch} duplicates after a crash within the bound of the calls in flight at each crash`,
      crashDuplicates <= bound,
      `${crashDuplicates} > ${bound}`,
    );
    // A provider that goes down may take a message and lose its answer, one per open connection.
    const lostBound = outages[ch] * smtpPoolSize;
    check(
      `${ch} duplicates after a lost answer only where the provider went down (at most ${lostBound})`,
      afterLostAnswer[ch] <= lostBound,
      `${afterLostAnswer[ch]} > ${lostBound}`,
    );
  }
  check(
    'every duplicate is explained: named by resentAfterCrash, or its earlier call failed transiently',
    unexplained.length === 0,
    `${unexplained.length} unexplained: ${unexplained.slice(0, 5).join(', ')}`,
  );
  figures.push([
    'crash re-sends (attempts tables)',
    `email ${db.email.flagged} dispatches / ${db.email.resends} re-sends, sms ${db.sms.flagged} / ${db.sms.resends}`,
  ]);
  figures.push(['crash re-sends (GET /api/sends resentAfterCrash)', `${resentSends} sends / ${resentSum} re-sends`]);
  check(
    'resentAfterCrash in the API agrees with crash_resends in the attempts tables',
    resentSends === db.email.flagged + db.sms.flagged && resentSum === db.email.resends + db.sms.resends,
    `API ${resentSends}/${resentSum}, tables ${db.email.flagged + db.sms.flagged}/${db.email.resends + db.sms.resends}`,
  );
  const addressed = new Set(contacts.map((c) => `${PROVIDER_OF[c.channel]} ${c.address}`));
  const extra = Object.entries(t.recipients ?? {}).flatMap(([p, m]) =>
    Object.keys(m).filter((to) => !addressed.has(`${p} ${to}`)),
  );
  check(
    'nothing reached a provider that the campaign did not address',
    extra.length === 0,
    extra.slice(0, 5).join(', '),
  );

  const dead = await dlqMessages(cluster);
  figures.push(['dead letters', String(dead)]);
  check('nothing was dead-lettered', dead === 0, `${dead} in SB_DLQ`);

  const idle = faults.filter((f) => f.outstanding === 0);
  check(
    'every fault hit while sends were still on their way',
    idle.length === 0,
    idle.map((f) => `${f.kind} ${f.target ?? ''}`).join(', '),
  );
  say(`verified ${rows.length} sends`);
  return { checks, figures };
}
