/** What the test uses of the UI module (plain JavaScript, type-checked by services/admin-web/tsconfig.json). */
interface LiquidGuard {
  liquidTags(html: string): string[];
  restoreLiquid(html: string): string;
  visualEditingProblem(html: string, roundTrip: string): string | null;
}

/** The Liquid guard of the email body editor: what the browser's serialisation does to Liquid, undone. */
describe('html-editor Liquid guard', () => {
  let liquidTags: LiquidGuard['liquidTags'];
  let restoreLiquid: LiquidGuard['restoreLiquid'];
  let visualEditingProblem: LiquidGuard['visualEditingProblem'];

  beforeAll(async () => {
    const modulePath = '../public/assets/views/html-editor.js';
    ({ liquidTags, restoreLiquid, visualEditingProblem } = (await import(modulePath)) as LiquidGuard);
  });

  it('undoes the entities a DOM serialisation puts inside Liquid tags, and only there', () => {
    const serialised =
      '<p>A &amp; B {% if a &gt; 1 and b &lt; 2 %}x{% endif %}&nbsp;{{&nbsp;contact.firstname }}</p>' +
      '<a href="{{ contact.url | default: &quot;https://example.org/?a=1&amp;b=2&quot; }}">x</a>';
    expect(restoreLiquid(serialised)).toBe(
      '<p>A &amp; B {% if a > 1 and b < 2 %}x{% endif %}&nbsp;{{ contact.firstname }}</p>' +
        '<a href="{{ contact.url | default: "https://example.org/?a=1&b=2" }}">x</a>',
    );
  });

  it('lists Liquid tags in order', () => {
    expect(liquidTags('<p>{{ a }}</p>{% if b %}{{ c | upcase }}{% endif %}')).toEqual([
      '{{ a }}',
      '{% if b %}',
      '{{ c | upcase }}',
      '{% endif %}',
    ]);
    expect(liquidTags('<p>none</p>')).toEqual([]);
  });

  it('keeps in the HTML view a whole document, and a body whose Liquid the parser moved', () => {
    expect(visualEditingProblem('<p>{{ a }}</p>', '<p>{{ a }}</p>')).toBeNull();
    expect(visualEditingProblem('<html><body>x</body></html>', 'x')).toMatch(/whole HTML document/);
    const loop = '<table><tbody>{% for r in rows %}<tr><td>{{ r }}</td></tr>{% endfor %}</tbody></table>';
    const moved = '<p>{% for r in rows %}{% endfor %}</p><table><tbody><tr><td>{{ r }}</td></tr></tbody></table>';
    expect(visualEditingProblem(loop, moved)).toMatch(/would move them/);
  });
});
