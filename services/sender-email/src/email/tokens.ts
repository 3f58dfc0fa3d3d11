import { stripHtml, type SendTokens } from '@switchboard/contracts';

/**
 * Mautic's send tokens: each `{token}` in the rendered content becomes its value — limited HTML
 * in the HTML part (the API cleaned it on the way in), plain text in the subject and text part.
 * One pass over the content, so a value that contains another token is not expanded again.
 */
export function applyTokens(content: string, tokens: SendTokens | undefined, as: 'html' | 'text'): string {
  if (!tokens) return content;
  const keys = Object.keys(tokens);
  if (keys.length === 0) return content;
  const pattern = new RegExp(keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return content.replace(pattern, (key) => (as === 'html' ? tokens[key] : stripHtml(tokens[key])));
}
