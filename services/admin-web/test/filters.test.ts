import {
  CONTENT_FIELDS,
  contentFilterErrors,
  FILTER_OPERATORS as API_OPERATORS,
  OPERATORS_BY_TYPE as API_OPERATORS_BY_TYPE,
  type SegmentFilter,
} from '@switchboard/contracts';

/** What the test uses of the UI modules (plain JavaScript, type-checked by services/admin-web/tsconfig.json). */
interface FilterDraft {
  glue: string;
  field: string;
  custom: string;
  type: string;
  operator: string;
  value: string;
}
interface FiltersModule {
  FILTER_OPERATORS: [string, string][];
  OPERATORS_BY_TYPE: Record<string, string[]>;
  FILTER_FIELDS: { group: string; fields: { name: string; operators: string[] }[] }[];
  CUSTOM_FIELD: string;
  CUSTOM_TYPES: readonly string[];
  filterOf(draft: FilterDraft): SegmentFilter;
  draftOf(stored: unknown): FilterDraft;
}
interface ContentModule {
  CONTENT_TYPES: Record<string, { item: string; variant?: string[] }>;
}

/** A value each offered field takes with each operator. */
function sampleValue(field: string, type: string, operator: string): string {
  const list = ['in', '!in'].includes(operator);
  const range = ['between', '!between'].includes(operator);
  if (field === 'localTime') return range ? '22:00, 06:00' : '09:30';
  if (field === 'localWeekday') return list ? 'saturday, sunday' : 'monday';
  const one = { number: '20', date: '2026-12-24', boolean: '1', text: 'Prague' }[type] ?? 'x';
  if (range) return type === 'date' ? '2026-01-01, -7 days' : type === 'number' ? '1, 20' : 'a, b';
  if (list) return `${one}, ${one}`;
  if (operator.includes('regexp')) return '^Pr';
  return one;
}

/**
 * The variant filter editor offers only what the API accepts: every field and operator it offers
 * saves (the same `contentFilterErrors` catalog checks on save), its operators are the filter
 * format's, and each content type's variant fields are those the API takes.
 */
describe('variant filter editor offers', () => {
  let ui: FiltersModule;
  let content: ContentModule;

  beforeAll(async () => {
    const filtersPath = '../public/assets/views/filters.js';
    const contentPath = '../public/assets/views/content.js';
    ui = (await import(filtersPath)) as FiltersModule;
    content = (await import(contentPath)) as ContentModule;
  });

  it('lists every operator of the filter format, and per custom type the operators the API takes', () => {
    expect(ui.FILTER_OPERATORS.map(([op]) => op)).toEqual([...API_OPERATORS]);
    expect(ui.OPERATORS_BY_TYPE).toEqual(API_OPERATORS_BY_TYPE);
    expect([...ui.CUSTOM_TYPES].sort()).toEqual(Object.keys(API_OPERATORS_BY_TYPE).sort());
  });

  it('builds filters the API accepts, for every field and operator it offers', () => {
    const drafts: FilterDraft[] = [];
    for (const group of ui.FILTER_FIELDS)
      for (const field of group.fields)
        for (const operator of field.operators)
          drafts.push({
            glue: 'and',
            field: field.name,
            custom: '',
            type: 'text',
            operator,
            value: sampleValue(field.name, 'text', operator),
          });
    for (const type of ui.CUSTOM_TYPES)
      for (const operator of ui.OPERATORS_BY_TYPE[type])
        drafts.push({
          glue: 'or',
          field: ui.CUSTOM_FIELD,
          custom: 'city',
          type,
          operator,
          value: sampleValue('city', type, operator),
        });
    expect(drafts.length).toBeGreaterThan(200);
    const refused = drafts
      .map((d) => ({ d, errors: contentFilterErrors([ui.filterOf(d)]) }))
      .filter((r) => r.errors.length > 0);
    expect(refused).toEqual([]);
  });

  it('reads a stored filter back as it was written', () => {
    const stored = [
      { glue: 'and', field: 'orders', object: 'lead', type: 'number', operator: 'between', filter: [1, 20] },
      { glue: 'or', field: 'localWeekday', object: 'lead', type: 'text', operator: 'in', filter: ['monday', 'friday'] },
      { glue: 'and', field: 'email', object: 'lead', type: 'email', operator: '!empty', filter: null },
    ];
    expect(stored.map((f) => ui.filterOf(ui.draftOf(f)))).toEqual(
      stored.map((f) => ({
        ...f,
        type: f.field === 'orders' ? 'number' : 'text',
        properties: { filter: f.filter },
        display: null,
      })),
    );
  });

  it('offers each content type the variant fields the API takes', () => {
    const byItem: Record<string, keyof typeof CONTENT_FIELDS> = {
      email: 'email',
      sms: 'sms',
      notification: 'notification',
      tweet: 'tweet',
      inappmessage: 'inapp',
    };
    const offered = Object.values(content.CONTENT_TYPES)
      .filter((t) => t.variant)
      .map((t) => [byItem[t.item], t.variant]);
    expect(Object.fromEntries(offered)).toEqual(
      Object.fromEntries(Object.entries(CONTENT_FIELDS).map(([type, spec]) => [type, [...spec.variant]])),
    );
  });
});
