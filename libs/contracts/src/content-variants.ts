import { matchesContentFilters, type FilterSubject } from './content-filters';
import { stripHtml } from './rest/input.dto';
import type { ContentItem } from './rpc/catalog.rpc';

/** Which content a contact was sent (DESIGN §7.2): recorded on the delivery and counted by variant. */
export interface ContentChoice {
  /** The variant sent; absent for the base content. */
  variant?: string;
  /** Per dynamic-content token: `default`, or the 1-based position of the alternative sent (`"2"`). */
  dynamicContent?: Record<string, string>;
}

export const DEFAULT_DYNAMIC_CONTENT = 'default';

/** The fields that hold an email's dynamic-content tokens, and whether each is HTML. */
const TOKEN_FIELDS = { customHtml: true, plainText: false, subject: false } as const;

/** `{dynamiccontent="name"}`, also with the quotes an HTML editor escapes. */
const tokenPattern = (tokenName: string) => {
  const name = tokenName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\{dynamiccontent=(?:"|&quot;|&#34;)${name}(?:"|&quot;|&#34;)\\}`, 'gi');
};

/**
 * The content as this contact is sent it at `now`: the first variant whose filters match, its
 * fields over the base's; then, in an email, each `{dynamiccontent="..."}` replaced by the first
 * alternative whose filters match, else the token's default (Mautic's rule). The replacement
 * happens before Liquid, so an alternative may use Liquid like the body around it.
 */
export function personalise(
  item: ContentItem,
  subject: FilterSubject,
  now: Date,
): { content: ContentItem; choice: ContentChoice } {
  const choice: ContentChoice = {};
  if (!item.variants?.length && !item.dynamicContent?.length) return { content: item, choice };
  let fields = item.fields;
  const variant = item.variants?.find((v) => matchesContentFilters(v.filters, subject, now));
  if (variant) {
    fields = { ...fields, ...variant.fields };
    choice.variant = variant.name;
  }
  if (!variant && !item.dynamicContent?.length) return { content: item, choice };
  if (item.dynamicContent?.length) {
    const picked: Record<string, string> = {};
    const replacements = item.dynamicContent.map((token) => {
      const index = token.choices.findIndex((c) => matchesContentFilters(c.filters, subject, now));
      picked[token.tokenName] = index < 0 ? DEFAULT_DYNAMIC_CONTENT : String(index + 1);
      return { pattern: tokenPattern(token.tokenName), html: index < 0 ? token.content : token.choices[index].content };
    });
    fields = { ...fields };
    for (const [field, isHtml] of Object.entries(TOKEN_FIELDS)) {
      const source = fields[field];
      if (typeof source !== 'string' || !/\{dynamiccontent=/i.test(source)) continue;
      let text = source;
      for (const { pattern, html } of replacements)
        text = text.replace(pattern, () => (isHtml ? html : stripHtml(html)));
      fields[field] = text;
    }
    choice.dynamicContent = picked;
  }
  return { content: { ...item, fields }, choice };
}
