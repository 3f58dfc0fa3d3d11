import { classifyFcmError, DeadDeviceError } from './fcm.provider';

describe('classifyFcmError', () => {
  const sut = classifyFcmError;
  const fcmError = (status: number, code: string, extra: object[] = []) => ({
    error: {
      code: status,
      status: code,
      message: 'm',
      details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: code }, ...extra],
    },
  });

  it('a device FCM calls UNREGISTERED is dead', () => {
    const error = sut(404, fcmError(404, 'UNREGISTERED'));
    expect(error).toBeInstanceOf(DeadDeviceError);
    expect(error).toMatchObject({ code: 'fcm_unregistered', permanent: true });
  });

  it('INVALID_ARGUMENT about message.token is a dead device; about anything else, a permanent failure of the message', () => {
    const token = sut(
      400,
      fcmError(400, 'INVALID_ARGUMENT', [
        { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.token' }] },
      ]),
    );
    expect(token).toBeInstanceOf(DeadDeviceError);
    const payload = sut(
      400,
      fcmError(400, 'INVALID_ARGUMENT', [
        { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.data[0].value' }] },
      ]),
    );
    expect(payload).not.toBeInstanceOf(DeadDeviceError);
    expect(payload).toMatchObject({ code: 'fcm_invalid_argument', permanent: true });
  });

  it('UNAVAILABLE and unknown answers are transient', () => {
    expect(sut(503, fcmError(503, 'UNAVAILABLE'))).toMatchObject({ permanent: false });
    expect(sut(500, undefined)).toMatchObject({ code: 'fcm_500', permanent: false });
  });
});
