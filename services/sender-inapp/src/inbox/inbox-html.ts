/**
 * The limited HTML of an in-app message body (DESIGN §7.7), rebuilt from an allow-list: text is
 * decoded and escaped again, allowed tags are written out anew without attributes, and a link keeps
 * only its http(s) href, passed through `track`. Whatever the input (unbalanced, malformed,
 * hostile), the output holds nothing but these tags and escaped text, so the widget may show it
 * as HTML inside the customer's page. Written here rather than taken from a package: no
 * maintained sanitiser is installed, and parse5 (installed) is ESM-only, which Jest here cannot load.
 */

const ALLOWED = new Set(['p', 'br', 'b', 'strong', 'i', 'em', 'u', 's', 'small', 'ul', 'ol', 'li', 'a', 'span']);
const VOID = new Set(['br']);
/** Elements whose content is never text for the reader. */
const DROPPED = /<(script|style|template|noscript|iframe|object|svg|math|head|title)\b[\s\S]*?(<\/\1\s*>|$)/gi;
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g;
const HREF = /\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]+);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    const code = lower.startsWith('#x')
      ? parseInt(lower.slice(2), 16)
      : lower.startsWith('#')
        ? Number(lower.slice(1))
        : NaN;
    if (!Number.isNaN(code)) return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    return ENTITIES[lower] ?? whole;
  });
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function text(raw: string): string {
  return escapeHtml(decode(raw));
}

/** The absolute http(s) URL a string holds, or undefined. */
export function webUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

export function sanitizeBody(html: string, track: (url: string) => string): string {
  const source = html.replace(/<!--[\s\S]*?(-->|$)/g, '').replace(DROPPED, '');
  let out = '';
  let last = 0;
  const open: string[] = [];
  for (const match of source.matchAll(TAG)) {
    out += text(source.slice(last, match.index));
    last = match.index + match[0].length;
    const closing = match[1] === '/';
    const name = match[2].toLowerCase();
    if (!ALLOWED.has(name)) continue;
    if (closing) {
      const at = open.lastIndexOf(name);
      if (at === -1) continue;
      // Close what was left open inside it, so the output is always balanced.
      for (const inner of open.splice(at).reverse()) out += `</${inner}>`;
      continue;
    }
    if (VOID.has(name)) {
      out += `<${name}>`;
      continue;
    }
    if (name === 'a') {
      const href = HREF.exec(match[3]);
      const url = href ? webUrl(decode(href[1] ?? href[2] ?? href[3] ?? '')) : undefined;
      out += url ? `<a href="${escapeHtml(track(url))}" target="_blank" rel="noopener noreferrer">` : '<a>';
    } else {
      out += `<${name}>`;
    }
    open.push(name);
  }
  out += text(source.slice(last));
  for (const name of open.reverse()) out += `</${name}>`;
  return out;
}
