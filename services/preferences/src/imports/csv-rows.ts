import { ContactInputSchema, issuesToDetails, type ContactInput } from '@switchboard/contracts';

/** CSV columns that are contact properties (matched after normalising the header); the rest are custom fields. */
const KNOWN: Record<string, keyof ContactInput> = {
  id: 'id',
  email: 'email',
  mobile: 'mobile',
  phone: 'mobile',
  firstname: 'firstname',
  first_name: 'firstname',
  lastname: 'lastname',
  last_name: 'lastname',
  locale: 'locale',
  timezone: 'timezone',
  twitter: 'twitterHandle',
  twitterhandle: 'twitterHandle',
  twitter_handle: 'twitterHandle',
  preferredchannel: 'preferredChannel',
  preferred_channel: 'preferredChannel',
};

/** `First Name` → `first_name`: Mautic's field alias style, which filters can name. */
export const normaliseHeader = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);

export type Column = { kind: 'core'; key: keyof ContactInput } | { kind: 'custom'; key: string } | { kind: 'skip' };

export function mapHeader(header: string[]): Column[] {
  return header.map((h) => {
    const name = normaliseHeader(h);
    if (!name) return { kind: 'skip' };
    const core = KNOWN[name];
    return core ? { kind: 'core', key: core } : { kind: 'custom', key: /^[a-z_]/.test(name) ? name : `f_${name}` };
  });
}

/** `,` `;` or tab, whichever the header line (outside quotes) has most of; `,` when none. */
export function sniffDelimiter(text: string): string {
  let inQuotes = false;
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) break;
    else if (!inQuotes && ch in counts) counts[ch]++;
  }
  return Object.entries(counts).reduce((best, [d, n]) => (n > counts[best] ? d : best), ',');
}

export type RowResult = { input: ContactInput } | { error: string };

/** One data row → a contact input (empty cells leave the property as it is), or why it is bad. */
export function toContactInput(columns: Column[], cells: string[]): RowResult {
  if (cells.length !== columns.length) return { error: `Expected ${columns.length} columns, found ${cells.length}.` };
  const input: Record<string, unknown> = {};
  const fields: Record<string, string> = {};
  columns.forEach((col, i) => {
    const value = cells[i].trim();
    if (value === '' || col.kind === 'skip') return;
    if (col.kind === 'core') input[col.key] = value;
    else fields[col.key] = value;
  });
  if (Object.keys(fields).length) input.fields = fields;
  if (input.id === undefined && input.email === undefined) return { error: 'A row needs an id or an email.' };
  const parsed = ContactInputSchema.safeParse(input);
  if (!parsed.success)
    return {
      error: Object.entries(issuesToDetails(parsed.error))
        .flatMap(([field, msgs]) => msgs.map((m) => (field ? `${field}: ${m}` : m)))
        .join(', '),
    };
  return { input: parsed.data };
}
