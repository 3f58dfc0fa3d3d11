import { bounceAddress, dispatchOfBounceAddress, signBounceToken, verifyBounceToken } from './bounce-address';

describe('VERP bounce addresses', () => {
  const secret = 'bounce-secret';
  const id = '0123456789abcdef0123456789abcdef';

  it('round-trips a dispatch id and stays within 64 octets of local part for a router dispatch id', () => {
    const address = bounceAddress(secret, 'bounces.example.com', id);
    expect(address.split('@')[0].length).toBeLessThanOrEqual(64);
    expect(dispatchOfBounceAddress(secret, address)).toBe(id);
    expect(dispatchOfBounceAddress(secret, address.toUpperCase().replace('BOUNCE+', 'bounce+'))).toBeUndefined();
  });

  it('encodes ids with characters a local part cannot hold', () => {
    const odd = 'send:1/ä';
    expect(verifyBounceToken(secret, signBounceToken(secret, odd))).toBe(odd);
    expect(signBounceToken(secret, odd)).toMatch(/^[A-Za-z0-9_=-]+\.[0-9a-f]{16}$/);
  });

  it('accepts a MAC whose case was folded, rejects a forged or altered one', () => {
    const token = signBounceToken(secret, id);
    const [body, mac] = token.split('.');
    expect(verifyBounceToken(secret, `${body}.${mac.toUpperCase()}`)).toBe(id);
    expect(verifyBounceToken('other', token)).toBeUndefined();
    expect(verifyBounceToken(secret, `${body.replace('0', '1')}.${mac}`)).toBeUndefined();
    expect(verifyBounceToken(secret, 'nodot')).toBeUndefined();
  });

  it('finds the signed address inside a whole report', () => {
    const report = `Return-Path: <bounce+forged.0000000000000000@x>\r\nX: <${bounceAddress(secret, 'b.example', id)}>`;
    expect(dispatchOfBounceAddress(secret, report)).toBe(id);
  });
});
