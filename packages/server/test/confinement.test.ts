// Confinement gaps closed in LocalStorage (docs/protocol.md §9, docs/security.md): writes
// through a symlinked parent, a symlink planted under a temporary name, a folder swapped for
// a symlink between the check and the open, FIFOs, and names that differ only in Unicode
// normalisation.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { renameSync, symlinkSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Control, HOST, openData, readAll, sendAndEnd } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { createServer, LocalStorage } from '../src/index.js';
import { useFixture } from './fixture.js';

const fx = useFixture();

/** A root and, beside it, a folder outside it holding a secret file. */
async function rootAndOutside(): Promise<{ root: string; outside: string }> {
  const base = await fx.tempDir();
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'outside the root');
  return { root, outside };
}

describe('writes through a symlinked parent that leads outside (§9 EACCES)', () => {
  it('refuses put, mkdir and rename into it and creates nothing outside', async () => {
    const { root, outside } = await rootAndOutside();
    await symlink(outside, join(root, 'out'));
    await writeFile(join(root, 'inside.txt'), 'in');
    const { port } = await fx.start({ root });
    const control = await fx.control(port);
    control.send({ type: 'put', id: 1, path: 'out/planted.txt', size: 1 });
    control.send({ type: 'mkdir', id: 2, path: 'out/newdir' });
    control.send({ type: 'rename', id: 3, from: 'inside.txt', to: 'out/moved.txt' });
    control.send({ type: 'delete', id: 4, path: 'out/secret.txt' });
    control.send({ type: 'stat', id: 5, path: 'out/secret.txt' });
    control.send({ type: 'list', id: 6, path: 'out' });
    for (const id of [1, 2, 3, 4, 5, 6]) expect(await control.errorCode(id)).toBe('EACCES');
    expect(await readdir(outside)).toEqual(['secret.txt']);
    expect(await readdir(root)).toEqual(expect.arrayContaining(['inside.txt', 'out']));
  });

  it('never writes through a symlink planted under a resumable temporary name', async () => {
    const { root, outside } = await rootAndOutside();
    const content = Buffer.from('resumable upload');
    const sha256 = createHash('sha256').update(content).digest('hex');
    // The name the server will append to for this upload (§8).
    await symlink(
      join(outside, 'secret.txt'),
      join(root, `.f.txt.cftp-resume-${sha256.slice(0, 16)}.part`),
    );
    const { port } = await fx.start({ root });
    const control = await fx.control(port);
    control.send({
      type: 'put',
      id: 1,
      path: 'f.txt',
      size: content.length,
      resume: true,
      sha256,
    });
    expect(await control.errorCode(1)).toBe('EACCES');
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('outside the root');
  });
});

/**
 * A LocalStorage whose check-before-use is followed, every time, by an attacker's move:
 * folder `a` is replaced by a symlink to the outside folder. What the server opens next must
 * still be refused.
 */
class SwappedStorage extends LocalStorage {
  private swapped = false;

  constructor(
    root: string,
    private readonly outside: string,
  ) {
    super(root);
  }

  protected override async resolveInside(segments: readonly string[]): Promise<string> {
    const real = await super.resolveInside(segments);
    this.swap(segments);
    return real;
  }

  // The same check made on the calling thread (listings, and an upload's folder).
  protected override resolveInsideHere(root: string, segments: readonly string[]): string {
    const real = super.resolveInsideHere(root, segments);
    this.swap(segments);
    return real;
  }

  private swap(segments: readonly string[]): void {
    if (segments[0] === 'a' && !this.swapped) {
      this.swapped = true;
      const a = join(this.root, 'a');
      renameSync(a, join(this.root, 'a-moved'));
      symlinkSync(this.outside, a);
    }
  }
}

describe('a folder swapped for a symlink between the check and the open', () => {
  async function swappedServer() {
    const { root, outside } = await rootAndOutside();
    await mkdir(join(root, 'a'));
    await writeFile(join(root, 'a', 'secret.txt'), 'inside the root');
    const server = createServer({
      storage: new SwappedStorage(root, outside),
      host: HOST,
      sweepOnStart: false,
    });
    const { port } = await server.listen(0);
    return { server, port, root, outside };
  }

  it('refuses get: the opened file is checked again and is outside', async () => {
    const { server, port } = await swappedServer();
    try {
      const wire = await Control.ready(port);
      fx.track(wire.socket);
      wire.send({ type: 'get', id: 1, path: 'a/secret.txt' });
      expect(await wire.reply(1)).toMatchObject({ type: 'error', code: 'EACCES' });
      expect(wire.log.some((message) => message.type === 'ready')).toBe(false);
    } finally {
      await server.close(0);
    }
  });

  it('refuses put and list, and writes nothing outside', async () => {
    const { server, port, outside } = await swappedServer();
    try {
      const wire = await Control.ready(port);
      fx.track(wire.socket);
      wire.send({ type: 'put', id: 1, path: 'a/planted.txt', size: 4 });
      expect(await wire.errorCode(1)).toBe('EACCES');
      wire.send({ type: 'list', id: 2, path: 'a' });
      const listed = await wire.reply(2);
      if (listed.type === 'ready') {
        // The folder was checked before ready; the listing itself is opened and checked again.
        const data = fx.track(await openData(listed.port, listed.token));
        const bytes = await readAll(data);
        expect(bytes.toString()).not.toContain('secret.txt');
        expect(await wire.errorCode(2)).toBe('EACCES');
      } else {
        expect(listed).toMatchObject({ type: 'error', code: 'EACCES' });
      }
      expect(await readdir(outside)).toEqual(['secret.txt']);
    } finally {
      await server.close(0);
    }
  });
});

