// Exactly one final reply per request id (docs/protocol.md §3.2, §3.3, §6.3), against a real
// server over real sockets: a malformed `done` fails its upload once and cleans up; a
// duplicate id, an unknown type or a malformed message naming a request in flight is refused
// with `error {id: null, refusedId}` and that request goes on untouched.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextOperation, partFiles, useFixture } from './fixture.js';
import { type Control, openData, rawFrame, readAll, sendAndEnd, sha256 } from './wire.js';

const fx = useFixture();

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** A round trip on another id: every reply the server sent before it has arrived. */
async function settle(control: Control): Promise<void> {
  const id = control.newId();
  control.send({ type: 'stat', id, path: '' });
  await control.reply(id);
}

function repliesFor(control: Control, id: number): string[] {
  return control.log
    .filter((m) => m.id === id)
    .map((m) => (m.type === 'error' ? `error:${m.code}` : m.type));
}

describe('docs/protocol.md §6.3, §13.6: a malformed done fails its upload once', () => {
  it.each([
    { name: 'plain', resume: false },
    { name: 'resumable (the partial goes too)', resume: true },
  ])(
    '$name: EPROTO as the final reply, temp file removed, a later done ignored',
    async ({ resume }) => {
      const { server, port, root } = await fx.start({ dataAcceptTimeoutMs: 60_000 });
      const control = await fx.control(port);
      const data = Buffer.from('notes\n');
      const id = control.newId();
      control.send({
        type: 'put',
        id,
        path: 'notes.txt',
        size: data.byteLength,
        ...(resume ? { resume: true, sha256: sha256(data) } : {}),
      });
      const ready = await control.expect(id, 'ready');
      expect(await partFiles(root)).toHaveLength(1);
      const socket = fx.track(await openData(ready.port, ready.token));
      await sendAndEnd(socket, data);
      const finished = nextOperation(server, (e) => e.operation === 'put');
      // §13.6: an uppercase digest is ill-typed (hex64 is lowercase).
      control.sendRaw(
        rawFrame(JSON.stringify({ type: 'done', id, size: 6, sha256: sha256(data).toUpperCase() })),
      );
      const error = await control.expect(id, 'error');
      expect(error.code).toBe('EPROTO');
      expect(error.message).toContain('done');
      expect((await finished).outcome).toBe('EPROTO');
      // Now a well-formed done for the failed id: ignored, no reply (§3.3).
      control.send({ type: 'done', id, size: 6, sha256: sha256(data) });
      await settle(control);
      expect(repliesFor(control, id)).toEqual(['ready', 'error:EPROTO']);
      expect(control.log.some((m) => m.type === 'error' && m.id === null)).toBe(false);
      expect(await partFiles(root)).toEqual([]);
      expect(await exists(join(root, 'notes.txt'))).toBe(false);
    },
  );

  it('before the data ends: the data channel is destroyed, and there is one reply', async () => {
    const { port, root } = await fx.start();
    const control = await fx.control(port);
    const id = control.newId();
    control.send({ type: 'put', id, path: 'big.bin', size: 1_000_000 });
    const ready = await control.expect(id, 'ready');
    const socket = fx.track(await openData(ready.port, ready.token));
    socket.write(Buffer.alloc(1000));
    const closed = readAll(socket).catch(() => Buffer.alloc(0));
    control.sendRaw(rawFrame(`{"type":"done","id":${id},"size":"6"}`));
    expect(await control.finalErrorCode(id)).toBe('EPROTO');
    await closed; // the server ended the data connection
    await settle(control);
    expect(repliesFor(control, id)).toEqual(['ready', 'error:EPROTO']);
    expect(await partFiles(root)).toEqual([]);
  });

  it('a malformed done naming no upload gets EPROTO with its id (§3.3)', async () => {
    const { port } = await fx.start();
    const control = await fx.control(port);
    control.sendRaw(rawFrame('{"type":"done","id":77,"size":-1}'));
    expect(await control.errorCode(77)).toBe('EPROTO');
  });
});

