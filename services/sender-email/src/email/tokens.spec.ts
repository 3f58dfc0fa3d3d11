import { applyTokens } from './tokens';

describe('applyTokens', () => {
  const tokens = { '{order}': 'A-17', '{note}': '<b>thanks</b>', '{a.b}': '{order}' };

  it('replaces each braced token, HTML as given in HTML and stripped in text', () => {
    expect(applyTokens('<p>{order}: {note}</p>', tokens, 'html')).toBe('<p>A-17: <b>thanks</b></p>');
    expect(applyTokens('{order}: {note}', tokens, 'text')).toBe('A-17: thanks');
  });

  it('expands once (a value naming another token stays as it is) and leaves unknown tokens', () => {
    expect(applyTokens('{a.b} {other}', tokens, 'text')).toBe('{order} {other}');
    expect(applyTokens('{order}', undefined, 'text')).toBe('{order}');
  });
});
