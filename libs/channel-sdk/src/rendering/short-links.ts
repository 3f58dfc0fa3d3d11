/** An http(s) URL in plain text, up to whitespace or a character no URL holds bare. */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Sentence punctuation right after a URL belongs to the sentence. */
const TRAILING = /[.,;:!?)\]}]+$/;

/** Every http(s) URL of a text replaced by `shorten(url)` (DESIGN §7.2 short links). */
export function shortenLinks(text: string, shorten: (url: string) => string): string {
  return text.replace(URL_IN_TEXT, (match) => {
    const tail = TRAILING.exec(match)?.[0] ?? '';
    const url = match.slice(0, match.length - tail.length);
    return url.length > 'https://'.length ? `${shorten(url)}${tail}` : match;
  });
}
