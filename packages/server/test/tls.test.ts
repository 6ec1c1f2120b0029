// TLS in the engine (docs/protocol.md §4.1, §5.3): TLS from the first byte on the control
// channel, a plaintext client told ETLS, and data channels that are TLS with the same
// certificate while the token still binds each one to its request.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { Control, openData, openTlsData, readAll } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { useFixture } from './fixture.js';

const fx = useFixture();
const tls = {
  key: readFileSync(new URL('./tls/key.pem', import.meta.url), 'utf8'),
  cert: readFileSync(new URL('./tls/cert.pem', import.meta.url), 'utf8'),
};

async function tlsControl(port: number): Promise<Control> {
  const control = await Control.openTls(port);
  fx.track(control.socket);
  await control.hello();
  return control;
}

describe('docs/protocol.md §4.1 TLS', () => {
  it('tells a plaintext client ETLS in its own framing and closes', async () => {
    const { port } = await fx.start({ tls });
    const control = await fx.rawControl(port);
    control.send({ type: 'hello', id: 1, version: 1, features: ['sha256'] });
    expect(await control.errorCode(null)).toBe('ETLS');
    await control.closed;
  });

  it('speaks the protocol inside TLS, with the configured certificate', async () => {
    const { port } = await fx.start({ tls });
    const control = await tlsControl(port);
    const peer = (control.socket as TLSSocket).getPeerCertificate();
    expect(peer.raw.toString('base64')).toBe(tls.cert.replace(/-----[^-]+-----|\s/g, ''));
  });
});

describe('docs/protocol.md §5.3 data channels under TLS', () => {
  it('serves the file over TLS to the right token, with the same certificate', async () => {
    const { port, root } = await fx.start({ tls });
    await writeFile(join(root, 'f.txt'), 'secret payload');
    const control = await tlsControl(port);
    control.send({ type: 'get', id: 1, path: 'f.txt' });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(await openTlsData(ready.port, ready.token));
    const controlCert = (control.socket as TLSSocket).getPeerCertificate().raw;
    expect(data.getPeerCertificate().raw.equals(controlCert)).toBe(true);
    expect((await readAll(data)).toString()).toBe('secret payload');
    await control.expect(1, 'done');
  });

  it('refuses a plaintext data connection even with the right token (EDATAAUTH)', async () => {
    const { port, root } = await fx.start({ tls });
    await writeFile(join(root, 'f.txt'), 'secret payload');
    const control = await tlsControl(port);
    control.send({ type: 'get', id: 1, path: 'f.txt' });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    // Then it stops sending: 32 random bytes can read as the start of a TLS record, which
    // the server would wait for until its data deadline.
    data.end();
    const received = await readAll(data);
    expect(await control.errorCode(1)).toBe('EDATAAUTH');
    expect(received.includes(Buffer.from('secret payload'))).toBe(false);
  });

  it('fails at once when a data connection closes in the middle of its handshake (EDATAAUTH)', async () => {
    const { port, root } = await fx.start({ tls, dataAcceptTimeoutMs: 60_000 });
    await writeFile(join(root, 'f.txt'), 'secret payload');
    const control = await tlsControl(port);
    control.send({ type: 'get', id: 1, path: 'f.txt' });
    const ready = await control.expect(1, 'ready');
    // The header of a 80-byte handshake record, and no record: OpenSSL waits for the rest
    // and reports no error when the connection closes instead.
    const data = fx.track(await openData(ready.port, Buffer.from([0x16, 0x03, 0x01, 0x00, 0x50])));
    data.end();
    await readAll(data);
    expect(await control.errorCode(1)).toBe('EDATAAUTH');
  });

  it('refuses a TLS data connection with a wrong token (EDATAAUTH)', async () => {
    const { port, root } = await fx.start({ tls });
    await writeFile(join(root, 'f.txt'), 'secret payload');
    const control = await tlsControl(port);
    control.send({ type: 'get', id: 1, path: 'f.txt' });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(await openTlsData(ready.port, Buffer.alloc(32, 7)));
    const received = await readAll(data);
    expect(await control.errorCode(1)).toBe('EDATAAUTH');
    expect(received.byteLength).toBe(0);
  });
});
