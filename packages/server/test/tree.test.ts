// `tree` over a real data channel (docs/protocol.md §6.10): relative paths depth first,
// symlinks sent and never entered, digests, the digest cache that spares unchanged files a
// second read, the depth bound, and the errors before `ready`.
import { readdirSync } from 'node:fs';
import { mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CftpError } from '@cftp/protocol';
import { type Control, requestTree, sha256 } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { type Listing, type ListOptions, LocalStorage, type ReadableFile } from '../src/index.js';
import { useFixture } from './fixture.js';

const fx = useFixture();

async function tree(control: Control, path?: string, digest?: boolean) {
  const { entries, done, bytes } = await requestTree(control, {
    ...(path === undefined ? {} : { path }),
    ...(digest === undefined ? {} : { digest }),
  });
  expect(done.size).toBe(bytes.byteLength);
  expect(done.sha256).toBe(sha256(bytes));
  expect(done.count).toBe(entries.length);
  return { entries, done };
}

/** A LocalStorage that counts the files opened and the bytes read (digests included). */
class CountingStorage extends LocalStorage {
  bytesRead = 0;
  opened = 0;
  override async openRead(segments: readonly string[]): Promise<ReadableFile> {
    this.opened++;
    const file = await super.openRead(segments);
    return {
      ...file,
      read: async (buffer, position) => {
        const n = await file.read(buffer, position);
        this.bytesRead += n;
        return n;
      },
      close: () => file.close(),
    };
  }
}

/** A LocalStorage whose reads of some files wait until the test opens the gate. */
class GatedStorage extends LocalStorage {
  private open: () => void = () => {};
  private readonly gate = new Promise<void>((resolve) => {
    this.open = resolve;
  });
  private readonly closings = new Map<string, () => void>();
  /** Per gated file: resolves when it has been closed (its read finished or given up). */
  readonly closed = new Map<string, Promise<void>>();
  /** Per gated file: the bytes its reads returned. */
  readonly bytesRead = new Map<string, number>();

  constructor(root: string, gated: readonly string[]) {
    super(root);
    for (const path of gated) {
      this.closed.set(path, new Promise((resolve) => this.closings.set(path, resolve)));
    }
  }

  release(): void {
    this.open();
  }

  override async openRead(segments: readonly string[]): Promise<ReadableFile> {
    const file = await super.openRead(segments);
    const path = segments.join('/');
    const closing = this.closings.get(path);
    if (closing === undefined) return file;
    return {
      ...file,
      read: async (buffer, position) => {
        await this.gate;
        const n = await file.read(buffer, position);
        this.bytesRead.set(path, (this.bytesRead.get(path) ?? 0) + n);
        return n;
      },
      close: async () => {
        await file.close();
        closing();
      },
    };
  }
}

async function sampleTree(root: string) {
  await mkdir(join(root, 'docs', 'deep'), { recursive: true });
  await writeFile(join(root, 'docs', 'a.txt'), 'hello, world\n');
  await writeFile(join(root, 'docs', 'deep', 'b.bin'), Buffer.alloc(70_000, 1));
  await writeFile(join(root, 'top.txt'), '');
  await writeFile(join(root, 'docs', '.a.txt.cftp-0123456789abcdef.part'), 'temp');
  await symlink('docs', join(root, 'latest'));
  await symlink('/etc', join(root, 'outside'));
}

