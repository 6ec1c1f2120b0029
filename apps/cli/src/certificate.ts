// The server's self-signed certificate, encoded by hand (X.509 v3, RFC 5280, DER per X.690).
// CFTP's trust is the pinned SHA-256 of the certificate (docs/security.md), so the
// certificate needs no extensions, chain or CA: a subject, dates, the public key and an
// ECDSA P-256 signature. Written here instead of with an X.509 library because loading one
// (@peculiar/x509 with reflect-metadata) cost every fresh server a third of a CPU-second.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/** ecdsa-with-SHA256 (1.2.840.10045.4.3.2). */
const ECDSA_WITH_SHA256 = Buffer.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
/** id-at-commonName (2.5.4.3). */
const COMMON_NAME = Buffer.from([0x55, 0x04, 0x03]);

/** One DER element: tag, definite length, contents. */
function der(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const n = body.byteLength;
  let length: Buffer;
  if (n < 0x80) length = Buffer.from([n]);
  else if (n < 0x100) length = Buffer.from([0x81, n]);
  else if (n < 0x10000) length = Buffer.from([0x82, n >> 8, n & 0xff]);
  else throw new RangeError(`DER element of ${n} bytes is larger than a certificate needs`);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

const sequence = (...contents: Buffer[]) => der(0x30, ...contents);

/** A Name of one RDN: CN=`cn`. */
function name(cn: string): Buffer {
  return sequence(der(0x31, sequence(der(0x06, COMMON_NAME), der(0x0c, Buffer.from(cn, 'utf8')))));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; seconds, in UTC. */
export function derTime(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 9999) throw new RangeError(`certificate date out of range: ${iso}`);
  return year < 2050 ? der(0x17, Buffer.from(digits.slice(2))) : der(0x18, Buffer.from(digits));
}

export interface SelfSigned {
  /** The certificate, PEM. */
  cert: string;
  /** The private key, PKCS #8 PEM. */
  key: string;
}

export interface SelfSignedOptions {
  commonName: string;
  notBefore: Date;
  notAfter: Date;
}

/** A new ECDSA P-256 key and a certificate for it, signed by itself with SHA-256. */
export function createSelfSigned(options: SelfSignedOptions): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // A positive serial of 16 random bytes (RFC 5280 §4.1.2.2: at most 20 octets, non-zero).
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const algorithm = sequence(der(0x06, ECDSA_WITH_SHA256));
  const subject = name(options.commonName);
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([0x02]))), // [0] EXPLICIT version v3
    der(0x02, serial),
    algorithm,
    subject, // issuer: itself
    sequence(derTime(options.notBefore), derTime(options.notAfter)),
    subject,
    spki,
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const certificate = sequence(tbs, algorithm, der(0x03, Buffer.from([0x00]), signature));
  const base64 = certificate.toString('base64').replace(/.{64}/g, '$&\n');
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${base64.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
