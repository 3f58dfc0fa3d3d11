import { hasMauticUnsubscribeToken, MAUTIC_UNSUBSCRIBE_TOKEN } from './mautic-tokens';

/**
 * DESIGN §7.2 opt-out and unsubscribe tags, decided once: sender-email and sender-sms ask these on
 * the rendered text before they append a footer at send time, catalog asks them on the Liquid
 * source when published content is saved (SB_STRICT_OPTOUT), and both append the same footer.
 */

/** The SMS footer sender-sms and catalog use when SMS_OPT_OUT_TEXT is not set. */
export const DEFAULT_SMS_OPT_OUT_TEXT = 'Reply STOP to opt out';
/** The unsubscribe link's label when EMAIL_UNSUBSCRIBE_TEXT is not set. */
export const DEFAULT_UNSUBSCRIBE_TEXT = 'Unsubscribe';
/** What a stored footer links to: Liquid that each send renders as the contact's own unsubscribe link. */
export const UNSUBSCRIBE_URL_TAG = '{{ unsubscribe_url }}';

const UNSUBSCRIBE_TAG = /\{\{-?\s*(?:contact\.)?unsubscribe_url\b/;
const OPT_OUT_TAG = /\{\{-?\s*optout\b/;
const STOP_WORD = /\bstop\b/i;

/**
 * Whether an email part carries its unsubscribe link: `{{ unsubscribe_url }}` in the source (or
 * Mautic's `{unsubscribe_url}` / `{unsubscribe_text}`, which render it), or the contact's link
 * once rendered.
 */
export function hasUnsubscribeLink(text: string | null | undefined, unsubscribeUrl?: string): boolean {
  if (!text) return false;
  // A regex pass, not a translation of the text: this runs on every rendered email. On 100 KB of
  // HTML with braces: 55 µs (48 µs before Mautic's tokens); translating it first cost 166 µs.
  return (
    UNSUBSCRIBE_TAG.test(text) ||
    hasMauticUnsubscribeToken(text) ||
    (unsubscribeUrl !== undefined && text.includes(unsubscribeUrl))
  );
}

/** Whether an SMS text carries an opt-out instruction: `{{ optout }}`, the configured text, or the word STOP. */
export function hasSmsOptOut(text: string | null | undefined, optOutText: string): boolean {
  if (!text) return false;
  return OPT_OUT_TAG.test(text) || STOP_WORD.test(text) || text.includes(optOutText);
}

/** The text with the opt-out instruction on a line of its own at the end, unless it carries one. */
export function withSmsOptOut(text: string, optOutText: string): string {
  return hasSmsOptOut(text, optOutText) ? text : `${text.trimEnd()}\n${optOutText}`;
}

/** A pattern as JSON carries it: `new RegExp(source, flags)` in a browser. */
export interface PatternSource {
  source: string;
  flags: string;
}

/** What counts as an opt-out tag, as data for a client that cannot import this module. */
export interface OptOutRules {
  /** An SMS has its opt-out when one pattern matches or it holds `text` (what `{{ optout }}` renders). */
  sms: { text: string; patterns: PatternSource[] };
  /** An email part (body, text or template) has its unsubscribe link when one pattern matches. */
  email: { patterns: PatternSource[] };
}

const asSource = (pattern: RegExp): PatternSource => ({ source: pattern.source, flags: pattern.flags });

/**
 * The rules of `hasSmsOptOut` and `hasUnsubscribeLink` (on a source, before rendering) with the
 * server's SMS_OPT_OUT_TEXT: the admin UI warns by these (`GET /api/content/opt-out`) instead of
 * a copy of them that misses a configured text.
 */
export function optOutRules(smsOptOutText: string): OptOutRules {
  return {
    sms: { text: smsOptOutText, patterns: [OPT_OUT_TAG, STOP_WORD].map(asSource) },
    email: { patterns: [UNSUBSCRIBE_TAG, MAUTIC_UNSUBSCRIBE_TOKEN].map(asSource) },
  };
}

/** Inserts before the last `</body>`, or appends when there is none. */
export function insertBeforeBodyEnd(html: string, fragment: string): string {
  const matches = [...html.matchAll(/<\/body\s*>/gi)];
  const at = matches.at(-1)?.index;
  return at === undefined ? html + fragment : html.slice(0, at) + fragment + html.slice(at);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (char) => ESCAPES[char]);

/** The HTML with the unsubscribe footer (a small centred link to `href`) before `</body>`, unless it has the link. */
export function withUnsubscribeFooterHtml(html: string, href: string, label: string): string {
  if (hasUnsubscribeLink(html, href)) return html;
  return insertBeforeBodyEnd(
    html,
    `<p style="font-size:12px;color:#777;text-align:center"><a href="${escape(href)}">${escape(label)}</a></p>`,
  );
}

/** The text part with `label: href` at its end, unless it has the link. */
export function withUnsubscribeFooterText(text: string, href: string, label: string): string {
  return hasUnsubscribeLink(text, href) ? text : `${text.trimEnd()}\n\n${label}: ${href}\n`;
}