/** SwappedStorage for the walk of `tree`, whose folders are checked on the calling thread. */
class SwappedHereStorage extends LocalStorage {
  private swapped = false;

  constructor(
    root: string,
    private readonly outside: string,
  ) {
    super(root);
  }

  protected override resolveInsideHere(root: string, segments: readonly string[]): string {
    const real = super.resolveInsideHere(root, segments);
    if (segments[0] === 'a' && !this.swapped) {
      this.swapped = true;
      const a = join(this.root, 'a');
      renameSync(a, join(this.root, 'a-moved'));
      symlinkSync(this.outside, a);
    }
    return real;
  }
}

describe('a folder swapped for a symlink while tree walks (checked on the calling thread)', () => {
  it('leaves the folder out, counted, and never lists what is outside', async () => {
    const { root, outside } = await rootAndOutside();
    await mkdir(join(root, 'a'));
    await writeFile(join(root, 'a', 'inside.txt'), 'inside the root');
    await writeFile(join(root, 'top.txt'), 'top');
    const server = createServer({
      storage: new SwappedHereStorage(root, outside),
      host: HOST,
      sweepOnStart: false,
    });
    const { port } = await server.listen(0);
    try {
      const wire = await Control.ready(port);
      fx.track(wire.socket);
      wire.send({ type: 'tree', id: 1, path: '' });
      const ready = await wire.reply(1);
      expect(ready).toMatchObject({ type: 'ready' });
      if (ready.type !== 'ready') return;
      const data = fx.track(await openData(ready.port, ready.token));
      const text = (await readAll(data)).toString();
      const done = await wire.reply(1);
      expect(text).not.toContain('secret.txt');
      expect(text).not.toContain('inside.txt');
      expect(text).toContain('"top.txt"');
      expect(done).toMatchObject({ type: 'done', skipped: 1 });
    } finally {
      await server.close(0);
    }
  });
});

describe('special files', () => {
  it('refuses get of a FIFO at once, even more of them than the thread pool has threads', async () => {
    const { port, root } = await fx.start();
    execFileSync('mkfifo', [join(root, 'pipe')]);
    await writeFile(join(root, 'plain.txt'), 'plain');
    const control = await fx.control(port);
    const ids = [1, 2, 3, 4, 5, 6, 7, 8];
    for (const id of ids) control.send({ type: 'get', id, path: 'pipe' });
    for (const id of ids) expect(await control.errorCode(id)).toBe('EACCES');
    control.send({ type: 'get', id: 9, path: 'plain.txt' });
    const ready = await control.expect(9, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    expect((await readAll(data)).toString()).toBe('plain');
    await control.expect(9, 'done');
  });
});

describe('names that differ only in Unicode normalisation (§9: EEXIST)', () => {
  const nfc = 'caf\u00e9.txt';
  const nfd = 'cafe\u0301.txt';

  it('refuses put, mkdir and rename to an NFC name whose NFD twin exists', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, nfd), 'decomposed');
    await writeFile(join(root, 'other.txt'), 'other');
    const control = await fx.control(port);
    control.send({ type: 'put', id: 1, path: nfd, size: 1 }); // normalised to NFC on the way in
    control.send({ type: 'mkdir', id: 2, path: nfc });
    control.send({ type: 'rename', id: 3, from: 'other.txt', to: nfc });
    for (const id of [1, 2, 3]) expect(await control.errorCode(id)).toBe('EEXIST');
    expect((await readdir(root)).sort()).toEqual([nfd, 'other.txt'].sort());
  });

  it('refuses an ASCII name whose KELVIN SIGN twin exists, and allows unrelated names', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, '\u212Aelvin.txt'), 'kelvin sign');
    const control = await fx.control(port);
    control.send({ type: 'mkdir', id: 1, path: 'Kelvin.txt' });
    expect(await control.errorCode(1)).toBe('EEXIST');
    control.send({ type: 'put', id: 2, path: 'kelvin.txt', size: 2 });
    const ready = await control.expect(2, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    await sendAndEnd(data, Buffer.from('ok'));
    control.send({
      type: 'done',
      id: 2,
      size: 2,
      sha256: createHash('sha256').update('ok').digest('hex'),
    });
    await control.expect(2, 'ok');
  });

  it('still replaces a file whose exact NFC name exists', async () => {
    const { port, root } = await fx.start();
    await writeFile(join(root, nfc), 'old');
    const control = await fx.control(port);
    const content = Buffer.from('new');
    control.send({ type: 'put', id: 1, path: nfc, size: content.length });
    const ready = await control.expect(1, 'ready');
    const data = fx.track(await openData(ready.port, ready.token));
    await sendAndEnd(data, content);
    control.send({
      type: 'done',
      id: 1,
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    await control.expect(1, 'ok');
    expect(await readFile(join(root, nfc), 'utf8')).toBe('new');
  });

  it('only K, ; and ` among ASCII characters have another canonical form (every code point)', () => {
    const twins = new Set<string>();
    for (let cp = 0x80; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const decomposed = String.fromCodePoint(cp).normalize('NFD');
      if ([...decomposed].every((c) => c.charCodeAt(0) < 0x80)) {
        for (const c of decomposed) twins.add(c);
      }
    }
    expect([...twins].sort()).toEqual([';', 'K', '`']);
  });
});
