/**
 * Mautic's content tokens (`{contactfield=firstname|there}`, `{unsubscribe_url}`, ...) as the
 * Liquid Switchboard renders, so that an email or SMS made by a Mautic client (its api-library, its
 * UI, an integration) renders like one written in Liquid. Content is stored as the client sent it;
 * this runs where content is parsed (senders, previews, the catalog's parse check) and where the
 * opt-out rule looks for the unsubscribe tag.
 *
 * Semantics from Mautic 5 (LeadBundle TokenHelper, EmailBundle BuilderSubscriber/TokenSubscriber):
 * - `{contactfield=alias}` is the contact's field (standard or custom); `|text` is the value when
 *   the field is empty; `|true` url-encodes the value; `|date`, `|time`, `|datetime` format it
 *   (Mautic's default formats `F j, Y` and `g:i a`). The braces may be url-encoded (`%7B...%7D`),
 *   as editors leave them in an `href`.
 * - `{unsubscribe_url}`, `{unsubscribe_text}` (Mautic's default text around the link),
 *   `{tracking_pixel}`: the email sender appends its own open pixel, so the token is a blank
 *   pixel and an open is not counted twice. `{subject}` is an email's rendered subject (in its
 *   body; empty elsewhere). `{webview_url}` is `{{ webview_url }}`, the signed link to the email
 *   as sent (the gateway's `/email/view/...`, Mautic's `/email/view/{idHash}`); `{webview_text}` is
 *   Mautic's default text around it ("Having trouble reading this email? Click here."). Only
 *   sender-email provides `webview_url`; elsewhere (an SMS) both render empty, not a link to nowhere.
 * - `{ownerfield=email|firstname|lastname|position|signature}` (LeadBundle OwnerSubscriber's
 *   OWNER_COLUMNS) render empty: no Switchboard contact has an owner (Mautic's shape says
 *   `owner: null`), and Mautic blanks them for a contact without one, in emails and SMS alike. As
 *   there, only those five, only with literal braces (OwnerSubscriber matches the text exactly, not
 *   `%7B...%7D`), any case (MailHelper's `str_ireplace`).
 * - `{signature}` is `{{ signature }}`: without an owner Mautic renders its default signature
 *   (EmailBundle BuilderSubscriber: `default_signature_text`, "Best regards, |FROM_NAME|" as its
 *   settings form saves it, with `mailer_from_name`), which sender-email provides as `signature`
 *   ({@link mauticSignature} of its default From). Mautic has no `{signature}` outside email; here it
 *   renders empty where no sender provides it (an SMS), as `{webview_url}` does.
 * Other tokens (`{dynamiccontent="..."}`, another `{ownerfield=...}`, `{today}`, a send's own
 * `{token}`s) are left as they are.
 */

export type TemplateKind = 'text' | 'html';

/** A transparent 1×1 GIF, what Mautic puts in `{tracking_pixel}` when it appends no pixel itself. */
export const BLANK_PIXEL = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

/** Mautic's `mautic.email.webview.text` (EmailBundle translations), the text of `{webview_text}`. */
export const WEB_VIEW_TEXT = 'Having trouble reading this email? Click here.';

/** Mautic's `mautic.email.default.signature`, the default `default_signature_text`, before `|FROM_NAME|`. */
const DEFAULT_SIGNATURE_TEXT = 'Best regards, ';

/**
 * What Mautic renders for `{signature}` without an owner, for a From as senders take it (`addr` or
 * `Name <addr>`): its default signature text with the From's display name (Mautic's global
 * `mailer_from_name`, not an email's own From name), or with nothing when the From has no name.
 */
export function mauticSignature(from: string): string {
  const name = /^\s*(.*?)\s*<[^<>]*>\s*$/.exec(from)?.[1] ?? '';
  return DEFAULT_SIGNATURE_TEXT + name.replace(/^"(.*)"$/, '$1').replace(/\\(.)/g, '$1');
}

/** A brace that does not follow another: `{{unsubscribe_url}}` is Liquid, not a Mautic token in braces. */
const OPEN = '(?:(?<!\\{)\\{|%7B)';
const CLOSE = '(?:\\}|%7D)';
const FIXED_TOKENS = [
  'unsubscribe_url',
  'unsubscribe_text',
  'webview_url',
  'webview_text',
  'tracking_pixel',
  'subject',
  'signature',
] as const;
type FixedToken = (typeof FIXED_TOKENS)[number];

