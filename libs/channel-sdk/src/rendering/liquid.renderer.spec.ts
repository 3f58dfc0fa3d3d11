import { createLiquidEngine } from '@switchboard/contracts';
import { LiquidRenderer, RENDER_STALLED } from './liquid.renderer';

const scope = { contact: { firstname: 'Ann & <Bob>' }, unsubscribe_url: 'https://u.example/x' };

/** Texts without `{{` or `{%`, which the renderer returns without Liquid: braces, percents, dashes, markup, Unicode. */
function tagFreeTexts(): string[] {
  const pieces = [
    '{',
    '}',
    '%',
    '-',
    '{ {',
    '{ %',
    '}}',
    '%}',
    '{-',
    '-}',
    '<b>',
    '&amp;',
    ' ',
    '\n',
    '\r\n',
    '\t',
    'é',
    '😀',
    'raw',
    'endraw',
    '"',
    "'",
  ];
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const texts = ['', 'Shop', ' Shop ', 'a } b { c', '{ contact.firstname }', '%} }} -%}'];
  while (texts.length < 500) {
    let text = '';
    for (let i = Math.floor(random() * 12); i > 0; i--) text += pieces[Math.floor(random() * pieces.length)];
    if (!text.includes('{{') && !text.includes('{%')) texts.push(text);
  }
  return texts;
}

describe('LiquidRenderer', () => {
  const sut = new LiquidRenderer();

  it('renders text without tags as Liquid does, in text and HTML mode', () => {
    const text = createLiquidEngine();
    const html = createLiquidEngine({ html: true });
    for (const source of tagFreeTexts()) {
      expect(sut.render(source, scope, 'text')).toBe(text.parseAndRenderSync(source, scope));
      expect(sut.render(source, scope, 'html')).toBe(html.parseAndRenderSync(source, scope));
    }
  });

  it('renders outputs and tags, escaped in HTML mode', () => {
    expect(sut.render('Hi {{ contact.firstname }}{% if unsubscribe_url %}!{% endif %}', scope, 'text')).toBe(
      'Hi Ann & <Bob>!',
    );
    expect(sut.render('Hi {{ contact.firstname }}', scope, 'html')).toBe('Hi Ann &amp; &lt;Bob&gt;');
  });

  it('refuses a template longer than the parse limit, with or without tags', () => {
    const long = 'x'.repeat(1_000_001);
    expect(() => sut.render(long, scope)).toThrow(expect.objectContaining({ code: 'template_error', permanent: true }));
    expect(() => sut.render(`{{ contact.firstname }}${long}`, scope)).toThrow(
      expect.objectContaining({ code: 'template_error' }),
    );
  });

  it('stops a render that runs past the time limit, as a permanent template error', () => {
    const items = Array.from({ length: 400 }, (_, i) => i);
    // As if the process had a whole core: the render used its time limit's worth of CPU.
    const cpu = jest
      .spyOn(process, 'cpuUsage')
      .mockImplementation((since) => (since ? { user: 250_000, system: 0 } : { user: 0, system: 0 }));
    const started = Date.now();
    expect(() =>
      sut.render(
        '{% for a in contact.items %}{% for b in contact.items %}{% for c in contact.items %}.{% endfor %}{% endfor %}{% endfor %}',
        { contact: { items } },
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'template_error',
        permanent: true,
        message: expect.stringContaining('template render limit exceeded'),
      }),
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    cpu.mockRestore();
  });

  it('calls a render that reached the time limit while the process got little CPU stalled, and transient', () => {
    const items = Array.from({ length: 400 }, (_, i) => i);
    // As if the process had been descheduled for the whole render: no CPU time passes.
    const cpu = jest.spyOn(process, 'cpuUsage').mockReturnValue({ user: 0, system: 0 });
    try {
      expect(() =>
        sut.render(
          '{% for a in contact.items %}{% for b in contact.items %}{% for c in contact.items %}.{% endfor %}{% endfor %}{% endfor %}',
          { contact: { items } },
        ),
      ).toThrow(expect.objectContaining({ code: RENDER_STALLED, permanent: false }));
    } finally {
      cpu.mockRestore();
    }
  });
});
