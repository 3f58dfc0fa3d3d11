import { signTrackingToken, trackingUrls, verifyTrackingToken, type TrackingClaims } from './index';

const claims: TrackingClaims = {
  kind: 'click',
  dispatchId: 'd1',
  sendId: 's1',
  messageId: 7,
  contactId: 'c-1',
  channel: 'email',
  url: 'https://example.com/a',
};

describe('tracking tokens', () => {
  it('round-trips claims signed with the secret', () => {
    expect(verifyTrackingToken('k', signTrackingToken('k', claims))).toEqual(claims);
  });

  it('signs as tokens already sent were signed: base64url(JSON) and its base64url HMAC-SHA256', () => {
    const open: TrackingClaims = {
      kind: 'open',
      dispatchId: 'd1',
      sendId: 's1',
      messageId: 7,
      contactId: 'c-1',
      channel: 'email',
    };
    expect(signTrackingToken('k', open)).toBe(
      'eyJraW5kIjoib3BlbiIsImRpc3BhdGNoSWQiOiJkMSIsInNlbmRJZCI6InMxIiwibWVzc2FnZUlkIjo3LCJjb250YWN0SWQiOiJjLTEiLCJjaGFubmVsIjoiZW1haWwifQ.E19cEp7uxYJS9JfwSpCteyejMUMJDLM-UArSKPhSUT0',
    );
  });

  it('rejects a token signed with another key, an altered body, an altered URL and garbage', () => {
    const sut = signTrackingToken('k', claims);
    expect(verifyTrackingToken('other', sut)).toBeUndefined();
    const [body, sig] = sut.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, url: 'https://evil.example' })).toString('base64url');
    expect(verifyTrackingToken('k', `${forged}.${sig}`)).toBeUndefined();
    expect(verifyTrackingToken('k', `${body}.${sig.slice(0, -2)}AA`)).toBeUndefined();
    expect(verifyTrackingToken('k', 'nope')).toBeUndefined();
    expect(verifyTrackingToken('k', `${body}.${sig}.x`)).toBeUndefined();
  });

  it('accepts only the signature as issued: not with a padding = or another spelling of the same bytes', () => {
    const sut = signTrackingToken('k', claims);
    const [body, sig] = sut.split('.');
    // 43 characters carry 258 bits for a 256-bit MAC: the last character has two bits no decoder reads.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.slice(-1));
    const sameBytes = `${sig.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(sameBytes, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    expect(verifyTrackingToken('k', `${body}.${sameBytes}`)).toBeUndefined();
    expect(verifyTrackingToken('k', `${body}.${sig}=`)).toBeUndefined();
    expect(verifyTrackingToken('k', `${body}.${sig}`)).toEqual(claims);
  });

  it('builds the public URLs', () => {
    const urls = trackingUrls('http://localhost:8080/', 'k', {
      dispatchId: 'd',
      sendId: 's',
      messageId: 1,
      contactId: 'c',
      channel: 'email',
    });
    expect(urls.openPixel).toMatch(/^http:\/\/localhost:8080\/t\/o\/[\w-]+\.[\w-]+\.gif$/);
    expect(verifyTrackingToken('k', urls.click('https://x.test/').split('/t/c/')[1])?.url).toBe('https://x.test/');
    expect(urls.webview).toMatch(/^http:\/\/localhost:8080\/email\/view\/[\w-]+\.[\w-]+$/);
    expect(verifyTrackingToken('k', urls.webview.split('/email/view/')[1])).toMatchObject({
      kind: 'webview',
      dispatchId: 'd',
    });
  });
});