describe('docs/protocol.md §3.3, §13.6: a message naming a request in flight is refused', () => {
  /** A get whose data channel we hold open, unread, so the request stays in flight. */
  async function getInFlight(control: Control, root: string, id: number) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(root, 'hello.txt'), 'hello, world\n');
    control.send({ type: 'get', id, path: 'hello.txt' });
    return control.expect(id, 'ready');
  }

  it('a duplicate id: error {id: null, refusedId}, the first get goes on to its done', async () => {
    const { port, root } = await fx.start();
    const control = await fx.control(port);
    await getInFlight(control, root, 12);
    control.send({ type: 'get', id: 12, path: 'notes.txt' });
    const refused = await control.expect(null, 'error');
    expect(refused).toMatchObject({ code: 'EPROTO', refusedId: 12 });
    const ready = control.log.find((m) => m.id === 12 && m.type === 'ready');
    if (ready?.type !== 'ready') throw new Error('no ready');
    const socket = fx.track(await openData(ready.port, ready.token));
    expect((await readAll(socket)).toString()).toBe('hello, world\n');
    const done = await control.expect(12, 'done');
    expect(done.size).toBe(13);
    await settle(control);
    expect(repliesFor(control, 12)).toEqual(['ready', 'done']);
    expect(control.isOpen).toBe(true);
  });

  it.each([
    { name: 'an unknown type', frame: '{"type":"chmod","id":12}', code: 'EUNKNOWN' },
    { name: 'a malformed known type', frame: '{"type":"stat","id":12}', code: 'EPROTO' },
    { name: 'a malformed done for a get', frame: '{"type":"done","id":12}', code: 'EPROTO' },
  ])(
    '$name naming it: refused with refusedId, the get still completes',
    async ({ frame, code }) => {
      const { port, root } = await fx.start();
      const control = await fx.control(port);
      const ready = await getInFlight(control, root, 12);
      control.sendRaw(rawFrame(frame));
      const refused = await control.expect(null, 'error');
      expect(refused).toMatchObject({ code, refusedId: 12 });
      const socket = fx.track(await openData(ready.port, ready.token));
      expect((await readAll(socket)).toString()).toBe('hello, world\n');
      await control.expect(12, 'done');
      await settle(control);
      expect(repliesFor(control, 12)).toEqual(['ready', 'done']);
    },
  );

  it('a hello or quit reusing an id in flight is refused too, and the session goes on', async () => {
    const { port, root } = await fx.start();
    const control = await fx.control(port);
    const ready = await getInFlight(control, root, 12);
    control.send({ type: 'quit', id: 12 });
    expect(await control.expect(null, 'error')).toMatchObject({ refusedId: 12 });
    const socket = fx.track(await openData(ready.port, ready.token));
    await readAll(socket);
    await control.expect(12, 'done');
    expect(control.isOpen).toBe(true);
  });

  it('an upload whose id is reused still commits with its one ok', async () => {
    const { port, root } = await fx.start();
    const control = await fx.control(port);
    const data = Buffer.from('payload');
    control.send({ type: 'put', id: 5, path: 'p.txt', size: data.byteLength });
    const ready = await control.expect(5, 'ready');
    control.send({ type: 'put', id: 5, path: 'q.txt', size: 1 });
    expect(await control.expect(null, 'error')).toMatchObject({ refusedId: 5 });
    await sendAndEnd(fx.track(await openData(ready.port, ready.token)), data);
    control.send({ type: 'done', id: 5, size: data.byteLength, sha256: sha256(data) });
    await control.expect(5, 'ok');
    await settle(control);
    expect(repliesFor(control, 5)).toEqual(['ready', 'ok']);
    expect(await readFile(join(root, 'p.txt'), 'utf8')).toBe('payload');
    expect(await exists(join(root, 'q.txt'))).toBe(false);
  });
});
