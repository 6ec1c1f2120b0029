// The hand-encoded self-signed certificate (src/certificate.ts): read back by Node's X.509
// parser and by OpenSSL's command line, and served over a real TLS socket.
import { spawnSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { createSelfSigned, derTime } from '../src/certificate.js';

const notBefore = new Date('2026-12-05T03:04:05.678Z');
const notAfter = new Date('2046-11-30T03:04:05.000Z');

describe('createSelfSigned', () => {
  it('makes a P-256 certificate that Node reads back and that verifies with its own key', () => {
    const { cert, key } = createSelfSigned({ commonName: 'cftp-server', notBefore, notAfter });
    const x509 = new X509Certificate(cert);
    expect(x509.subject).toBe('CN=cftp-server');
    expect(x509.issuer).toBe('CN=cftp-server');
    expect(x509.ca).toBe(false);
    expect(new Date(x509.validFrom).toISOString()).toBe('2026-12-05T03:04:05.000Z');
    expect(new Date(x509.validTo).toISOString()).toBe('2046-11-30T03:04:05.000Z');
    expect(x509.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
    expect(x509.publicKey.asymmetricKeyType).toBe('ec');
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x509.verify(x509.publicKey)).toBe(true);
    const privateKey = createPrivateKey(key);
    expect(x509.checkPrivateKey(privateKey)).toBe(true);
    // Another key's signature does not verify: verify() really checks.
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(x509.verify(other.publicKey)).toBe(false);
  });

  it('gives each certificate its own serial and its own key', () => {
    const a = new X509Certificate(createSelfSigned({ commonName: 'a', notBefore, notAfter }).cert);
    const b = new X509Certificate(createSelfSigned({ commonName: 'a', notBefore, notAfter }).cert);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.publicKey.equals(b.publicKey)).toBe(false);
  });

  it('is read by OpenSSL too, subject, dates and signature algorithm', () => {
    const { cert } = createSelfSigned({ commonName: 'cftp-server', notBefore, notAfter });
    const text = spawnSync('openssl', ['x509', '-noout', '-text'], {
      input: cert,
      encoding: 'utf8',
    });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain('Version: 3 (0x2)');
    expect(text.stdout).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text.stdout).toMatch(/Subject: CN\s?=\s?cftp-server/);
    expect(text.stdout).toContain('Not After : Nov 30 03:04:05 2046 GMT');
    expect(text.stdout).toContain('NIST CURVE: P-256');
  });

  it('writes dates from 2050 as GeneralizedTime and earlier ones as UTCTime', () => {
    expect(derTime(new Date('2049-12-31T23:59:59Z')).toString('latin1')).toBe(
      '\x17\x0d491231235959Z',
    );
    expect(derTime(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe(
      '\x18\x0f20500101000000Z',
    );
    const late = createSelfSigned({
      commonName: 'x',
      notBefore,
      notAfter: new Date('2070-06-01T00:00:00Z'),
    });
    expect(new Date(new X509Certificate(late.cert).validTo).toISOString()).toBe(
      '2070-06-01T00:00:00.000Z',
    );
  });

  it('serves a TLS connection, and the peer sees exactly this certificate', async () => {
    const { cert, key } = createSelfSigned({ commonName: 'cftp-server', notBefore, notAfter });
    const server = createServer({ cert, key }, (socket) => socket.end('hello'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const socket = connect({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        rejectUnauthorized: false, // trust is the pinned fingerprint, checked by the caller
      });
      await once(socket, 'secureConnect');
      expect(Buffer.from(socket.getPeerCertificate().raw)).toEqual(new X509Certificate(cert).raw);
      const chunks: Buffer[] = [];
      for await (const chunk of socket) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('hello');
    } finally {
      server.close();
    }
  });
});
