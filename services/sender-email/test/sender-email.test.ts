import { DataSource } from 'typeorm';
import { catalogItemSave, senderTestSend } from '@switchboard/contracts';
import {
  SenderHarness,
  senderTestEnv,
  TEST_PUBLIC_URL,
  TEST_TRACKING_SECRET,
  createTestEnv,
  startTestService,
  waitFor,
  type TestEnv,
} from '@switchboard/testing';
import { execute, Pruner } from '@switchboard/persistence';
import type { RunningService } from '@switchboard/service-kit';
import { verifyTrackingToken } from '@switchboard/tracking';
import { startSmtpFake, type SmtpFake, type SmtpMessage } from '../../dev-providers/src';
import { loadEmailConfig, SERVICE } from '../src/sender-email.config';
import { createSenderEmailModule } from '../src/sender-email.module';
import { CreateWebViewCopies1797100000000 } from '../src/migrations/1797100000000-CreateWebViewCopies';
import { WebViewRepository } from '../src/web-view/web-view.repository';

describe('sender-email against the loopback SMTP server, content from the catalog service (real NATS + PostgreSQL)', () => {
  let env: TestEnv;
  let smtp: SmtpFake;
  let h: SenderHarness;
  let svc: RunningService;
  let newsletter: number;
  let n = 0;
  const address = () => `reader${++n}@example.org`;
  const delivered = (to: string) => smtp.messages.filter((m) => m.envelope.rcptTo.includes(to));

  beforeAll(async () => {
    env = await createTestEnv();
    smtp = await startSmtpFake({ auth: { user: 'mailer', pass: 's3cret' } });
    h = await SenderHarness.start(env, { catalog: 'service' });
    newsletter = await h.addContent('email', {
      subject: 'Hello {{ contact.firstname }}',
      fromAddress: 'news@shop.example',
      fromName: 'Shop',
      customHtml:
        '<html><body><p>Hi {{ contact.firstname | default: "there" }} &amp; welcome</p>' +
        '<p><a href="https://shop.example/sale?a=1&amp;b=2">The sale</a></p></body></html>',
    });
    const config = loadEmailConfig(
      senderTestEnv(env, {
        SMTP_HOST: smtp.host,
        SMTP_PORT: String(smtp.port),
        SMTP_USER: 'mailer',
        SMTP_PASS: 's3cret',
        EMAIL_FROM: 'Switchboard <noreply@switchboard.test>',
      }),
    );
    svc = await startTestService({ service: SERVICE, module: createSenderEmailModule(config) });
  });

  afterAll(async () => {
    await svc?.close();
    await h?.close();
    await smtp?.close();
    await env?.cleanup();
  });

  beforeEach(() => smtp.control.reset());

  it('sends the content rendered for the contact: HTML and text parts, tracked links, open pixel, one-click unsubscribe', async () => {
    const to = address();
    const dispatch = await h.send('email', newsletter, { address: to, fields: { firstname: 'Ada <3' } });
    const event = await h.outcome(dispatch.dispatchId);
    const mail: SmtpMessage = await smtp.waitForMessage((m) => m.envelope.rcptTo.includes(to));

    expect(event).toMatchObject({ event: 'sent', channel: 'email', provider: 'smtp', meta: { attempts: 1 } });
    expect(event.providerMessageId).toBe(mail.headers['message-id']);
    expect(mail).toMatchObject({ from: 'news@shop.example', to: [to], subject: 'Hello Ada <3' });
    expect(mail.html).toContain('<p>Hi Ada &lt;3 &amp; welcome</p>'); // contact values are escaped in HTML

    const claims = (token: string) => verifyTrackingToken(TEST_TRACKING_SECRET, token);
    const click = new RegExp(`<a href="${TEST_PUBLIC_URL}/t/c/([^"]+)">The sale</a>`).exec(mail.html!);
    expect(claims(click![1])).toMatchObject({
      kind: 'click',
      url: 'https://shop.example/sale?a=1&b=2',
      dispatchId: dispatch.dispatchId,
    });
    const pixel = new RegExp(`<img src="${TEST_PUBLIC_URL}/t/o/([^"]+)\\.gif"`).exec(mail.html!);
    expect(claims(pixel![1])).toMatchObject({ kind: 'open', contactId: dispatch.contact.id });

    const unsubscribe = new RegExp(
      `^<mailto:unsubscribe@shop\\.example\\?subject=[^>]+>, <(${TEST_PUBLIC_URL}/u/([^>]+))>$`,
    ).exec(mail.headers['list-unsubscribe']);
    expect(claims(unsubscribe![2])).toMatchObject({ kind: 'unsubscribe', dispatchId: dispatch.dispatchId });
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(mail.html).toContain(`<a href="${unsubscribe![1]}">Unsubscribe</a>`); // the footer: the content had no unsubscribe link

    expect(mail.text).toContain('Hi Ada <3 & welcome');
    expect(mail.text).toContain('The sale (https://shop.example/sale?a=1&b=2)');
    expect(mail.text).toContain(`Unsubscribe (${unsubscribe![1]})`);
  });

  it('adds no footer when the content links {{ unsubscribe_url }} itself, and uses its own text part', async () => {
    const own = await h.addContent('email', {
      subject: 'Plain',
      customHtml: '<p>Bye? <a href="{{ unsubscribe_url }}">Leave</a></p>',
      plainText: 'Hi {{ contact.firstname }}. Leave: {{ unsubscribe_url }}',
    });
    const to = address();
    await h.send('email', own, { address: to, fields: { firstname: 'Grace' } });
    const mail = await smtp.waitForMessage((m) => m.envelope.rcptTo.includes(to));
    expect(mail.from).toBe('noreply@switchboard.test');
    expect(mail.html!.match(/\/u\//g)).toHaveLength(1);
    expect(mail.html).not.toContain('>Unsubscribe</a>');
    expect(mail.text).toMatch(new RegExp(`^Hi Grace\\. Leave: ${TEST_PUBLIC_URL}/u/\\S+$`));
  });

  it('encodes non-ASCII names, subjects and bodies so that they arrive intact', async () => {
    const intl = await h.addContent('email', {
      subject: 'Soldes d’été — {{ contact.firstname }}, 20 % sur tout ✓ (a subject long enough to be folded)',
      fromAddress: 'news@boutique.example',
      fromName: 'Boutique Élise, Paris',
      plainText: 'Bonjour {{ contact.firstname }} ☀\n.\n.a line that starts with a dot\n{{ unsubscribe_url }}',
    });
    const to = address();
    await h.send('email', intl, { address: to, fields: { firstname: 'Zoë' } });
    const mail = await smtp.waitForMessage((m) => m.envelope.rcptTo.includes(to));
    expect(mail.subject).toBe('Soldes d’été — Zoë, 20 % sur tout ✓ (a subject long enough to be folded)');
    expect(mail.headers.from).toContain('news@boutique.example');
    expect(mail.envelope.mailFrom).toBe('news@boutique.example');
    expect(mail.text).toMatch(
      /^Bonjour Zoë ☀\n\.\n\.a line that starts with a dot\nhttps:\/\/switchboard\.test\/u\/\S+$/,
    );
    expect(mail.html).toContain('<p>Bonjour Zoë ☀<br>.<br>.a line that starts with a dot<br>');
  });

  it('renders the new version of an email once it is edited in catalog', async () => {
    const id = await h.addContent('email', { subject: 'First version', plainText: 'Hello {{ unsubscribe_url }}' });
    const first = address();
    await h.send('email', id, { address: first });
    expect((await smtp.waitForMessage((m) => m.envelope.rcptTo.includes(first))).subject).toBe('First version');
    await h.updateContent('email', id, { subject: 'Second version' });
    // Catalog's change event reaches the sender's cache on core NATS, independently of the dispatch stream.
    const subject = await waitFor(async () => {
      const to = address();
      await h.send('email', id, { address: to });
      const mail = await smtp.waitForMessage((m) => m.envelope.rcptTo.includes(to));
      return mail.subject === 'Second version' && mail.subject;
    });
    expect(subject).toBe('Second version');
  });

  it('lays the body out in the email template, and a later edit of the template reaches the next send', async () => {
    const template = async (mode: 'create' | 'patch', html: string, id?: number) =>
      Number(
        (
          await h.rpc.call(catalogItemSave, {
            kind: 'template',
            mode,
            id,
            input: { name: 'Branded', html },
            actor: { id: null, name: 'test' },
          })
        ).item.id,
      );
    const layout = await template(
      'create',
      '<html><body><h1>Shop for {{ contact.firstname }}</h1>{{ content }}<footer>v1</footer></body></html>',
    );
    const id = await h.addContent('email', {
      subject: 'Laid out',
      customHtml: '<p>{{ contact.firstname }}, 20% off</p>',
      templateId: layout,
    });
    const to = address();
    await h.send('email', id, { address: to, fields: { firstname: 'Ada <3' } });
    const mail = await smtp.waitForMessage((m) => m.envelope.rcptTo.includes(to));
    // The layout's Liquid is rendered (and escaped) once; the body goes in as rendered, not escaped again.
    expect(mail.html).toMatch(
      /^<html><body><h1>Shop for Ada &lt;3<\/h1><p>Ada &lt;3, 20% off<\/p><footer>v1<\/footer>/,
    );
    expect(mail.html).toContain('/u/'); // the unsubscribe footer still goes before </body>
    expect(mail.text).toContain('Ada <3, 20% off');

    await template('patch', '<html><body>{{ content }}<footer>v2</footer></body></html>', layout);
    const footer = await waitFor(async () => {
      const next = address();
      await h.send('email', id, { address: next });
      const html = (await smtp.waitForMessage((m) => m.envelope.rcptTo.includes(next))).html!;
      return html.includes('<footer>v2</footer>') && html;
    });
    expect(footer).not.toContain('Shop for');
  });

  it('sends a test of an unpublished email at once, with untracked links, recording and announcing nothing', async () => {
    const draft = await h.addContent('email', {
      subject: 'Draft for {{ contact.firstname }}',
      customHtml: '<p><a href="https://shop.example/sale">Sale</a></p>',
      isPublished: false,
    });
    const to = address();
    const test = senderTestSend('email');
    const contact = { id: 'tester-1', address: to, locale: null, timezone: null, fields: { firstname: 'Quinn' } };
    const result = await h.rpc.call(test, { contentId: draft, contact });
    const mail = await smtp.waitForMessage((m) => m.envelope.rcptTo.includes(to));
    expect(result).toEqual({ provider: 'smtp', providerMessageId: mail.headers['message-id'] });
    expect(mail.subject).toBe('Draft for Quinn');
    expect(mail.html).toContain('<a href="https://shop.example/sale">Sale</a>'); // not rewritten to a tracked link
    expect(mail.html).toContain(`${TEST_PUBLIC_URL}/u/sample`);
    expect(mail.html).not.toContain('/t/c/');
    const rows = await svc.app
      .get(DataSource)
      .query("SELECT 1 FROM sender_email.dispatch_attempts WHERE contact_id = 'tester-1'");
    expect(rows).toEqual([]);

    await expect(
      h.rpc.call(test, { contentId: draft, contact: { ...contact, address: 'nobody' } }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      details: { address: [expect.stringContaining('is not an email address')] },
    });
    await expect(h.rpc.call(test, { contentId: 987654, contact })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('retries a 4xx answer with backoff, then delivers once', async () => {
    smtp.failNext(2, 'transient');
    const to = address();
    const dispatch = await h.send('email', newsletter, { address: to });
    expect(await h.outcome(dispatch.dispatchId)).toMatchObject({ event: 'sent', meta: { attempts: 3 } });
    expect(delivered(to)).toHaveLength(1);
  });

  it('fails a 5xx answer permanently', async () => {
    smtp.failNext(1, 'permanent');
    const to = address();
    const dispatch = await h.send('email', newsletter, { address: to });
    expect(await h.outcome(dispatch.dispatchId)).toMatchObject({
      event: 'failed',
      error: { code: 'smtp_550', permanent: true, message: expect.stringContaining('user unknown') },
    });
    expect(delivered(to)).toHaveLength(0);
  });

  it('opens the breaker while the SMTP server is down, says so on the heartbeat, and drains every email once it is back', async () => {
    smtp.setDown(true);
    const recipients = Array.from({ length: 6 }, address);
    const dispatches = await Promise.all(recipients.map((to) => h.send('email', newsletter, { address: to })));
    await h.heartbeat('email', 'down');
    smtp.setDown(false);
    const events = await Promise.all(dispatches.map((d) => h.outcome(d.dispatchId, 20_000)));
    expect(events.map((e) => e.event)).toEqual(Array(6).fill('sent'));
    for (const to of recipients) expect(delivered(to)).toHaveLength(1);
    await h.heartbeat('email', 'up');
  });

  it('sends nothing for a redelivered dispatch that was already sent', async () => {
    const to = address();
    const dispatch = await h.send('email', newsletter, { address: to });
    const sent = await h.outcome(dispatch.dispatchId);
    await h.publish(dispatch, `${dispatch.dispatchId}:redelivered`);
    const [, again] = await h.waitForEvents(dispatch.dispatchId, 2);
    expect(again).toEqual(sent);
    await h.idle();
    expect(delivered(to)).toHaveLength(1);
    const [row] = await svc.app
      .get(DataSource)
      .query('SELECT status, attempts FROM sender_email.dispatch_attempts WHERE dispatch_id = $1', [
        dispatch.dispatchId,
      ]);
    expect(row).toEqual({ status: 'sent', attempts: 1 });
  });

  it('fails an address that is not an email permanently, without calling the server', async () => {
    const dispatch = await h.send('email', newsletter, { address: 'not-an-address' });
    expect(await h.outcome(dispatch.dispatchId)).toMatchObject({
      event: 'failed',
      error: { code: 'invalid_address', permanent: true },
    });
  });
  it('keeps the web view copy of an email that uses {{ webview_url }}, and of no test; retention, erasure and the migration down remove it', async () => {
    const ds = svc.app.get(DataSource);
    const copyOf = async (dispatchId: string) =>
      (
        await ds.query<{ html: string; subject: string }[]>(
          'SELECT html, subject FROM sender_email.web_view_copies WHERE dispatch_id = $1',
          [dispatchId],
        )
      )[0];
    const viewable = await h.addContent('email', {
      subject: 'News for {{ contact.firstname }}',
      customHtml:
        '<html><body><p>Hi {{ contact.firstname }}</p><p><a href="{{ webview_url }}">View</a></p></body></html>',
    });
    const to = address();
    const dispatch = await h.send('email', viewable, { address: to, fields: { firstname: 'Vera' } });
    expect(await h.outcome(dispatch.dispatchId)).toMatchObject({ event: 'sent' });
    const mail = await smtp.waitForMessage((m) => m.envelope.rcptTo.includes(to));
    const link = new RegExp(`<a href="(${TEST_PUBLIC_URL}/email/view/[^"]+)">View</a>`).exec(mail.html!)![1];
    expect(verifyTrackingToken(TEST_TRACKING_SECRET, link.split('/email/view/')[1])).toMatchObject({
      kind: 'webview',
      dispatchId: dispatch.dispatchId,
    });
    const copy = await copyOf(dispatch.dispatchId);
    expect(copy.subject).toBe('News for Vera');
    expect(copy.html).toContain('<p>Hi Vera</p>');
    expect(copy.html).toContain(link);
    expect(copy.html).not.toContain('/t/o/');
    expect(mail.html).toContain('/t/o/');

    // A test send links the sample page and keeps nothing.
    const contact = { id: 'wv-tester', address: address(), locale: null, timezone: null, fields: {} };
    await h.rpc.call(senderTestSend('email'), { contentId: viewable, contact });
    const [{ n }] = await ds.query<{ n: number }[]>(
      "SELECT count(*)::int AS n FROM sender_email.web_view_copies WHERE contact_id = 'wv-tester'",
    );
    expect(n).toBe(0);

    // Past the retention, the one Pruner deletes it.
    await ds.query(
      `UPDATE sender_email.web_view_copies SET created_at = now() - interval '31 days' WHERE dispatch_id = $1`,
      [dispatch.dispatchId],
    );
    const pruned = await svc.app.get(Pruner).prune();
    expect(pruned['sender_email.web_view_copies']).toBeGreaterThanOrEqual(1);
    expect(await copyOf(dispatch.dispatchId)).toBeUndefined();

    // Erasure, then the migration's down and up again.
    const again = await h.send('email', viewable, { address: to, fields: { firstname: 'Vera' } });
    await h.outcome(again.dispatchId);
    const contactId = (
      await ds.query<{ contact_id: string }[]>(
        'SELECT contact_id FROM sender_email.web_view_copies WHERE dispatch_id = $1',
        [again.dispatchId],
      )
    )[0].contact_id;
    await svc.app.get(WebViewRepository).eraseContact(contactId);
    expect(await copyOf(again.dispatchId)).toBeUndefined();
    const runner = ds.createQueryRunner();
    try {
      await new CreateWebViewCopies1797100000000().down(runner);
      expect(await runner.hasTable('sender_email.web_view_copies')).toBe(false);
      await new CreateWebViewCopies1797100000000().up(runner);
      expect(await runner.hasTable('sender_email.web_view_copies')).toBe(true);
    } finally {
      await runner.release();
    }
  });

  describe('keeps the web view copies of a wave of emails', () => {
    let ds: DataSource;
    let viewable: number;
    let copyWrites: jest.SpyInstance;
    const writes = () =>
      copyWrites.mock.calls.filter(([sql]) => /INSERT INTO sender_email\.web_view_copies/.test(String(sql))).length;

    beforeAll(async () => {
      ds = svc.app.get(DataSource);
      viewable = await h.addContent('email', {
        subject: 'Wave for {{ contact.firstname }}',
        customHtml: '<p>Hi {{ contact.firstname }}</p><p><a href="{{ webview_url }}">View</a></p>',
      });
    });
    beforeEach(() => {
      copyWrites = jest.spyOn(ds, 'query'); // counts the statements, runs each as it is
    });
    afterEach(() => copyWrites.mockRestore());

    it('in one statement, each with its own contact, the emails without the link keeping nothing', async () => {
      const plain = h.dispatch('email', newsletter, { address: address() });
      const names = ['Ann', 'Bea', 'Cy', 'Di'];
      const wave = names.map((firstname) =>
        h.dispatch('email', viewable, { address: address(), fields: { firstname } }),
      );
      await h.publishBatch('email', [...wave, plain], `wave-${wave[0].dispatchId}`);
      for (const d of [...wave, plain]) expect(await h.outcome(d.dispatchId)).toMatchObject({ event: 'sent' });

      expect(writes()).toBe(1);
      const rows = await ds.query<{ dispatch_id: string; contact_id: string; subject: string; html: string }[]>(
        'SELECT dispatch_id, contact_id, subject, html FROM sender_email.web_view_copies WHERE dispatch_id = ANY($1)',
        [[...wave, plain].map((d) => d.dispatchId)],
      );
      expect(rows.map((r) => [r.dispatch_id, r.contact_id, r.subject]).sort()).toEqual(
        wave.map((d, i) => [d.dispatchId, d.contact.id, `Wave for ${names[i]}`]).sort(),
      );
      for (const [i, d] of wave.entries())
        expect(rows.find((r) => r.dispatch_id === d.dispatchId)!.html).toContain(`<p>Hi ${names[i]}</p>`);
    });

    it('and sends none of it while they cannot be stored: the dispatches come back, none fails', async () => {
      const to = address();
      await execute(ds, 'ALTER TABLE sender_email.web_view_copies RENAME TO web_view_copies_away');
      let moved = true;
      try {
        const dispatch = await h.send('email', viewable, { address: to, fields: { firstname: 'Eve' } });
        await waitFor(() => writes() > 0, { message: 'the copy was never written' });
        expect(h.eventsOf(dispatch.dispatchId)).toEqual([]);
        expect(delivered(to)).toEqual([]);
        await execute(ds, 'ALTER TABLE sender_email.web_view_copies_away RENAME TO web_view_copies');
        moved = false;
        expect(await h.outcome(dispatch.dispatchId)).toMatchObject({ event: 'sent' });
        expect(h.eventsOf(dispatch.dispatchId, 'failed')).toEqual([]);
        expect(writes()).toBeGreaterThanOrEqual(2);
      } finally {
        if (moved) await execute(ds, 'ALTER TABLE sender_email.web_view_copies_away RENAME TO web_view_copies');
      }
    });
  });
});
