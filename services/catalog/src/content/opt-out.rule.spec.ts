import type { CatalogConfig } from '../catalog.config';
import { OptOutRule } from './opt-out.rule';

const config = (strict: boolean) =>
  ({ optOut: { strict, smsText: 'Text END', unsubscribeText: 'Leave' } }) as CatalogConfig;
const published = (fields: Record<string, unknown>) => ({ isPublished: true, fields });

describe('OptOutRule', () => {
  const sut = new OptOutRule(config(true));

  it('takes the link from the HTML or the template; from the text only when there is no HTML', () => {
    const html = { customHtml: '<p>Hi</p>', plainText: 'Bye {{ unsubscribe_url }}' };
    expect(sut.check('email', published(html), { autoAppend: false })).toMatchObject({
      ok: false,
      errors: { customHtml: [expect.any(String)] },
    });
    expect(sut.check('email', published(html), { autoAppend: false, layout: '{{ unsubscribe_url }}' }).ok).toBe(true);
    expect(sut.check('email', published({ plainText: 'Bye {{ unsubscribe_url }}' }), { autoAppend: false }).ok).toBe(
      true,
    );
  });

  it('appends the footers to the parts that lack the link', () => {
    const verdict = sut.check('email', published({ customHtml: '<p>Hi</p>', plainText: 'Hi' }), { autoAppend: true });
    expect(verdict).toEqual({
      ok: true,
      fields: {
        customHtml:
          '<p>Hi</p><p style="font-size:12px;color:#777;text-align:center"><a href="{{ unsubscribe_url }}">Leave</a></p>',
        plainText: 'Hi\n\nLeave: {{ unsubscribe_url }}\n',
      },
    });
  });

  it('checks SMS for an opt-out and leaves drafts and other types alone', () => {
    expect(sut.check('sms', published({ message: 'Sale' }), { autoAppend: false }).ok).toBe(false);
    expect(sut.check('sms', published({ message: 'Sale' }), { autoAppend: true })).toEqual({
      ok: true,
      fields: { message: 'Sale\nText END' },
    });
    expect(sut.check('sms', { isPublished: false, fields: { message: 'Sale' } }, { autoAppend: false }).ok).toBe(true);
    expect(sut.check('tweet', published({ text: 'Sale' }), { autoAppend: false }).ok).toBe(true);
  });

  it('without strict mode refuses nothing but still appends on request', () => {
    const lenient = new OptOutRule(config(false));
    expect(lenient.check('sms', published({ message: 'Sale' }), { autoAppend: false })).toEqual({
      ok: true,
      fields: { message: 'Sale' },
    });
    expect(lenient.check('sms', published({ message: 'Sale' }), { autoAppend: true })).toEqual({
      ok: true,
      fields: { message: 'Sale\nText END' },
    });
  });
});
