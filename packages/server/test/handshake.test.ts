// The session's front door over a real socket: handshake (docs/protocol.md §4), framing
// limits (§2) and per-message protocol errors (§3).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_IN_FLIGHT } from '@cftp/protocol';
import { frameHeader, rawFrame } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { useFixture } from './fixture.js';

const fx = useFixture();

describe('docs/protocol.md §4 handshake', () => {
  it('answers hello with welcome: version 1, sha256, agent and the limits', async () => {
    const { port } = await fx.start();
    const control = await fx.rawControl(port);
    control.send({ type: 'hello', id: 7, version: 1, features: ['sha256'], agent: 't' });
    const welcome = await control.expect(7, 'welcome');
    expect(welcome.version).toBe(1);
    expect(welcome.features).toContain('sha256');
    expect(welcome.agent).toMatch(/^cftp-server\//);
    expect(welcome.maxFrameSize).toBe(DEFAULT_MAX_FRAME_SIZE);
    expect(welcome.maxInFlight).toBe(DEFAULT_MAX_IN_FLIGHT);
  });

  it('states the configured limits and agent in welcome', async () => {
    const { port } = await fx.start({ maxFrameSize: 4096, maxInFlight: 3, agent: 'probe/9' });
    const control = await fx.rawControl(port);
    const welcome = await control.hello();
    expect(welcome).toMatchObject({ maxFrameSize: 4096, maxInFlight: 3, agent: 'probe/9' });
  });

  it('answers an unsupported version with EVERSION and closes the connection', async () => {
    const { port } = await fx.start();
    const control = await fx.rawControl(port);
    control.send({ type: 'hello', id: 1, version: 2, features: ['sha256'] });
    const reply = await control.reply(1);
    expect(reply).toMatchObject({ type: 'error', id: 1, code: 'EVERSION' });
    expect(reply.type === 'error' && reply.message).toMatch(/1/);
    await control.closed;
    expect(control.log).toHaveLength(1);
  });

  it('answers a request before hello with EPROTO and closes the connection', async () => {
    const { port } = await fx.start();
    const control = await fx.rawControl(port);
    control.send({ type: 'list', id: 3, path: '' });
    expect(await control.errorCode(3)).toBe('EPROTO');
    await control.closed;
    expect(control.log.map((m) => m.type)).toEqual(['error']);
  });

  it('closes the connection when the first frame is garbage', async () => {
    const { port } = await fx.start();
    const control = await fx.rawControl(port);
    control.sendRaw(rawFrame('{not json'));
    expect(await control.errorCode(null)).toBe('EPROTO');
    await control.closed;
  });

  it('answers a second hello with EPROTO and the session goes on', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'f.txt'), 'x');
    const control = await fx.control(port);
    control.send({ type: 'hello', id: 2, version: 1, features: ['sha256'] });
    expect(await control.errorCode(2)).toBe('EPROTO');
    control.send({ type: 'list', id: 3 });
    expect((await control.reply(3)).type).toBe('ready');
    expect(control.isOpen).toBe(true);
  });

  it('disconnects a client that stays silent past the handshake timeout', async () => {
    const { port } = await fx.start({ handshakeTimeoutMs: 200 });
    const control = await fx.rawControl(port);
    const started = performance.now();
    await control.closed;
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect(control.log).toEqual([]);
  });

  it('does not disconnect a session that said hello in time', async () => {
    // 1 s, so the hello itself comes in time even on a loaded machine.
    const { port } = await fx.start({ handshakeTimeoutMs: 1000 });
    const control = await fx.control(port);
    await delay(1500); // past the handshake deadline on purpose
    control.send({ type: 'list', id: 5 });
    expect((await control.reply(5)).type).toBe('ready');
  });
});

