// Single-port mode (docs/protocol.md §5.5): data connections on the control port, told apart
// by their first bytes, with every guarantee of §5 (one-time token, peer address, one
// connection per token, accept timeout, TLS); and classic data listeners in a port range.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { DATA_PREAMBLE_MAGIC } from '@cftp/protocol';
import { Control, freeFixedPortRange, HOST, openData, readAll, sha256 } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { randomData, useFixture } from './fixture.js';

const fx = useFixture();
const tls = {
  key: readFileSync(new URL('./tls/key.pem', import.meta.url), 'utf8'),
  cert: readFileSync(new URL('./tls/cert.pem', import.meta.url), 'utf8'),
};

/** `CFTPDATA` + the 32 token bytes: how a single-port data connection opens. */
function preamble(token: string): Buffer {
  return Buffer.concat([DATA_PREAMBLE_MAGIC, Buffer.from(token, 'hex')]);
}

/** A control connection whose hello lists `single-port`. */
async function singlePortControl(port: number, open = () => Control.open(port)) {
  const control = await open();
  fx.track(control.socket);
  const id = control.newId();
  control.send({
    type: 'hello',
    id,
    version: 1,
    features: ['sha256', 'single-port'],
    agent: 'single-port-test',
  });
  const welcome = await control.expect(id, 'welcome');
  return { control, welcome };
}

async function getReady(control: Control, id: number, path: string) {
  control.send({ type: 'get', id, path });
  return control.expect(id, 'ready');
}

