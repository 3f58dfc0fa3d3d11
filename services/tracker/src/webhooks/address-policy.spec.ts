import { promisify } from 'node:util';
import { AddressPolicy, AddressRefusedError } from './address-policy';

describe('AddressPolicy', () => {
  const sut = new AddressPolicy([]);

  it.each([
    'http://127.0.0.1:5432/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://017700000001/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://[64:ff9b::7f00:1]/',
    'http://localhost:8080/',
    'http://LOCALHOST./',
    'http://api.localhost/',
  ])('refuses %s on save', (url) => {
    expect(sut.urlRefusal(url)).toEqual(expect.any(String));
  });

  it.each(['https://hooks.example.com/x', 'http://8.8.8.8/', 'http://[2001:4860::8888]/'])('accepts %s', (url) => {
    expect(sut.urlRefusal(url)).toBeUndefined();
  });

  it('lets operators allow names and CIDRs', () => {
    const allowing = new AddressPolicy(['hooks.internal', '10.0.0.0/8', '::1']);
    expect(allowing.urlRefusal('http://10.9.9.9/')).toBeUndefined();
    expect(allowing.urlRefusal('http://[::1]/')).toBeUndefined();
    expect(allowing.allowsHostOf('http://HOOKS.internal/')).toBe(true);
    expect(allowing.urlRefusal('http://127.0.0.1/')).toEqual(expect.any(String));
  });

  it('refuses a name that resolves to an internal address at connect time', async () => {
    const lookup = promisify(sut.lookup) as unknown as (h: string, o: object) => Promise<unknown>;
    await expect(lookup('localhost', {})).rejects.toBeInstanceOf(AddressRefusedError);
    const allowing = new AddressPolicy(['127.0.0.0/8', '::1/128']);
    await expect(lookup.call(allowing, 'localhost', {})).rejects.toBeInstanceOf(AddressRefusedError);
    const allowed = promisify(allowing.lookup) as unknown as (h: string, o: object) => Promise<unknown>;
    await expect(allowed('localhost', { all: true })).resolves.toEqual(expect.any(Array));
  });
});
