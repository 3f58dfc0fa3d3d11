import { tweetLength as sut } from './tweet-length';

describe('tweetLength', () => {
  it('counts Latin text by code point, CJK and emoji double, and any URL as 23', () => {
    expect(sut('Hello @ada_l')).toBe(12);
    expect(sut('こんにちは')).toBe(10);
    expect(sut('ok 👋')).toBe(5);
    expect(sut(`see https://shop.example/${'x'.repeat(200)} now`)).toBe(4 + 23 + 4);
  });

  it('normalises to NFC first', () => {
    expect(sut('e\u0301')).toBe(1);
  });
});