describe('docs/protocol.md §5.5 single-port mode', () => {
  it('lists the feature, announces port 0, and moves a download and an upload on the one port', async () => {
    const { port, root } = await fx.start({ singlePort: true });
    const content = randomData(300_000);
    await writeFile(join(root, 'f.bin'), content);
    const { control, welcome } = await singlePortControl(port);
    expect(welcome.features).toContain('single-port');

    const ready = await getReady(control, 1, 'f.bin');
    expect(ready.port).toBe(0);
    const received = await readAll(fx.track(await openData(port, preamble(ready.token))));
    const done = await control.expect(1, 'done');
    expect(received.equals(content)).toBe(true);
    expect(done.sha256).toBe(sha256(content));

    const upload = randomData(200_000);
    control.send({ type: 'put', id: 2, path: 'up.bin', size: upload.byteLength });
    const putReady = await control.expect(2, 'ready');
    expect(putReady.port).toBe(0);
    // Preamble and payload in one write: the bytes after the token are the file.
    const data = fx.track(await openData(port, Buffer.concat([preamble(putReady.token), upload])));
    data.end();
    await once(data, 'finish');
    control.send({ type: 'done', id: 2, size: upload.byteLength, sha256: sha256(upload) });
    await control.expect(2, 'ok');
    expect((await readFile(join(root, 'up.bin'))).equals(upload)).toBe(true);
  });

  it('answers a client without the feature EVERSION and closes', async () => {
    const { port } = await fx.start({ singlePort: true });
    const control = await fx.rawControl(port);
    control.send({ type: 'hello', id: 1, version: 1, features: ['sha256'] });
    const reply = await control.reply(1);
    expect(reply).toMatchObject({ type: 'error', code: 'EVERSION' });
    expect(reply.type === 'error' && reply.message).toMatch(/single-port/);
    await control.closed;
  });

  it('a classic server does not list the feature and announces a real port', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'f.txt'), 'x');
    const { control, welcome } = await singlePortControl(port);
    expect(welcome.features).not.toContain('single-port');
    const ready = await getReady(control, 1, 'f.txt');
    expect(ready.port).toBeGreaterThan(0);
    expect(ready.port).not.toBe(port);
  });

  it('treats garbage first bytes as a control connection (EFRAMESIZE), and a false magic as nothing', async () => {
    const { server, port } = await fx.start({ singlePort: true });
    const dropped: string[] = [];
    server.on('dropped', (event) => dropped.push(event.reason));
    const garbage = await fx.rawControl(port);
    garbage.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    expect(await garbage.errorCode(null)).toBe('EFRAMESIZE');
    await garbage.closed;

    const liar = fx.track(await openData(port, Buffer.from('CFTPJUNK and then some more bytes')));
    expect((await readAll(liar)).byteLength).toBe(0);
    expect(dropped).toEqual(['neither a control frame nor a data preamble']);
    // The server goes on serving.
    await singlePortControl(port);
  });

  it('drops a connection that sends half a preamble when the handshake timeout ends', async () => {
    const { server, port } = await fx.start({ singlePort: true, handshakeTimeoutMs: 300 });
    const dropped = once(server, 'dropped');
    const half = fx.track(await openData(port, Buffer.from('CFTPDA')));
    const closed = readAll(half);
    const [event] = (await dropped) as [{ reason: string }];
    expect(event.reason).toMatch(/no complete first bytes within/);
    expect((await closed).byteLength).toBe(0);
  });

  it('closes a connection with a wrong token; the transfer it did not name goes on', async () => {
    const { port, root } = await fx.start({ singlePort: true });
    await writeFile(join(root, 'f.txt'), 'payload');
    const { control } = await singlePortControl(port);
    const ready = await getReady(control, 1, 'f.txt');
    const wrong = Buffer.from(ready.token, 'hex');
    wrong[0] = (wrong[0] ?? 0) ^ 1;
    const intruder = fx.track(await openData(port, preamble(wrong.toString('hex'))));
    expect((await readAll(intruder)).byteLength).toBe(0);
    const data = fx.track(await openData(port, preamble(ready.token)));
    expect((await readAll(data)).toString()).toBe('payload');
    await control.expect(1, 'done');
  });

  it('takes one connection per token: a second one with the same token gets nothing', async () => {
    const { port, root } = await fx.start({ singlePort: true });
    await writeFile(join(root, 'f.txt'), 'payload');
    const { control } = await singlePortControl(port);
    const ready = await getReady(control, 1, 'f.txt');
    const first = fx.track(await openData(port, preamble(ready.token)));
    expect((await readAll(first)).toString()).toBe('payload');
    await control.expect(1, 'done');
    const second = fx.track(await openData(port, preamble(ready.token)));
    expect((await readAll(second)).byteLength).toBe(0);
  });

  it('fails the transfer with EDATAAUTH when its token comes from another address', async () => {
    const { port, root } = await fx.start({ singlePort: true });
    await writeFile(join(root, 'f.txt'), 'payload');
    const { control } = await singlePortControl(port);
    const ready = await getReady(control, 1, 'f.txt');
    // 127.0.0.2 is loopback too, but not the address of the control connection.
    const stranger = fx.track(await openData(port, preamble(ready.token), '127.0.0.2'));
    expect((await readAll(stranger)).byteLength).toBe(0);
    expect(await control.errorCode(1)).toBe('EDATAAUTH');
    // The token is spent: the right peer cannot use it any more either.
    const late = fx.track(await openData(port, preamble(ready.token)));
    expect((await readAll(late)).byteLength).toBe(0);
  });

  it('fails with ETIMEDOUT when no data connection comes, and the token expires with it', async () => {
    const { port, root } = await fx.start({ singlePort: true, dataAcceptTimeoutMs: 200 });
    await writeFile(join(root, 'f.txt'), 'payload');
    const { control } = await singlePortControl(port);
    const ready = await getReady(control, 1, 'f.txt');
    expect(await control.errorCode(1)).toBe('ETIMEDOUT');
    const late = fx.track(await openData(port, preamble(ready.token)));
    expect((await readAll(late)).byteLength).toBe(0);
  });

  it('under TLS: the handshake first, with the same certificate, then the preamble', async () => {
    const { port, root } = await fx.start({ singlePort: true, tls });
    await writeFile(join(root, 'f.txt'), 'secret payload');
    const { control } = await singlePortControl(port, () => Control.openTls(port));
    const certificate = (control.socket as TLSSocket).getPeerCertificate().fingerprint256;
    const ready = await getReady(control, 1, 'f.txt');
    const data = await new Promise<TLSSocket>((resolve, reject) => {
      const socket = tlsConnect({ host: HOST, port, rejectUnauthorized: false });
      socket.once('error', reject);
      socket.once('secureConnect', () => resolve(socket));
    });
    fx.track(data);
    expect(data.getPeerCertificate().fingerprint256).toBe(certificate);
    data.write(preamble(ready.token));
    expect((await readAll(data)).toString()).toBe('secret payload');
    await control.expect(1, 'done');
  });

  it('refuses contradictory or unsafe options', () => {
    const root = '/nonexistent';
    expect(() => createServer({ root, singlePort: true, dataPorts: { low: 1, high: 2 } })).toThrow(
      TypeError,
    );
    expect(() => createServer({ root, singlePort: true, maxFrameSize: 2 ** 24 })).toThrow(
      /maxFrameSize/,
    );
    expect(() => createServer({ root, dataPorts: { low: 10, high: 9 } })).toThrow(RangeError);
    expect(() => createServer({ root, dataPorts: { low: 0, high: 9 } })).toThrow(RangeError);
  });
});

describe('dataPorts: classic data listeners in a range', () => {
  it('listens only in the range, and refuses with EBUSY when every port is taken', async () => {
    const range = await freeFixedPortRange(2);
    const { port, root } = await fx.start({ dataPorts: range, dataAcceptTimeoutMs: 30_000 });
    await writeFile(join(root, 'f.txt'), 'payload');
    const control = await fx.control(port);
    const ports: number[] = [];
    let busy: string | undefined;
    for (let id = 1; id <= 3; id++) {
      control.send({ type: 'get', id, path: 'f.txt' });
      const reply = await control.reply(id);
      if (reply.type === 'ready') ports.push(reply.port);
      else if (reply.type === 'error') busy = reply.code;
    }
    expect(ports.sort((a, b) => a - b)).toEqual([range.low, range.high]);
    expect(busy).toBe('EBUSY');
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('frees a port when its transfer ends, for the next one', async () => {
    const range = await freeFixedPortRange(1);
    const { port, root } = await fx.start({ dataPorts: range });
    await writeFile(join(root, 'f.txt'), 'payload');
    const control = await fx.control(port);
    for (let id = 1; id <= 3; id++) {
      const ready = await getReady(control, id, 'f.txt');
      expect(ready.port).toBe(range.low);
      const data = fx.track(await openData(ready.port, ready.token));
      expect((await readAll(data)).toString()).toBe('payload');
      await control.expect(id, 'done');
    }
  });
});
