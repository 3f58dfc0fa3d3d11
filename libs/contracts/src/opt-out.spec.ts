import {
  hasSmsOptOut,
  hasUnsubscribeLink,
  insertBeforeBodyEnd,
  optOutRules,
  withSmsOptOut,
  withUnsubscribeFooterHtml,
  withUnsubscribeFooterText,
} from './opt-out';

const OPT_OUT = 'Reply STOP to opt out';

describe('opt-out and unsubscribe tags', () => {
  it('finds the unsubscribe link as Liquid or rendered', () => {
    expect(hasUnsubscribeLink('<a href="{{ unsubscribe_url }}">x</a>')).toBe(true);
    expect(hasUnsubscribeLink('<a href="{{contact.unsubscribe_url}}">x</a>')).toBe(true);
    expect(hasUnsubscribeLink('<a href="{{- unsubscribe_url | url_encode }}">x</a>')).toBe(true);
    expect(hasUnsubscribeLink('<a href="https://u.example/u/1">x</a>', 'https://u.example/u/1')).toBe(true);
    expect(hasUnsubscribeLink('<p>Unsubscribe: reply</p>', 'https://u.example/u/1')).toBe(false);
    expect(hasUnsubscribeLink('{{ unsubscribe_urls }}')).toBe(false);
    expect(hasUnsubscribeLink(null)).toBe(false);
  });

  it('finds an SMS opt-out as {{ optout }}, the configured text or the word STOP', () => {
    expect(hasSmsOptOut('Sale! {{ optout }}', OPT_OUT)).toBe(true);
    expect(hasSmsOptOut('Sale! Text Stop to end', OPT_OUT)).toBe(true);
    expect(hasSmsOptOut(`Sale!\n${OPT_OUT}`, OPT_OUT)).toBe(true);
    expect(hasSmsOptOut('Sale! Unstoppable deals', OPT_OUT)).toBe(false);
    expect(hasSmsOptOut('Sale!', 'Odhlaseni: NE na 9000')).toBe(false);
  });

  it('hands a client the same rules as data, with the configured SMS text', () => {
    const rules = optOutRules('Odhlaseni: NE na 9000');
    const matches = (patterns: { source: string; flags: string }[], text: string) =>
      patterns.some((p) => new RegExp(p.source, p.flags).test(text));
    const sms = (text: string) => matches(rules.sms.patterns, text) || text.includes(rules.sms.text);
    for (const text of ['Sale! {{ optout }}', 'Sale! Text Stop to end', 'Sale!\nOdhlaseni: NE na 9000', 'Sale!'])
      expect(sms(text)).toBe(hasSmsOptOut(text, 'Odhlaseni: NE na 9000'));
    for (const text of [
      '<a href="{{ unsubscribe_url }}">x</a>',
      '<a href="{unsubscribe_url}">x</a>',
      '{unsubscribe_text}',
      '{{ unsubscribe_urls }}',
      '<p>x</p>',
    ])
      expect(matches(rules.email.patterns, text)).toBe(hasUnsubscribeLink(text));
    expect(JSON.parse(JSON.stringify(rules))).toEqual(rules);
  });

  it('appends the SMS opt-out text on its own line only where it is missing', () => {
    expect(withSmsOptOut('Sale! ', OPT_OUT)).toBe(`Sale!\n${OPT_OUT}`);
    expect(withSmsOptOut('Sale! Reply STOP', OPT_OUT)).toBe('Sale! Reply STOP');
  });

  it('adds the email footer before </body> and to the text part only where the link is missing', () => {
    const tag = '{{ unsubscribe_url }}';
    expect(withUnsubscribeFooterHtml('<html><body><p>Hi</p></body></html>', tag, 'Leave & go')).toBe(
      '<html><body><p>Hi</p><p style="font-size:12px;color:#777;text-align:center"><a href="{{ unsubscribe_url }}">Leave &amp; go</a></p></body></html>',
    );
    expect(withUnsubscribeFooterHtml(`<p><a href="${tag}">bye</a></p>`, tag, 'Unsubscribe')).toBe(
      `<p><a href="${tag}">bye</a></p>`,
    );
    expect(withUnsubscribeFooterText('Hi\n', 'https://u.example/u/1', 'Unsubscribe')).toBe(
      'Hi\n\nUnsubscribe: https://u.example/u/1\n',
    );
  });

  it('inserts before the closing body tag, or appends', () => {
    expect(insertBeforeBodyEnd('<html><body><p>x</p></body></html>', '<i>')).toBe(
      '<html><body><p>x</p><i></body></html>',
    );
    expect(insertBeforeBodyEnd('<p>x</p>', '<i>')).toBe('<p>x</p><i>');
  });
});
