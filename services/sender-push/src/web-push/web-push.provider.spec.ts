import { WebPushError } from 'web-push';
import { classifyPushError } from './web-push.provider';

describe('classifyPushError', () => {
  const sut = classifyPushError;
  const answer = (status: number, body = '') =>
    new WebPushError('push failed', status, {}, body, 'https://push.test/x');

  it('404 and 410 mean the subscription is gone, with what the push service said', () => {
    expect(sut(answer(404, 'not found'))).toEqual({
      kind: 'gone',
      status: 404,
      diagnostic: 'push service answered 404: not found',
    });
    expect(sut(answer(410))).toMatchObject({ kind: 'gone', status: 410 });
  });

  it('401, 429 and 5xx are transient; 400, 403 and 413 permanent failures of this message', () => {
    for (const status of [401, 429, 503])
      expect(sut(answer(status))).toMatchObject({ kind: 'failed', error: { permanent: false } });
    for (const status of [400, 403, 413])
      expect(sut(answer(status))).toMatchObject({ kind: 'failed', error: { permanent: true } });
  });

  it('a socket error is transient', () => {
    expect(sut(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toMatchObject({
      kind: 'failed',
      error: { code: 'econnreset', permanent: false },
    });
  });
});
