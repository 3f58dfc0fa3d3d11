import {
  catalogContentGet,
  catalogItemDelete,
  catalogItemList,
  catalogItemSave,
  catalogMessagesRoutable,
  type Actor,
} from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import type { RunningService } from '@switchboard/service-kit';
import { childEnv, createTestEnv, startTestService, type TestEnv } from '@switchboard/testing';
import { loadCatalogConfig } from '../src/catalog.config';
import { createCatalogModule } from '../src/catalog.module';

const actor: Actor = { id: 1, name: 'tester' };

describe('catalog RPCs for the router and the senders', () => {
  let env: TestEnv;
  let svc: RunningService;
  let rpc: RpcClient;

  const save = async (
    kind: 'message' | 'email' | 'sms' | 'notification' | 'tweet' | 'template',
    input: Record<string, unknown>,
  ) => (await rpc.call(catalogItemSave, { kind, mode: 'create', input, actor })).item as Record<string, any>;

  beforeAll(async () => {
    env = await createTestEnv();
    const config = loadCatalogConfig(childEnv(env, { LOG_LEVEL: 'silent' }));
    svc = await startTestService({ service: 'catalog', module: createCatalogModule(config) });
    rpc = svc.app.get(RpcClient);
  });
  afterAll(async () => {
    await svc?.close();
    await env?.cleanup();
  });

  it('messages.routable: channels in the message’s order, with content availability, for the ids that exist', async () => {
    const live = await save('email', { name: 'Live', subject: 's' });
    const hidden = await save('sms', { name: 'Hidden', message: 'm', isPublished: false });
    const later = await save('tweet', { name: 'Later', text: 't', publishUp: '2099-01-01 00:00' });
    const message = await save('message', {
      name: 'Routable',
      publishUp: '2020-01-01 00:00',
      channels: {
        sms: { channelId: hidden.id, isEnabled: true },
        email: { channelId: live.id, isEnabled: true },
        tweet: { channelId: later.id, isEnabled: true },
        notification: { channelId: 424242, isEnabled: true },
        mobile_notification: { isEnabled: false },
      },
    });
    const { messages } = await rpc.call(catalogMessagesRoutable, { ids: [message.id, 999999] });
    expect(messages).toEqual([
      {
        id: message.id,
        isPublished: true,
        publishUp: '2020-01-01T00:00:00.000Z',
        publishDown: null,
        version: 1,
        channels: [
          { channel: 'sms', channelId: hidden.id, isEnabled: true, contentAvailable: false },
          { channel: 'email', channelId: live.id, isEnabled: true, contentAvailable: true },
          { channel: 'tweet', channelId: later.id, isEnabled: true, contentAvailable: false },
          { channel: 'notification', channelId: 424242, isEnabled: true, contentAvailable: false },
          { channel: 'mobile_notification', channelId: null, isEnabled: false, contentAvailable: false },
        ],
      },
    ]);

    // Publishing the sms bumps the message's version, so routers drop their copy.
    await rpc.call(catalogItemSave, { kind: 'sms', mode: 'patch', id: hidden.id, input: { isPublished: true }, actor });
    const [after] = (await rpc.call(catalogMessagesRoutable, { ids: [message.id] })).messages;
    expect(after.version).toBe(2);
    expect(after.channels[0].contentAvailable).toBe(true);
  });

  it('content.get: the type’s fields for senders; NOT_FOUND when missing or of another type', async () => {
    const email = await save('email', {
      name: 'E',
      subject: 'Hello {{ contact.firstname }}',
      customHtml: '<p>x</p>',
      fromName: 'ACME',
    });
    await expect(rpc.call(catalogContentGet, { type: 'email', id: email.id })).resolves.toEqual({
      type: 'email',
      id: email.id,
      name: 'E',
      isPublished: true,
      version: 1,
      fields: {
        subject: 'Hello {{ contact.firstname }}',
        customHtml: '<p>x</p>',
        plainText: null,
        fromAddress: null,
        fromName: 'ACME',
        replyToAddress: null,
        templateId: null,
        incentiveId: null,
        emailType: 'template',
        lists: [],
      },
    });
    const push = await save('notification', { name: 'P', heading: 'h', message: 'm', mobile: true });
    expect((await rpc.call(catalogContentGet, { type: 'notification', id: push.id })).fields).toMatchObject({
      mobile: true,
      url: null,
    });
    await expect(rpc.call(catalogContentGet, { type: 'sms', id: email.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('templates: one {{ content }} slot; an email names one that exists, content.get carries its layout, and it cannot go while in use', async () => {
    const invalid = (input: Record<string, unknown>) =>
      expect(save('template', { name: 'T', ...input })).rejects.toMatchObject({ code: 'VALIDATION' });
    await invalid({ html: '<p>no slot</p>' });
    await invalid({ html: '{{ content }} and {{content}}' });
    await invalid({ html: '{% if %}{{ content }}' });
    await invalid({});
    const layout = '<div>{{ contact.firstname }}</div>{{ content }}';
    const template = await save('template', { name: 'Branded', html: layout });
    expect(template).toMatchObject({ name: 'Branded', html: layout, isPublished: true, category: null });

    await expect(save('email', { name: 'E', subject: 's', templateId: 987654 })).rejects.toMatchObject({
      code: 'VALIDATION',
      details: { templateId: ['Template not found.'] },
    });
    const email = await save('email', { name: 'E', subject: 's', customHtml: '<p>x</p>', templateId: template.id });
    expect(await rpc.call(catalogContentGet, { type: 'email', id: email.id })).toMatchObject({
      fields: { templateId: template.id },
      layout,
    });

    await expect(rpc.call(catalogItemDelete, { kind: 'template', id: template.id })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `The template is used by emails ${email.id}.`,
    });
    await rpc.call(catalogItemSave, { kind: 'email', mode: 'patch', id: email.id, input: { templateId: null }, actor });
    expect((await rpc.call(catalogItemDelete, { kind: 'template', id: template.id })).item).toMatchObject({
      id: null,
      name: 'Branded',
    });
  });

  it('keeps a list reply under the NATS payload limit and says where the rest starts', async () => {
    const html = `<p>${'x'.repeat(300_000)}</p>`;
    for (let i = 0; i < 4; i++) await save('email', { name: `Big ${i}`, subject: 's', customHtml: html });
    const first = await rpc.call(catalogItemList, { kind: 'email', query: { search: 'Big', limit: 0 } });
    expect(first.total).toBe(4);
    expect(first.items.length).toBeLessThan(4);
    expect(first.next).toBe(first.items.length);
  });
});