/** Mautic's TokenHelper pattern: lazy up to the first closing brace, so a default cannot hold `}`. */
const CONTACT_FIELD = `${OPEN}contactfield=(.*?)${CLOSE}`;
/** OwnerSubscriber's OWNER_COLUMNS, blanked by an exact (case-insensitive) match of `{ownerfield=column}`. */
const OWNER_FIELD = '(?<!\\{)\\{ownerfield=(?:email|firstname|lastname|position|signature)\\}';
const TOKEN = new RegExp(`${CONTACT_FIELD}|${OPEN}(${FIXED_TOKENS.join('|')})${CLOSE}|${OWNER_FIELD}`, 'gi');
const ANY_TOKEN = new RegExp(TOKEN.source, 'i');

/** Mautic's default date formats (`date_format_dateonly` F j, Y; `date_format_timeonly` g:i a) as strftime. */
const DATE_FORMATS: Record<string, string> = {
  date: '%B %-d, %Y',
  time: '%-l:%M %P',
  datetime: '%B %-d, %Y %-l:%M %P',
};

/**
 * A Liquid string literal that says exactly `text`: every character but letters, digits and
 * spaces is a `\uXXXX` escape, so no quote, brace or `%` of a token's text can end the literal or
 * the output and inject Liquid.
 */
export function liquidStringLiteral(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    out += /[A-Za-z0-9 ]/.test(char) ? char : `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

function contactField(alias: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(alias) ? `contact.${alias}` : `contact[${liquidStringLiteral(alias)}]`;
}

function contactFieldLiquid(body: string): string {
  // Mautic splits on `|`: the alias before the first, the default between the first and second.
  const [alias, fallback = ''] = body.split('|');
  const value = contactField(alias.trim());
  if (fallback === 'true') return `{{ ${value} | url_encode }}`;
  const format = DATE_FORMATS[fallback];
  if (format) return `{{ ${value} | date: ${liquidStringLiteral(format)} }}`;
  return fallback ? `{{ ${value} | default: ${liquidStringLiteral(fallback)} }}` : `{{ ${value} }}`;
}

function fixedLiquid(token: FixedToken, kind: TemplateKind): string {
  switch (token) {
    case 'unsubscribe_url':
      return '{{ unsubscribe_url }}';
    case 'unsubscribe_text':
      return kind === 'html'
        ? '<a href="{{ unsubscribe_url }}">Unsubscribe</a> to no longer receive emails from us.'
        : 'Unsubscribe to no longer receive emails from us: {{ unsubscribe_url }}';
    case 'tracking_pixel':
      return BLANK_PIXEL;
    case 'subject':
      return '{{ subject }}';
    case 'signature':
      return '{{ signature }}';
    case 'webview_url':
      return '{{ webview_url }}';
    case 'webview_text':
      return kind === 'html'
        ? `{% if webview_url %}<a href="{{ webview_url }}">${WEB_VIEW_TEXT}</a>{% endif %}`
        : `{% if webview_url %}${WEB_VIEW_TEXT} {{ webview_url }}{% endif %}`;
  }
}

/** `{unsubscribe_url}` or `{unsubscribe_text}` (exported for `optOutRules`, which hands it to the admin UI). */
export const MAUTIC_UNSUBSCRIBE_TOKEN = new RegExp(`${OPEN}unsubscribe_(?:url|text)${CLOSE}`, 'i');

/** Whether the source holds `{unsubscribe_url}` or `{unsubscribe_text}`, which render the unsubscribe link. */
export function hasMauticUnsubscribeToken(source: string): boolean {
  return MAUTIC_UNSUBSCRIBE_TOKEN.test(source);
}

/** Whether the source holds a Mautic token this module translates. */
export function hasMauticTokens(source: string): boolean {
  return ANY_TOKEN.test(source);
}

/** The source with each Mautic token replaced by the Liquid that renders it; everything else untouched. */
export function mauticTokensToLiquid(source: string, kind: TemplateKind = 'text'): string {
  if (!source.includes('{') && !/%7B/i.test(source)) return source;
  return source.replace(
    TOKEN,
    (_match, field: string | undefined, fixed: string | undefined) =>
      field !== undefined
        ? contactFieldLiquid(field)
        : fixed !== undefined
          ? fixedLiquid(fixed.toLowerCase() as FixedToken, kind)
          : '', // an owner field: no contact has an owner
  );
}