describe('docs/protocol.md §6.10 tree', () => {
  it('streams every entry below the folder, depth first, links as links', async () => {
    const { port, root } = await fx.start();
    await sampleTree(root);
    const control = await fx.control(port);
    const { entries, done } = await tree(control);
    const paths = entries.map((e) => e.path);
    expect([...paths].sort()).toEqual([
      'docs',
      'docs/a.txt',
      'docs/deep',
      'docs/deep/b.bin',
      'latest',
      'outside',
      'top.txt',
    ]);
    // Depth first: a folder's subtree follows its own line, before any sibling of it.
    const docs = paths.indexOf('docs');
    expect(paths.slice(docs, docs + 4).sort()).toEqual([
      'docs',
      'docs/a.txt',
      'docs/deep',
      'docs/deep/b.bin',
    ]);
    expect(paths.indexOf('docs/deep/b.bin')).toBeGreaterThan(paths.indexOf('docs/deep'));
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(byPath.get('latest')?.type).toBe('symlink');
    expect(byPath.get('outside')?.type).toBe('symlink');
    expect(byPath.get('docs/deep/b.bin')).toMatchObject({ type: 'file', size: 70_000 });
    expect(byPath.get('docs/a.txt')?.digest).toBeUndefined();
    expect(done.skipped).toBeUndefined();
  });

  it('walks a folder below the root, with paths relative to it', async () => {
    const { port, root } = await fx.start();
    await sampleTree(root);
    const control = await fx.control(port);
    const { entries } = await tree(control, 'docs');
    expect(entries.map((e) => e.path).sort()).toEqual(['a.txt', 'deep', 'deep/b.bin']);
  });

  it('sends digests when asked, and reads an unchanged file only once', async () => {
    const root = await fx.tempDir();
    await sampleTree(root);
    const storage = new CountingStorage(root);
    const { port } = await fx.start({ storage, root });
    const control = await fx.control(port);

    const first = await tree(control, '', true);
    const byPath = new Map(first.entries.map((e) => [e.path, e]));
    expect(byPath.get('docs/a.txt')?.digest).toBe(sha256('hello, world\n'));
    expect(byPath.get('docs/deep/b.bin')?.digest).toBe(sha256(Buffer.alloc(70_000, 1)));
    expect(byPath.get('top.txt')?.digest).toBe(sha256(''));
    expect(byPath.get('docs')?.digest).toBeUndefined();
    expect(byPath.get('latest')?.digest).toBeUndefined();
    expect(storage.bytesRead).toBe(13 + 70_000);

    storage.bytesRead = 0;
    storage.opened = 0;
    const second = await tree(control, '', true);
    expect(second.entries).toEqual(first.entries);
    expect(storage.bytesRead).toBe(0);
    expect(storage.opened).toBe(0); // known from the listing's lstat: not even opened

    // A change of content under the same size and mtime still misses the cache: ctime moved.
    const a = join(root, 'docs', 'a.txt');
    const mtime = new Date(byPath.get('docs/a.txt')!.mtime);
    await writeFile(a, 'HELLO, WORLD\n');
    await utimes(a, mtime, mtime);
    const third = await tree(control, '', true);
    const changed = third.entries.find((e) => e.path === 'docs/a.txt');
    expect(changed?.digest).toBe(sha256('HELLO, WORLD\n'));
    expect(changed?.mtime).toBe(byPath.get('docs/a.txt')!.mtime);
    expect(storage.bytesRead).toBe(13);
  });

  it('sends a line without its digest when reading takes longer than treeDigestWaitMs, and has it cached next time', async () => {
    const root = await fx.tempDir();
    for (const folder of ['a', 'b', 'c']) await mkdir(join(root, folder));
    await writeFile(join(root, 'a', 'big.bin'), Buffer.alloc(300_000, 7));
    await writeFile(join(root, 'b', 'other.bin'), Buffer.alloc(1000, 3));
    const big2 = Buffer.alloc(3 * 1024 * 1024, 9); // more than one 1 MiB read
    await writeFile(join(root, 'c', 'big2.bin'), big2);
    const storage = new GatedStorage(root, ['a/big.bin', 'c/big2.bin']);
    // Long enough that a pause never pushes the quick read past it; the slow reads are
    // slow because of the gate, not the clock.
    const { port } = await fx.start({ storage, root, treeDigestWaitMs: 1000 });
    const control = await fx.control(port);

    // big.bin's read waits for the gate: its line goes without a digest after the wait, and
    // the read goes on in the background.
    const first = await tree(control, 'a', true);
    expect(first.entries).toEqual([
      { path: 'big.bin', type: 'file', size: 300_000, mtime: expect.any(Number), mode: 0o644 },
    ]);
    expect(first.done.skipped).toBeUndefined();
    // Meanwhile a quick read is made as usual...
    const second = await tree(control, 'b', true);
    expect(second.entries[0]?.digest).toBe(sha256(Buffer.alloc(1000, 3)));
    // ...and a second slow one is given up (one background read per root): no digest.
    const third = await tree(control, 'c', true);
    expect(third.entries).toHaveLength(1);
    expect(third.entries[0]?.digest).toBeUndefined();

    // Once the gate opens, the background read finishes and fills the cache; the given-up
    // one stops after the read it was waiting on.
    storage.release();
    await storage.closed.get('a/big.bin');
    await storage.closed.get('c/big2.bin');
    expect(storage.bytesRead.get('a/big.bin')).toBe(300_000);
    expect(storage.bytesRead.get('c/big2.bin')).toBeLessThan(big2.byteLength);
    const last = await tree(control, '', true);
    const byPath = new Map(last.entries.map((e) => [e.path, e]));
    expect(byPath.get('a/big.bin')?.digest).toBe(sha256(Buffer.alloc(300_000, 7)));
    expect(byPath.get('b/other.bin')?.digest).toBe(sha256(Buffer.alloc(1000, 3)));
    expect(byPath.get('c/big2.bin')?.digest).toBe(sha256(big2));
  });

  it('reads folders ahead but still sends each subtree whole, right after its folder', async () => {
    const { port, root } = await fx.start();
    const made: string[] = [];
    for (let a = 0; a < 30; a++) {
      for (let b = 0; b < 3; b++) {
        const folder = `a${a}/b${b}`;
        await mkdir(join(root, folder), { recursive: true });
        for (const name of ['x', 'y']) {
          await writeFile(join(root, folder, name), name);
          made.push(`${folder}/${name}`);
        }
        made.push(folder);
      }
      made.push(`a${a}`);
    }
    const descriptors = () => readdirSync('/proc/self/fd').length;
    const control = await fx.control(port);
    const before = descriptors();
    const { entries, done } = await tree(control);
    const paths = entries.map((e) => e.path);
    expect([...paths].sort()).toEqual([...made].sort());
    expect(done.skipped).toBeUndefined();
    // Depth first: each folder's entries follow its line, all together.
    paths.forEach((path, i) => {
      if (entries[i]!.type !== 'dir') return;
      const inside = paths.filter((p) => p.startsWith(`${path}/`)).length;
      const block = paths.slice(i + 1, i + 1 + inside);
      expect(block.every((p) => p.startsWith(`${path}/`))).toBe(true);
    });
    // Every folder listed ahead was closed.
    expect(descriptors()).toBeLessThanOrEqual(before + 1);
  });

  it('counts a folder it cannot read in skipped, and goes on with the rest', async () => {
    const root = await fx.tempDir();
    await sampleTree(root);
    const storage = new (class extends LocalStorage {
      override async list(segments: readonly string[], options?: ListOptions): Promise<Listing> {
        if (segments.join('/') !== 'docs/deep') return super.list(segments, options);
        return {
          // What an unreadable folder gives a lazy reader: the failure comes from the read.
          // biome-ignore lint/correctness/useYield: fails before its first batch
          async *[Symbol.asyncIterator]() {
            throw new CftpError('EACCES', 'permission denied: "docs/deep"');
          },
        };
      }
    })(root);
    const { port } = await fx.start({ storage, root });
    const control = await fx.control(port);
    const { entries, done } = await tree(control);
    expect(entries.map((e) => e.path)).toContain('docs/deep');
    expect(entries.map((e) => e.path)).not.toContain('docs/deep/b.bin');
    expect(entries.map((e) => e.path)).toContain('top.txt');
    expect(done.skipped).toBe(1);
  });

  it('stops 64 folders deep and counts what it left out', async () => {
    const { port, root } = await fx.start();
    const deepest = join(root, ...Array.from({ length: 66 }, () => 'd'));
    await mkdir(deepest, { recursive: true });
    await writeFile(join(deepest, 'f'), 'x');
    const control = await fx.control(port);
    const { entries, done } = await tree(control);
    expect(entries).toHaveLength(64);
    expect(Math.max(...entries.map((e) => e.path.split('/').length))).toBe(64);
    expect(done.skipped).toBe(1);
  });

  it.each([
    ['a missing folder', 'nope', 'ENOENT'],
    ['a file', 'top.txt', 'ENOTDIR'],
    ['a path that leaves the root', '../x', 'EBADNAME'],
    ['a link that leads outside', 'outside', 'EACCES'],
  ])('refuses %s before ready', async (_name, path, code) => {
    const { port, root } = await fx.start();
    await sampleTree(root);
    const control = await fx.control(port);
    const id = control.newId();
    control.send({ type: 'tree', id, path });
    const reply = await control.reply(id);
    expect(reply).toMatchObject({ type: 'error', code });
  });
});