describe('docs/protocol.md §2 framing', () => {
  it('refuses a frame longer than maxFrameSize with EFRAMESIZE before its payload arrives', async () => {
    const { port } = await fx.start();
    const control = await fx.control(port);
    // Only the header: the server must decide from the length alone (§2, before buffering).
    control.sendRaw(frameHeader(DEFAULT_MAX_FRAME_SIZE + 1));
    expect(await control.errorCode(null)).toBe('EFRAMESIZE');
    await control.closed;
  });

  it('refuses a frame above a configured maxFrameSize', async () => {
    const { port } = await fx.start({ maxFrameSize: 256 });
    const control = await fx.control(port);
    control.sendRaw(rawFrame(JSON.stringify({ type: 'list', id: 9, path: 'x'.repeat(300) })));
    expect(await control.errorCode(null)).toBe('EFRAMESIZE');
    await control.closed;
  });

  it('refuses a frame of length 0 with EFRAMESIZE and closes', async () => {
    const { port } = await fx.start();
    const control = await fx.control(port);
    control.sendRaw(frameHeader(0));
    expect(await control.errorCode(null)).toBe('EFRAMESIZE');
    await control.closed;
  });

  it('accepts a frame of exactly maxFrameSize', async () => {
    const { port } = await fx.start({ maxFrameSize: 256 });
    const control = await fx.control(port);
    const prefix = '{"type":"list","id":4,"pad":"';
    const payload = `${prefix}${'p'.repeat(256 - prefix.length - 2)}"}`;
    expect(Buffer.byteLength(payload)).toBe(256);
    control.sendRaw(rawFrame(payload));
    expect((await control.reply(4)).type).toBe('ready');
  });

  it('decodes requests split one byte at a time and several in one write', async () => {
    const { port } = await fx.start();
    const control = await fx.control(port);
    const frames = Buffer.concat([
      rawFrame('{"type":"list","id":11}'),
      rawFrame('{"type":"get","id":12,"path":"missing"}'),
    ]);
    for (const byte of frames.subarray(0, 10)) control.sendRaw(Uint8Array.of(byte));
    control.sendRaw(frames.subarray(10));
    expect((await control.reply(11)).type).toBe('ready');
    expect(await control.errorCode(12)).toBe('ENOENT');
  });
});

describe('docs/protocol.md §3 messages', () => {
  it('answers garbage JSON with EPROTO (id null) and keeps the session', async () => {
    const { port } = await fx.start();
    const control = await fx.control(port);
    control.sendRaw(rawFrame('{"type": "list", "id": 1'));
    expect(await control.errorCode(null)).toBe('EPROTO');
    control.sendRaw(rawFrame('[1,2,3]'));
    expect(await control.errorCode(null)).toBe('EPROTO');
    control.sendRaw(rawFrame(Uint8Array.of(0xff, 0xfe, 0x7b, 0x7d)));
    expect(await control.errorCode(null)).toBe('EPROTO');
    control.send({ type: 'list', id: 2 });
    expect((await control.reply(2)).type).toBe('ready');
  });

  it('answers an unknown type with EUNKNOWN naming its id', async () => {
    const { port } = await fx.start();
    const control = await fx.control(port);
    control.sendRaw(rawFrame('{"type":"chmod","id":41,"path":"x"}'));
    const reply = await control.reply(41);
    expect(reply).toMatchObject({ type: 'error', id: 41, code: 'EUNKNOWN' });
    control.sendRaw(rawFrame('{"type":"chmod"}'));
    expect(await control.errorCode(null)).toBe('EUNKNOWN');
    control.send({ type: 'list', id: 42 });
    expect((await control.reply(42)).type).toBe('ready');
  });

  it('answers a known type with a missing or ill-typed field with EPROTO and its id', async () => {
    const { port } = await fx.start();
    const control = await fx.control(port);
    control.sendRaw(rawFrame('{"type":"get","id":51}'));
    expect(await control.errorCode(51)).toBe('EPROTO');
    control.sendRaw(rawFrame('{"type":"put","id":52,"path":"a","size":-1}'));
    expect(await control.errorCode(52)).toBe('EPROTO');
    control.sendRaw(
      rawFrame(
        '{"type":"welcome","id":53,"version":1,"features":[],"agent":"x","maxFrameSize":1,"maxInFlight":1}',
      ),
    );
    expect(await control.errorCode(53)).toBe('EPROTO');
  });

  it('ignores unknown fields in known messages', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, 'a.txt'), 'abc');
    const control = await fx.rawControl(port);
    control.sendRaw(
      rawFrame('{"type":"hello","id":1,"version":1,"features":["sha256","zstd"],"future":{"x":1}}'),
    );
    expect((await control.reply(1)).type).toBe('welcome');
    control.sendRaw(rawFrame('{"type":"get","id":2,"path":"a.txt","resume":123,"z":null}'));
    expect(await control.expect(2, 'ready')).toMatchObject({ size: 3 });
  });

  it('refuses a second request with an id that is still in flight', async () => {
    const { port } = await fx.start();
    const control = await fx.control(port);
    control.send({ type: 'list', id: 8 });
    expect((await control.reply(8)).type).toBe('ready');
    control.send({ type: 'list', id: 8 });
    // §3.3 (1.1): refused with id null and refusedId, never a reply that names id 8.
    expect(await control.expect(null, 'error')).toMatchObject({ code: 'EPROTO', refusedId: 8 });
    expect(control.log.filter((m) => m.id === 8).map((m) => m.type)).toEqual(['ready']);
  });
});
