import { tweetLength as sut } from './tweet-length';

describe('tweetLength', () => {
  it('counts Latin text by code point, CJK and emoji double, and any URL as 23', () => {
    expect(sut('Hello @ada_l')).toBe(12);
    expect(sut('こんにちは')).toBe(10);
    expect(sut('ok 👋')).toBe(5);
    expect(sut(`see https://shop.example.com/${'x'.repeat(200)} now`)).toBe(4 + 23 + 4);
  });

  it('counts a URL without a scheme as a link, as X does', () => {
    expect(sut('see shop.example.com/sale now')).toBe(4 + 23 + 4);
  });

  it('counts a joined emoji sequence (family, skin tone) as one emoji', () => {
    expect(sut('👨‍👩‍👧‍👦')).toBe(2);
    expect(sut('👋🏽')).toBe(2);
  });

  it('normalises to NFC first', () => {
    expect(sut('e\u0301')).toBe(1);
  });
});
