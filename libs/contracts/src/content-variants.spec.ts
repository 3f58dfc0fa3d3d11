import { personalise } from './content-variants';
import type { SegmentFilter } from './rest/segment.dto';
import type { ContentItem } from './rpc/catalog.rpc';

const f = (field: string, operator: string, value: unknown): SegmentFilter => ({
  glue: 'and',
  field,
  object: 'lead',
  type: 'text',
  operator,
  properties: { filter: value },
  filter: value,
  display: null,
});

const NOW = new Date('2026-12-07T10:30:00Z'); // Monday; 11:30 in Prague, 05:30 in New York

const sms: ContentItem = {
  type: 'sms',
  id: 1,
  name: 'Sale',
  isPublished: true,
  version: 1,
  fields: { message: 'Base {{ contact.firstname }}', senderId: 'SHOP' },
  variants: [
    { name: 'prague', filters: [f('city', '=', 'Prague')], fields: { message: 'Ahoj {{ contact.firstname }}' } },
    { name: 'mornings', filters: [f('localTime', 'lt', '09:00')], fields: { message: 'Good morning' } },
    { name: 'everyone-in-prague', filters: [f('city', 'like', 'pra')], fields: { message: 'never reached' } },
  ],
};

const contact = (city: string | null, timezone = 'Europe/Prague') => ({
  id: 'c1',
  timezone,
  fields: { firstname: 'Ada', ...(city ? { city } : {}) },
});

describe('personalise: the first matching variant, else the base content', () => {
  it('sends the first variant whose filters match, its fields over the base ones', () => {
    const { content, choice } = personalise(sms, contact('Prague'), NOW);
    expect(choice).toEqual({ variant: 'prague' });
    expect(content.fields).toEqual({ message: 'Ahoj {{ contact.firstname }}', senderId: 'SHOP' });
  });

  it('takes a later variant only when the earlier ones do not match (time of day in the contact zone)', () => {
    expect(personalise(sms, contact('Brno', 'America/New_York'), NOW).choice).toEqual({ variant: 'mornings' });
    expect(personalise(sms, contact('Brno', 'Europe/Prague'), NOW).choice).toEqual({});
  });

  it('sends the base content when no variant matches, untouched', () => {
    const { content, choice } = personalise(sms, contact(null), NOW);
    expect(choice).toEqual({});
    expect(content).toBe(sms);
  });

  it('replaces each {dynamiccontent="..."} with the first matching alternative, else the default (Mautic)', () => {
    const email: ContentItem = {
      type: 'email',
      id: 2,
      name: 'News',
      isPublished: true,
      version: 1,
      fields: {
        subject: 'News {dynamiccontent="Greeting"}',
        customHtml:
          '<p>{dynamiccontent="Greeting"}</p><div>{dynamiccontent=&quot;Offer&quot;}</div>{dynamiccontent="Unknown"}',
        plainText: '{dynamiccontent="Offer"}',
      },
      dynamicContent: [
        {
          tokenName: 'Greeting',
          content: 'Hello',
          choices: [
            { content: 'never', filters: [] },
            { content: '<b>Ahoj</b>', filters: [f('city', '=', 'Prague')] },
          ],
        },
        {
          tokenName: 'Offer',
          content: '<i>10% off</i>',
          choices: [{ content: 'Free tram ticket', filters: [f('city', '=', 'Prague')] }],
        },
      ],
    };
    const prague = personalise(email, contact('Prague'), NOW);
    expect(prague.choice).toEqual({ dynamicContent: { Greeting: '2', Offer: '1' } });
    expect(prague.content.fields).toEqual({
      subject: 'News Ahoj',
      customHtml: '<p><b>Ahoj</b></p><div>Free tram ticket</div>{dynamiccontent="Unknown"}',
      plainText: 'Free tram ticket',
    });
    const elsewhere = personalise(email, contact('Oslo'), NOW);
    expect(elsewhere.choice).toEqual({ dynamicContent: { Greeting: 'default', Offer: 'default' } });
    expect(elsewhere.content.fields.customHtml).toBe('<p>Hello</p><div><i>10% off</i></div>{dynamiccontent="Unknown"}');
    expect(elsewhere.content.fields.plainText).toBe('10% off');
  });

  it('applies a variant first, then the dynamic content in the variant body', () => {
    const email: ContentItem = {
      type: 'email',
      id: 3,
      name: 'Both',
      isPublished: true,
      version: 1,
      fields: { subject: 'S', customHtml: 'base' },
      variants: [
        { name: 'cz', filters: [f('city', '=', 'Prague')], fields: { customHtml: 'cz {dynamiccontent="T"}' } },
      ],
      dynamicContent: [{ tokenName: 'T', content: 'default', choices: [] }],
    };
    const { content, choice } = personalise(email, contact('Prague'), NOW);
    expect(choice).toEqual({ variant: 'cz', dynamicContent: { T: 'default' } });
    expect(content.fields.customHtml).toBe('cz default');
  });
});
