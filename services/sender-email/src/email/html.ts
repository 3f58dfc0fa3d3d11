/** Small, dependency-free HTML helpers for outgoing email (tracking links, footers, the text part). */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return ENTITIES[lower] ?? whole;
  });
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

// `\s` before href, not `\b`: `data-href` and the like are not the link.
const LINK = /(<a\b[^>]*?\shref\s*=\s*)(["'])(https?:\/\/[^"']+)\2/gi;

/** Rewrites every http(s) link of `<a href>` through `track`, except those `keep` says to leave. */
export function rewriteLinks(html: string, track: (url: string) => string, keep: (url: string) => boolean): string {
  return html.replace(LINK, (whole, start: string, quote: string, raw: string) => {
    const url = decodeEntities(raw);
    return keep(url) ? whole : `${start}${quote}${escapeHtml(track(url))}${quote}`;
  });
}

/** A readable text/plain alternative of an HTML body: paragraphs, line breaks, `label (url)` links. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<a\b[^>]*?\shref\s*=\s*(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a\s*>/gi, (_, _q, href: string, label: string) => {
      const name = label.replace(/<[^>]+>/g, '').trim();
      return name && decodeEntities(name) !== decodeEntities(href) ? `${name} (${href})` : href;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '- ')
    .replace(/<\/(p|div|h[1-6]|li|tr|table|ul|ol|blockquote|section|header|footer)\s*>/gi, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/\r/g, '');
  return decodeEntities(text)
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
