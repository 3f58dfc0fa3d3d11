import { startGateway, type GatewayTestContext } from './support/gateway-test';

/** Mautic endpoints Switchboard does not provide (README, "Not provided"): Mautic's 404, as for an unknown route. */
const NOT_PROVIDED: [string, string][] = [
  ['GET', '/api/assets'],
  ['POST', '/api/assets/new'],
  ['GET', '/api/companies'],
  ['POST', '/api/companies/new'],
  ['GET', '/api/points'],
  ['GET', '/api/points/triggers'],
  ['GET', '/api/pointgroups'],
  ['GET', '/api/stages'],
  ['POST', '/api/stages/1/contact/1/add'],
  ['GET', '/api/contacts/activity'],
  ['GET', '/api/contacts/1/activity'],
  ['GET', '/api/contacts/1/notes'],
  ['GET', '/api/contacts/1/companies'],
  ['GET', '/api/contacts/1/campaigns'],
  ['GET', '/api/contacts/1/devices'],
  ['POST', '/api/contacts/1/points/plus/5'],
  ['POST', '/api/contacts/1/utm/add'],
  ['GET', '/api/contacts/list/owners'],
  ['GET', '/api/notes'],
  ['GET', '/api/forms'],
  ['GET', '/api/pages'],
  ['GET', '/api/focus'],
  ['GET', '/api/dynamiccontents'],
  ['GET', '/api/reports'],
  ['GET', '/api/files/images'],
  ['GET', '/api/themes'],
  ['GET', '/api/tags'],
  ['GET', '/api/data'],
  ['GET', '/api/fields/contact'],
  ['GET', '/api/devices'],
  ['GET', '/api/stats'],
  ['POST', '/api/smses/1/contact/1/send'],
];

describe("Mautic's endpoints that Switchboard does not provide", () => {
  let ctx: GatewayTestContext;

  beforeAll(async () => {
    ctx = await startGateway({ services: ['preferences'] });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it.each(NOT_PROVIDED)("%s %s answers 404 in Mautic's error shape", async (method, path) => {
    const res = await ctx.api(method, path, method === 'GET' ? undefined : {});
    expect([res.status, res.body]).toEqual([
      404,
      { errors: [{ code: 404, message: expect.stringMatching(/not found/), details: expect.anything(), type: null }] },
    ]);
  });
});
