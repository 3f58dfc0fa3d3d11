import { escapeHtml, htmlToText, rewriteLinks } from './html';

describe('email HTML helpers', () => {
  it('rewrites http(s) links with the decoded URL, and leaves the ones to keep, mailto and anchors', () => {
    const sut = rewriteLinks(
      '<a class="b" href="https://a.example/?x=1&amp;y=2">A</a> <a href=\'http://b.example\'>B</a> <a href="mailto:x@y.z">M</a> <a href="#top">T</a> <a href="https://keep.example">K</a>',
      (url) => `https://t.example/c?u=${encodeURIComponent(url)}&k=1`,
      (url) => url.startsWith('https://keep.'),
    );
    expect(sut).toBe(
      '<a class="b" href="https://t.example/c?u=https%3A%2F%2Fa.example%2F%3Fx%3D1%26y%3D2&amp;k=1">A</a> <a href=\'https://t.example/c?u=http%3A%2F%2Fb.example&amp;k=1\'>B</a> <a href="mailto:x@y.z">M</a> <a href="#top">T</a> <a href="https://keep.example">K</a>',
    );
  });

  it('rewrites the href attribute only, not an attribute whose name ends in href', () => {
    const sut = rewriteLinks(
      '<a data-href="https://data.example" href="https://real.example">R</a>',
      (url) => `https://t.example/?u=${encodeURIComponent(url)}`,
      () => false,
    );
    expect(sut).toBe(
      '<a data-href="https://data.example" href="https://t.example/?u=https%3A%2F%2Freal.example">R</a>',
    );
    expect(htmlToText('<a data-href="https://data.example" href="https://real.example">R</a>')).toBe(
      'R (https://real.example)',
    );
  });

  it('escapes the five HTML special characters', () => {
    expect(escapeHtml(`<a href="x?a=1&b='2'">&amp;</a>`)).toBe(
      '&lt;a href=&quot;x?a=1&amp;b=&#39;2&#39;&quot;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('turns HTML into readable text', () => {
    const sut = htmlToText(
      '<html><head><style>p{}</style></head><body><h1>Hi &amp; welcome</h1><p>Line one<br>line   two</p><ul><li>a</li><li>b</li></ul><p><a href="https://x.example/?a=1&amp;b=2">the sale</a> <a href="https://y.example">https://y.example</a></p></body></html>',
    );
    expect(sut).toBe(
      'Hi & welcome\n\nLine one\nline two\n\n- a\n\n- b\n\nthe sale (https://x.example/?a=1&b=2) https://y.example',
    );
  });
});
