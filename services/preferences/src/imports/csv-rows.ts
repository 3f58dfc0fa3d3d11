import { z } from 'zod';
import { ContactInputSchema, type ContactInput } from '@switchboard/contracts';

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

type CellResult = { value: unknown } | { error: string };
type CoreKey = keyof typeof ContactInputSchema.shape;

/** The contact schema's order of properties: a row's errors are listed in it, as a whole-object check lists them. */
const KEY_ORDER = new Map(Object.keys(ContactInputSchema.shape).map((k, i) => [k, i]));

/** One property checked by its own schema (the whole contact schema per row cost 5–7 µs). */
function checkWithSchema(key: CoreKey): (value: string) => CellResult {
  const schema = ContactInputSchema.shape[key];
  return (value) => {
    const parsed = schema.safeParse(value);
    return parsed.success
      ? { value: parsed.data }
      : { error: parsed.error.issues.map((i) => `${key}: ${i.message}`).join(', ') };
  };
}

/**
 * A cell's check by column: the contact schema's check of that property, with two short cuts that
 * give the same answers — an email the schema's own pattern accepts, and a name of at most 255
 * characters without `<`, which stripping markup leaves as it is (cells come trimmed).
 */
function cellCheck(key: CoreKey): (value: string) => CellResult {
  const bySchema = checkWithSchema(key);
  if (key === 'email') return (value) => (z.regexes.email.test(value) ? { value } : bySchema(value));
  if (key === 'firstname' || key === 'lastname')
    return (value) => (value.length <= 255 && !value.includes('<') ? { value } : bySchema(value));
  return bySchema;
}

const CHECKS = new Map<CoreKey, (value: string) => CellResult>();
const checkOf = (key: CoreKey) => CHECKS.get(key) ?? CHECKS.set(key, cellCheck(key)).get(key)!;

/** One data row → a contact input (empty cells leave the property as it is), or why it is bad. */
export function toContactInput(columns: Column[], cells: string[]): RowResult {
  if (cells.length !== columns.length) return { error: `Expected ${columns.length} columns, found ${cells.length}.` };
  // The last non-empty cell of a property counts (two columns may name one, as `phone` and `mobile`).
  const raw = new Map<CoreKey, string>();
  let fields: Record<string, string> | undefined;
  for (let i = 0; i < columns.length; i++) {
    const col = columns[i];
    if (col.kind === 'skip') continue;
    const value = cells[i].trim();
    if (value === '') continue;
    if (col.kind === 'custom') (fields ??= {})[col.key] = value;
    else raw.set(col.key, value);
  }
  const input: Record<string, unknown> = {};
  let errors: { key: string; message: string }[] | undefined;
  for (const [key, value] of raw) {
    const checked = checkOf(key)(value);
    if ('error' in checked) (errors ??= []).push({ key, message: checked.error });
    else input[key] = checked.value;
  }
  if (fields) input.fields = fields;
  if (!raw.has('id') && !raw.has('email')) return { error: 'A row needs an id or an email.' };
  if (errors)
    return {
      error: errors
        .sort((a, b) => KEY_ORDER.get(a.key)! - KEY_ORDER.get(b.key)!)
        .map((e) => e.message)
        .join(', '),
    };
  return { input: input as ContactInput };
}
