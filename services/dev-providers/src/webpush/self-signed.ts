import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * node:crypto parses X.509 but cannot issue it, so this encodes the few DER structures a
 * certificate needs (RFC 5280) and signs them with ECDSA P-256: a CA and a server
 * certificate it signs, for the loopback HTTPS push service.
 */

function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  let length: Buffer;
  if (body.length < 0x80) length = Buffer.from([body.length]);
  else {
    const bytes: number[] = [];
    for (let n = body.length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

const seq = (...parts: Buffer[]): Buffer => der(0x30, ...parts);
const set = (...parts: Buffer[]): Buffer => der(0x31, ...parts);
const octets = (value: Buffer): Buffer => der(0x04, value);
const bits = (value: Buffer, unusedBits = 0): Buffer => der(0x03, Buffer.from([unusedBits]), value);
const bool = (value: boolean): Buffer => der(0x01, Buffer.from([value ? 0xff : 0]));
const explicit = (n: number, inner: Buffer): Buffer => der(0xa0 + n, inner);
const integer = (value: Buffer): Buffer =>
  der(0x02, value[0] & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

const name = (commonName: string): Buffer => seq(set(seq(oid('2.5.4.3'), der(0x0c, Buffer.from(commonName)))));

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(`${iso.slice(2)}Z`)) : der(0x18, Buffer.from(`${iso}Z`));
}

const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

const ECDSA_WITH_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const RSA_WITH_SHA256 = seq(oid('1.2.840.113549.1.1.11'), der(0x05));

interface Issued {
  certPem: string;
  keyPem: string;
  key: KeyObject;
  keyId: Buffer;
}

function issue(
  subject: string,
  extensions: Buffer[],
  issuer?: { name: string; key: KeyObject; keyId: Buffer },
  keyType: 'ec' | 'rsa' = 'ec',
): Issued {
  const { publicKey, privateKey } =
    keyType === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const algorithm = keyType === 'rsa' ? RSA_WITH_SHA256 : ECDSA_WITH_SHA256;
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = createHash('sha1').update(spki).digest();
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  serial[0] |= 0x01;
  const now = Date.now();
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    algorithm,
    name(issuer?.name ?? subject),
    seq(time(new Date(now - 3600_000)), time(new Date(now + 825 * 86400_000))),
    name(subject),
    spki,
    explicit(
      3,
      seq(
        extension('2.5.29.14', false, octets(keyId)), // subjectKeyIdentifier
        extension('2.5.29.35', false, seq(der(0x80, issuer?.keyId ?? keyId))), // authorityKeyIdentifier
        ...extensions,
      ),
    ),
  );
  const signature = sign('sha256', tbs, issuer?.key ?? privateKey); // DER ECDSA-Sig-Value, or PKCS#1 v1.5
  const cert = seq(tbs, algorithm, bits(signature));
  const certPem = `-----BEGIN CERTIFICATE-----\n${cert.toString('base64').replace(/.{64}/g, '$&\n').trim()}\n-----END CERTIFICATE-----\n`;
  new X509Certificate(certPem); // throws if the encoding is wrong
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), key: privateKey, keyId };
}

export interface ServerCertificate {
  /** The CA to trust (PEM): `new https.Agent({ ca: caPem })`. */
  caPem: string;
  /** Server certificate (PEM) followed by nothing else; use with `keyPem`. */
  certPem: string;
  keyPem: string;
}

/** A throwaway CA and a server certificate for `hosts` (DNS names and/or IP addresses). */
export function createServerCertificate(hosts: string[] = ['localhost', '127.0.0.1', '::1']): ServerCertificate {
  const ca = issue('Switchboard dev-providers CA', [
    extension('2.5.29.19', true, seq(bool(true))), // basicConstraints CA:TRUE
    extension('2.5.29.15', true, bits(Buffer.from([0x06]), 1)), // keyUsage keyCertSign, cRLSign
  ]);
  const altNames = [...new Set(hosts)].map((host) => {
    const family = isIP(host);
    if (family === 4) return der(0x87, Buffer.from(host.split('.').map(Number)));
    if (family === 6) return der(0x87, ipv6Bytes(host));
    return der(0x82, Buffer.from(host));
  });
  const leaf = issue(
    hosts[0] ?? 'localhost',
    [
      extension('2.5.29.19', true, seq()), // basicConstraints CA:FALSE
      extension('2.5.29.15', true, bits(Buffer.from([0x80]), 7)), // keyUsage digitalSignature
      extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage serverAuth
      extension('2.5.29.17', false, seq(...altNames)), // subjectAltName
    ],
    { name: 'Switchboard dev-providers CA', key: ca.key, keyId: ca.keyId },
  );
  return { caPem: ca.certPem, certPem: leaf.certPem, keyPem: leaf.keyPem };
}

/** A self-signed RSA certificate for signing messages (what Amazon SNS signs notifications with). */
export function createSigningCertificate(subject: string): { certPem: string; key: KeyObject } {
  const issued = issue(
    subject,
    [
      extension('2.5.29.19', true, seq()), // basicConstraints CA:FALSE
      extension('2.5.29.15', true, bits(Buffer.from([0x80]), 7)), // keyUsage digitalSignature
    ],
    undefined,
    'rsa',
  );
  return { certPem: issued.certPem, key: issued.key };
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail = ''] = address.split('::');
  const parse = (part: string): number[] => (part ? part.split(':').map((h) => parseInt(h, 16)) : []);
  const left = parse(head);
  const right = address.includes('::') ? parse(tail) : [];
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return Buffer.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
}
