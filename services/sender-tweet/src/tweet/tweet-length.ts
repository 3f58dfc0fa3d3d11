export const MAX_TWEET_LENGTH = 280;
/** Every URL counts as a t.co link. */
const URL_LENGTH = 23;
const URL = /https?:\/\/[^\s]+/gi;

/** Light code points weigh 1 (Latin, Greek, Cyrillic... and some punctuation), the others 2 (twitter-text v3). */
function weight(codePoint: number): number {
  const light =
    codePoint <= 4351 ||
    (codePoint >= 8192 && codePoint <= 8205) ||
    (codePoint >= 8208 && codePoint <= 8223) ||
    (codePoint >= 8242 && codePoint <= 8247);
  return light ? 1 : 2;
}

/** The length X counts for a tweet: NFC-normalised, weighted code points, URLs as 23. */
export function tweetLength(text: string): number {
  let length = 0;
  const rest = text.normalize('NFC').replace(URL, () => {
    length += URL_LENGTH;
    return '';
  });
  for (const ch of rest) length += weight(ch.codePointAt(0)!);
  return length;
}
