import { receiptReport } from './smpp-receipt';

describe('receiptReport', () => {
  const text = (stat: string, err = '000') =>
    `id:9f2a sub:001 dlvrd:001 submit date:2612071200 done date:2612071201 stat:${stat} err:${err} text:Hi`;

  it('reads the id and state from the TLVs, the error from the text', () => {
    const sut = receiptReport({
      esm_class: 0x04,
      short_message: { message: text('UNDELIV', '001') },
      receipted_message_id: 'abc',
      message_state: 5,
    });
    expect(sut).toMatchObject({ providerMessageId: 'abc', event: 'bounced', bounce: 'hard', code: 'UNDELIV err:001' });
  });

  it('falls back to the receipt text when the SMSC sends no TLVs', () => {
    expect(receiptReport({ esm_class: 0x04, short_message: text('DELIVRD') })).toMatchObject({
      providerMessageId: '9f2a',
      event: 'delivered',
      code: 'DELIVRD',
    });
    expect(receiptReport({ esm_class: 0x04, short_message: text('EXPIRED', '027') })).toMatchObject({
      event: 'bounced',
      bounce: 'soft',
    });
  });

  it('ignores mobile-originated messages, intermediate notifications and non-final states', () => {
    expect(receiptReport({ esm_class: 0, short_message: 'STOP' })).toBeUndefined();
    expect(receiptReport({ esm_class: 0x20, short_message: text('ENROUTE') })).toBeUndefined();
    expect(receiptReport({ esm_class: 0x04, short_message: text('ACCEPTD') })).toBeUndefined();
  });
});
