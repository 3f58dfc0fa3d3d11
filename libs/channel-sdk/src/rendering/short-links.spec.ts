import { shortenLinks } from './short-links';

describe('shortenLinks', () => {
  const sut = (text: string) => shortenLinks(text, (url) => `[${url}]`);

  it('replaces each http(s) URL and keeps the sentence around it', () => {
    expect(sut('Sale: https://shop.example/a?b=1&c=2. Also http://x.example/y, now!')).toBe(
      'Sale: [https://shop.example/a?b=1&c=2]. Also [http://x.example/y], now!',
    );
  });

  it('leaves text without links, and other schemes, alone', () => {
    expect(sut('Call us, or mailto:a@b.example, or ftp://f.example')).toBe(
      'Call us, or mailto:a@b.example, or ftp://f.example',
    );
  });

  it('keeps a closing parenthesis out of the URL', () => {
    expect(sut('(see https://s.example/p)')).toBe('(see [https://s.example/p])');
  });
});
