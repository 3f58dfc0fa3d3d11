import { createLiquidEngine } from './liquid-engine';
import { LiquidTemplates } from './liquid-templates';
import {
  BLANK_PIXEL,
  hasMauticTokens,
  liquidStringLiteral,
  mauticSignature,
  mauticTokensToLiquid,
} from './mautic-tokens';
import { hasUnsubscribeLink } from './opt-out';

const unsubscribe = 'https://t.example/u/abc';
const scope = {
  contact: {
    firstname: 'Ann & <Bob>',
    lastname: '',
    email: 'ann@example.com',
    favourite_colour: 'teal',
    'shoe size': 42,
    city: 'New York',
    birthday: '2024-03-05T15:04:00',
  },
  unsubscribe_url: unsubscribe,
};

describe('mauticTokensToLiquid', () => {
  const sut = new LiquidTemplates();
  const text = (source: string) => sut.render(source, scope, 'text');
  const html = (source: string) => sut.render(source, scope, 'html');

  it('renders contact fields, standard and custom, whatever the alias', () => {
    expect(mauticTokensToLiquid('Hi {contactfield=firstname}')).toBe('Hi {{ contact.firstname }}');
    expect(text('Hi {contactfield=firstname}, {contactfield=favourite_colour}')).toBe('Hi Ann & <Bob>, teal');
    expect(text('{contactfield=shoe size}')).toBe('42');
    expect(text('[{contactfield=nosuchfield}]')).toBe('[]');
  });

  it('escapes values in HTML as Liquid output is', () => {
    expect(html('<p>Hi {contactfield=firstname}</p>')).toBe('<p>Hi Ann &amp; &lt;Bob&gt;</p>');
  });

  it('uses the text after | when the field is empty, and only then', () => {
    expect(text('Hi {contactfield=lastname|friend}')).toBe('Hi friend');
    expect(text('Hi {contactfield=missing|dear reader}')).toBe('Hi dear reader');
    expect(text('Hi {contactfield=firstname|friend}')).toBe('Hi Ann & <Bob>');
    expect(html('{contactfield=missing|Tom & "Jerry"}')).toBe('Tom &amp; &#34;Jerry&#34;');
  });

  it('url-encodes with |true and formats dates with |date, |time, |datetime as Mautic does', () => {
    expect(text('https://x.example/?c={contactfield=city|true}')).toBe('https://x.example/?c=New+York');
    expect(text('{contactfield=birthday|date}')).toBe('March 5, 2024');
    expect(text('{contactfield=birthday|time}')).toBe('3:04 pm');
    expect(text('{contactfield=birthday|datetime}')).toBe('March 5, 2024 3:04 pm');
    expect(text('[{contactfield=missing|date}]')).toBe('[]');
  });

  it("renders the web view link and Mautic's text around it where the sender provides webview_url", () => {
    const webview = 'https://t.example/email/view/abc.def';
    const withLink = { ...scope, webview_url: webview };
    expect(mauticTokensToLiquid('<a href="{webview_url}">View</a>')).toBe('<a href="{{ webview_url }}">View</a>');
    expect(sut.render('<a href="%7Bwebview_url%7D">View</a>', withLink, 'html')).toBe(`<a href="${webview}">View</a>`);
    expect(sut.render('<p>{webview_text}</p>', withLink, 'html')).toBe(
      `<p><a href="${webview}">Having trouble reading this email? Click here.</a></p>`,
    );
    expect(sut.render('{webview_text}', withLink, 'text')).toBe(
      `Having trouble reading this email? Click here. ${webview}`,
    );
    // {{ webview_url }} is Liquid already: left alone.
    expect(mauticTokensToLiquid('{{webview_url}}')).toBe('{{webview_url}}');
  });

  it('renders no web view where there is none (an SMS, a channel without webview_url): no link to nowhere', () => {
    expect(html('[{webview_text}|{webview_url}]')).toBe('[|]');
    expect(text('[{WEBVIEW_TEXT}]')).toBe('[]');
  });

  it('reads url-encoded braces, as editors leave them in an href', () => {
    expect(html('<a href="https://x.example/?e=%7Bcontactfield=email%7D">x</a>')).toBe(
      '<a href="https://x.example/?e=ann@example.com">x</a>',
    );
    expect(html('<a href="%7Bunsubscribe_url%7D">x</a>')).toBe(`<a href="${unsubscribe}">x</a>`);
  });

  it('renders the unsubscribe link and text and a blank pixel', () => {
    expect(html('<a href="{unsubscribe_url}">Leave</a>')).toBe(`<a href="${unsubscribe}">Leave</a>`);
    expect(html('{unsubscribe_text}')).toBe(
      `<a href="${unsubscribe}">Unsubscribe</a> to no longer receive emails from us.`,
    );
    expect(text('{unsubscribe_text}')).toBe(`Unsubscribe to no longer receive emails from us: ${unsubscribe}`);
    expect(html('<img src="{tracking_pixel}">')).toBe(`<img src="${BLANK_PIXEL}">`);
    expect(mauticTokensToLiquid('<title>{subject}</title>')).toBe('<title>{{ subject }}</title>');
    expect(sut.render('<h1>{subject}</h1>', { ...scope, subject: 'Sale & more' }, 'html')).toBe(
      '<h1>Sale &amp; more</h1>',
    );
  });

  it("blanks Mautic's owner fields, as Mautic does for a contact without an owner (every contact here)", () => {
    const owner =
      '[{ownerfield=email}|{ownerfield=firstname}|{ownerfield=lastname}|{ownerfield=position}|{ownerfield=signature}]';
    expect(mauticTokensToLiquid(owner)).toBe('[||||]');
    expect(text(owner)).toBe('[||||]');
    expect(html(`<p>${owner}</p>`)).toBe('<p>[||||]</p>');
    expect(text('Ask {OwnerField=FirstName}.')).toBe('Ask .'); // MailHelper's str_ireplace
    expect(hasMauticTokens('Your rep, {ownerfield=firstname}')).toBe(true);
  });

  it('leaves owner fields Mautic does not know, url-encoded ones and Liquid-looking ones as written', () => {
    // OwnerSubscriber replaces exactly `{ownerfield=<one of its five columns>}`; nothing else.
    for (const source of [
      '{ownerfield=phone}',
      '{ownerfield=firstname|there}',
      '{ownerfield= firstname}',
      '<a href="https://x.example/?o=%7Bownerfield=email%7D">x</a>',
      '{{ownerfield=firstname}}',
    ])
      expect(mauticTokensToLiquid(source)).toBe(source);
  });

  it("renders {signature} as the sender's signature, and nothing where no sender provides one (an SMS)", () => {
    const signed = { ...scope, signature: mauticSignature('Acme & Sons <shop@acme.example>') };
    expect(mauticTokensToLiquid('<p>{signature}</p>')).toBe('<p>{{ signature }}</p>');
    expect(sut.render('<p>Thanks!<br>{signature}</p>', signed, 'html')).toBe(
      '<p>Thanks!<br>Best regards, Acme &amp; Sons</p>',
    );
    expect(sut.render('Thanks! {SIGNATURE}', signed, 'text')).toBe('Thanks! Best regards, Acme & Sons');
    expect(text('[{signature}]')).toBe('[]');
    expect(mauticTokensToLiquid('{{signature}}')).toBe('{{signature}}');
  });

  it("gives Mautic's default signature with the From's display name, or none", () => {
    expect(mauticSignature('Acme Shop <shop@acme.example>')).toBe('Best regards, Acme Shop');
    expect(mauticSignature('"Acme, \\"Inc\\"" <shop@acme.example>')).toBe('Best regards, Acme, "Inc"');
    expect(mauticSignature('shop@acme.example')).toBe('Best regards, ');
    expect(mauticSignature('<shop@acme.example>')).toBe('Best regards, ');
  });

  it('cannot be made to run Liquid through a From name', () => {
    const signed = { ...scope, signature: mauticSignature('{{ contact.email }} {% raw %} <x@acme.example>') };
    expect(sut.render('{signature}', signed, 'text')).toBe('Best regards, {{ contact.email }} {% raw %}');
  });

  it('leaves unknown tokens, dynamic content and Liquid as they are', () => {
    const source =
      '{dynamiccontent="Dynamic Content 1"} {ownerfield=mobile} {today} {custom_token} {{ contact.firstname }}';
    expect(mauticTokensToLiquid(source)).toBe(source);
    expect(text('{dynamiccontent="Dynamic Content 1"} {ownerfield=mobile} {today}')).toBe(
      '{dynamiccontent="Dynamic Content 1"} {ownerfield=mobile} {today}',
    );
    expect(hasMauticTokens(source)).toBe(false);
    // Liquid written without spaces is Liquid.
    for (const liquid of ['{{unsubscribe_url}}', '{{contactfield=firstname}}', '{{- unsubscribe_url -}}'])
      expect(mauticTokensToLiquid(liquid)).toBe(liquid);
    expect(text('<a href="{{unsubscribe_url}}">x</a>')).toBe(`<a href="${unsubscribe}">x</a>`);
    expect(hasMauticTokens('Hi {contactfield=firstname}')).toBe(true);
  });

  it('cannot be made to run Liquid through a default text or an alias', () => {
    // A token ends at its first closing brace (Mautic's pattern), so a default holds no `}`; what
    // it can hold — quotes, `{{`, `{%`, backslashes — comes out as text; a second `|` ends it (Mautic
    // takes the text between the first and the second).
    const attempts: Record<string, string> = {
      '{contactfield=missing|" | append: contact.email | append: "}': '" ',
      "{contactfield=missing|' | append: contact.email | append: '}": "' ",
      '{contactfield=missing|{{ contact.email }': '{{ contact.email ',
      '{contactfield=missing|{% assign e = contact.email %}': '{% assign e = contact.email %',
      '{contactfield=missing|\\" | append: contact.email | append: \\"}': '\\" ',
      '{contactfield=missing|ü😀 \\u0041}': 'ü😀 \\u0041',
    };
    for (const [source, expected] of Object.entries(attempts)) {
      expect(text(source)).toBe(expected);
      expect(html(source)).not.toContain('ann@example.com');
    }
    expect(text('[{contactfield=x"] | append: contact.email | append: contact["y}]')).toBe('[ append: contact.email ]');
  });

  it('writes a Liquid string literal that the engine reads back as the same text', () => {
    const engine = createLiquidEngine();
    const samples = ['plain', '"quoted" \'single\'', '}}{%-%}{{', 'back\\slash \\u0041', 'ünïcödé 😀 \n\t'];
    for (const sample of samples) {
      expect(engine.parseAndRenderSync(`{{ ${liquidStringLiteral(sample)} }}`)).toBe(sample);
    }
  });

  it('lets the opt-out rule see the unsubscribe link in Mautic tokens', () => {
    expect(hasUnsubscribeLink('<a href="{unsubscribe_url}">x</a>')).toBe(true);
    expect(hasUnsubscribeLink('<p>{unsubscribe_text}</p>')).toBe(true);
    expect(hasUnsubscribeLink('<a href="%7Bunsubscribe_url%7D">x</a>')).toBe(true);
    expect(hasUnsubscribeLink('<a href="{webview_url}">x</a>')).toBe(false);
  });
});
