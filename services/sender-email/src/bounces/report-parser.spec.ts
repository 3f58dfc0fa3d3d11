import { parseReport } from './report-parser';

const dsn = (recipient: string[], extra = '') =>
  [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>',
    'To: bounce+abc.0011@b.example',
    'Message-ID: <dsn-1@mx.example.org>',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    '\tboundary="=_B1"',
    '',
    'This is a MIME-encapsulated message.',
    '',
    '--=_B1',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'I could not deliver your message.',
    '',
    '--=_B1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.org',
    'Arrival-Date: Mon, 7 Dec 2026 04:00:00 +0000',
    '',
    ...recipient,
    '',
    '--=_B1',
    'Content-Type: text/rfc822-headers',
    '',
    'Return-Path: <bounce+abc.0011@b.example>',
    'Message-ID: <orig-1@shop.example>',
    extra,
    '--=_B1--',
    '',
  ].join('\r\n');

describe('parseReport', () => {
  it('reads a hard bounce from a failed DSN with a 5.x.x status', () => {
    const report = parseReport(
      dsn([
        'Final-Recipient: rfc822; eve@example.org',
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1',
        ' <eve@example.org>: user unknown',
      ]),
    );
    expect(report).toMatchObject({
      kind: 'dsn',
      outcome: {
        event: 'bounced',
        bounce: 'hard',
        code: '5.1.1',
        diagnostic: '550 5.1.1 <eve@example.org>: user unknown',
      },
      reportId: '<dsn-1@mx.example.org>',
      originalMessageId: '<orig-1@shop.example>',
    });
    expect(report!.text).toContain('bounce+abc.0011@b.example');
  });

  it('reads a soft bounce from a 4.x.x failure or a delay', () => {
    expect(parseReport(dsn(['Final-Recipient: rfc822; a@x', 'Action: failed', 'Status: 4.2.2']))!.outcome).toEqual({
      event: 'bounced',
      bounce: 'soft',
      code: '4.2.2',
    });
    expect(
      parseReport(dsn(['Final-Recipient: rfc822; a@x', 'Action: delayed', 'Status: 4.4.7']))!.outcome,
    ).toMatchObject({
      event: 'bounced',
      bounce: 'soft',
    });
  });

  it('reads a delivery from a success DSN', () => {
    expect(
      parseReport(dsn(['Final-Recipient: rfc822; a@x', 'Action: delivered', 'Status: 2.0.0']))!.outcome,
    ).toMatchObject({
      event: 'delivered',
      code: '2.0.0',
    });
  });

  it('reads a complaint from an ARF report, but not a not-spam one', () => {
    const arf = (type: string) =>
      [
        'From: fbl@isp.example',
        'Content-Type: multipart/report; report-type=feedback-report; boundary="B"',
        '',
        '--B',
        'Content-Type: text/plain',
        '',
        'This is an email abuse report',
        '--B',
        'Content-Type: message/feedback-report',
        '',
        `Feedback-Type: ${type}`,
        'User-Agent: ISP-FBL/1.0',
        'Version: 1',
        '--B',
        'Content-Type: message/rfc822',
        '',
        'Return-Path: <bounce+abc.0011@b.example>',
        'Message-ID: <orig-2@shop.example>',
        '',
        'Hello',
        '--B--',
      ].join('\r\n');
    expect(parseReport(arf('abuse'))).toMatchObject({
      kind: 'arf',
      outcome: { event: 'complained', code: 'abuse', diagnostic: 'abuse (reported by ISP-FBL/1.0)' },
      originalMessageId: '<orig-2@shop.example>',
    });
    expect(parseReport(arf('not-spam'))).toBeUndefined();
  });

  it('ignores ordinary mail and malformed reports', () => {
    expect(parseReport('Subject: out of office\r\n\r\nI am away')).toBeUndefined();
    expect(
      parseReport('Content-Type: multipart/report; report-type=delivery-status\r\n\r\nno boundary'),
    ).toBeUndefined();
    expect(parseReport(dsn(['Final-Recipient: rfc822; a@x']))).toBeUndefined();
  });
});
