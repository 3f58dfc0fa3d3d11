import { preferencesContactsUpsert } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/messaging';
import { startGateway, type GatewayTestContext } from './support/gateway-test';

const KEYS = [
  'isPublished',
  'dateAdded',
  'dateModified',
  'createdBy',
  'createdByUser',
  'modifiedBy',
  'modifiedByUser',
  'id',
  'name',
  'description',
  'html',
  'category',
];
const LAYOUT =
  '<html><body><h1>{{ contact.firstname | default: "Friend" }}</h1>{{ content }}<footer>ACME</footer></body></html>';

describe('/api/templates: email layouts with CRUD, copy and preview', () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['catalog', 'preferences'] });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('creates, gets, lists, edits and deletes templates, with Mautic errors for a bad layout', async () => {
    const created = await ctx.api('POST', '/api/templates/new', { name: 'Branded', html: LAYOUT });
    expect(created.status).toBe(201);
    const template = created.body.template;
    expect(Object.keys(template)).toEqual(KEYS);
    expect(template).toMatchObject({
      name: 'Branded',
      html: LAYOUT,
      isPublished: true,
      createdByUser: 'admin',
      category: null,
    });
    expect((await ctx.api('GET', `/api/templates/${template.id}`)).body).toEqual({ template });
    expect((await ctx.api('GET', '/api/templates?search=Brand')).body).toEqual({ total: 1, templates: [template] });

    const edited = await ctx.api('PATCH', `/api/templates/${template.id}/edit`, { description: 'Our look' });
    expect(edited.body.template).toMatchObject({ description: 'Our look', html: LAYOUT, modifiedByUser: 'admin' });
    // The gateway's cached copy is dropped on the change.
    expect((await ctx.api('GET', `/api/templates/${template.id}`)).body.template.description).toBe('Our look');

    const noSlot = await ctx.api('POST', '/api/templates/new', { name: 'Bare', html: '<p>nothing</p>' });
    expect(noSlot.status).toBe(400);
    expect(noSlot.body.errors[0]).toMatchObject({
      code: 400,
      message: 'html: A template holds one {{ content }} slot, where the email goes.',
    });
    const unparsable = await ctx.api('POST', '/api/templates/new', { name: 'Broken', html: '{% if %}{{ content }}' });
    expect(unparsable.status).toBe(400);
    expect(unparsable.body.errors[0].details.html[0]).toMatch(/^The template does not parse/);
    expect((await ctx.api('POST', '/api/templates/new', { html: LAYOUT })).body.errors[0].details).toHaveProperty(
      'name',
    );

    expect((await ctx.api('DELETE', `/api/templates/${template.id}/delete`)).body.template).toMatchObject({
      id: null,
      name: 'Branded',
    });
    expect((await ctx.api('GET', `/api/templates/${template.id}`)).status).toBe(404);
  });

  it('copies a template under a new name, unpublished', async () => {
    const source = (
      await ctx.api('POST', '/api/templates/new', { name: 'Seasonal', html: LAYOUT, description: 'Winter' })
    ).body.template;
    const copy = await ctx.api('POST', `/api/templates/${source.id}/copy`, {});
    expect(copy.status).toBe(201);
    expect(copy.body.template).toMatchObject({
      name: 'Seasonal (copy)',
      description: 'Winter',
      html: LAYOUT,
      isPublished: false,
    });
    expect(copy.body.template.id).not.toBe(source.id);
    expect((await ctx.api('POST', `/api/templates/${source.id}/copy`, { name: 'Summer' })).body.template.name).toBe(
      'Summer',
    );
    expect((await ctx.api('POST', '/api/templates/99999/copy', {})).status).toBe(404);
  });

  it('previews a template around sample content, and an email laid out in it, for a stored contact', async () => {
    const template = (await ctx.api('POST', '/api/templates/new', { name: 'Preview', html: LAYOUT })).body.template;
    const sample = await ctx.api('POST', `/api/templates/${template.id}/preview`, {
      fields: { firstname: '<Ann>' },
      content: '<p>Body & more</p>',
    });
    expect(sample.status).toBe(200);
    expect(sample.body.preview.html).toBe(
      '<html><body><h1>&lt;Ann&gt;</h1><p>Body & more</p><footer>ACME</footer></body></html>',
    );
    expect((await ctx.api('POST', `/api/templates/${template.id}/preview`, {})).body.preview.html).toContain(
      '<h1>Friend</h1><p>The email goes here.</p>',
    );

    await ctx.gateway.app
      .get(RpcClient)
      .call(preferencesContactsUpsert, { contact: { id: 'c-tpl', email: 'ann@example.org', firstname: 'Ann' } });
    const email = (
      await ctx.api('POST', '/api/emails/new', {
        name: 'Laid out',
        subject: 'Hi',
        customHtml: '<p>Hi {{ contact.firstname }}</p>',
        templateId: template.id,
      })
    ).body.email;
    const preview = await ctx.api('POST', `/api/emails/${email.id}/preview`, { contactId: 'c-tpl' });
    expect(preview.body.preview.customHtml).toBe(
      '<html><body><h1>Ann</h1><p>Hi Ann</p><footer>ACME</footer></body></html>',
    );

    // An email that uses the template keeps it from being deleted; an unknown template is refused.
    const refused = await ctx.api('DELETE', `/api/templates/${template.id}/delete`);
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0].message).toBe(`The template is used by emails ${email.id}.`);
    const unknown = await ctx.api('POST', '/api/emails/new', { name: 'Orphan', subject: 'Hi', templateId: 424242 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].message).toBe('templateId: Template not found.');
  });

  it('documents the template routes', async () => {
    const docs = (await ctx.api('GET', '/api/docs', undefined, { auth: null })).body;
    for (const path of [
      '/api/templates',
      '/api/templates/new',
      '/api/templates/{id}',
      '/api/templates/{id}/copy',
      '/api/templates/{id}/preview',
    ]) {
      expect(docs.paths[path]).toBeDefined();
    }
  });
});
