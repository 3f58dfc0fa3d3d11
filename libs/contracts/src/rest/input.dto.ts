import { z } from 'zod';

/**
 * Input coercions for Mautic clients, which send booleans as 0/1 and numbers as strings. Each one
 * is idempotent (its output parses to itself), because the gateway and catalog both validate.
 */
export const BoolInput = z
  .union([z.boolean(), z.literal(0), z.literal(1), z.enum(['0', '1', 'true', 'false', 'yes', 'no', ''])], {
    error: 'This value should be a boolean.',
  })
  .transform((v) => v === true || v === 1 || v === '1' || v === 'true' || v === 'yes');

export const IntInput = z
  .union(
    [
      z.number().int().min(0).max(2_147_483_647),
      z
        .string()
        .regex(/^\d{1,10}$/)
        .transform(Number),
    ],
    {
      error: 'This value should be an integer.',
    },
  )
  .pipe(z.number().int().min(0).max(2_147_483_647, 'This value is too large.'));

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** ISO 8601 (offset optional, UTC when absent), `yyyy-MM-dd HH:mm[:ss]` or `yyyy-MM-dd` → ISO UTC; '' → null. */
export function parseDateInput(value: string): string | undefined {
  const m = DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', offset = 'Z'] = m;
  const zone = offset.toUpperCase() === 'Z' ? 'Z' : `${offset.slice(0, 3)}:${offset.slice(-2)}`;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}.${(frac + '000').slice(0, 3)}${zone}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  // PostgreSQL has no year 0 (1 BC) and JavaScript writes years past 9999 as +010000: neither stores.
  if (date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) return undefined;
  // Reject rollovers such as 2024-02-31.
  const local = new Date(Date.UTC(+y, +mo - 1, +d));
  if (local.getUTCMonth() !== +mo - 1 || local.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) return undefined;
  return date.toISOString();
}

export const DateInput = z.union([z.string(), z.null()]).transform((v, ctx) => {
  if (v === null || v.trim() === '') return null;
  const iso = parseDateInput(v);
  if (!iso) {
    ctx.addIssue({ code: 'custom', message: 'Please enter a valid date (ISO 8601 or yyyy-MM-dd HH:mm).' });
    return z.NEVER;
  }
  return iso;
});

const ALLOWED_TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  'u',
  'p',
  'br',
  'ul',
  'ol',
  'li',
  'span',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'blockquote',
  'code',
  'pre',
]);

/** Plain text: every tag removed (Mautic strips HTML from names). */
export function stripHtml(value: string): string {
  return value
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\/?[a-zA-Z][^<>]*>/g, '')
    .trim();
}

/** Limited HTML: a small set of formatting tags; no attributes except http(s)/mailto `href` on links. */
export function limitedHtml(value: string): string {
  // Kept tags are parked as \u0000<n>\u0000 while every other < and > is escaped.
  const kept: string[] = [];
  const mark = String.fromCharCode(0);
  const keep = (tag: string) => `${mark}${kept.push(tag) - 1}${mark}`;
  return value
    .split(mark)
    .join('')
    .replace(/<(script|style|iframe|object|embed)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s[^<>]*)?)\/?>/g, (_m, close: string, tag: string, attrs: string) => {
      const name = tag.toLowerCase();
      if (!ALLOWED_TAGS.has(name)) return '';
      if (close) return keep(`</${name}>`);
      if (name !== 'a') return keep(`<${name}>`);
      const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attrs);
      const url = (href ? (href[1] ?? href[2] ?? href[3] ?? '') : '').trim();
      return keep(
        /^(https?:|mailto:)/i.test(url)
          ? `<a href="${url.replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}">`
          : '<a>',
      );
    })
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(new RegExp(`${mark}(\\d+)${mark}`, 'g'), (_m, i: string) => kept[Number(i)])
    .trim();
}

/** A required name: HTML stripped, then non-empty. */
export const NameInput = z
  .string({ error: 'A name is required.' })
  .max(191, 'A name has at most 191 characters.')
  .transform(stripHtml)
  .pipe(z.string().min(1, 'A name is required.'));

export const DescriptionInput = z
  .union([z.string().max(65_535), z.null()])
  .transform((v) => (v === null ? null : limitedHtml(v) || null));
