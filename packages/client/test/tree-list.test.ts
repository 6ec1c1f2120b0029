// client.tree() (docs/protocol.md §6.10) against the real server: one `tree` request, or the
// walk by `list` for a server without the feature; digests; stopping early; and the checks
// the client applies to every line (a path that would leave the folder is EPROTO).
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { blake3, sha256 } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import type { CftpClient, TreeEntry } from '../src/index.js';
import { LineSplitter } from '../src/line-splitter.js';
import { parseTreeLine } from '../src/tree-list.js';
import { useFixture } from './helpers.js';

const fx = useFixture();

async function sampleTree(root: string) {
  await mkdir(join(root, 'docs', 'deep'), { recursive: true });
  await writeFile(join(root, 'docs', 'a.txt'), 'hello, world\n');
  await writeFile(join(root, 'docs', 'deep', 'b.bin'), Buffer.alloc(70_000, 1));
  await writeFile(join(root, 'top.txt'), '');
  await symlink('/etc', join(root, 'outside'));
}

async function collect(client: CftpClient, path = '', digest = false) {
  const listing = client.tree(path, { digest });
  const entries: TreeEntry[] = [];
  for await (const entry of listing) entries.push(entry);
  return { entries: entries.sort((a, b) => (a.path < b.path ? -1 : 1)), listing };
}

/** Makes the client see the server as one without `tree` (a 1.1 server): the `list` walk. */
function withoutTree(client: CftpClient): void {
  const features = client.server!.features;
  features.splice(features.indexOf('tree'), 1);
}

describe('client.tree (§6.10)', () => {
  it('lists a whole subtree in one request, links as links', async () => {
    const { port, root, server } = await fx.startServer();
    await sampleTree(root);
    const client = await fx.connect(port);
    const operations: string[] = [];
    server.on('operation', (event) => operations.push(`${event.operation} ${event.path}`));
    const { entries, listing } = await collect(client);
    expect(entries.map((e) => [e.path, e.type])).toEqual([
      ['docs', 'dir'],
      ['docs/a.txt', 'file'],
      ['docs/deep', 'dir'],
      ['docs/deep/b.bin', 'file'],
      ['outside', 'symlink'],
      ['top.txt', 'file'],
    ]);
    expect(listing.complete).toBe(true);
    expect(operations).toEqual(['list ']); // one request for the whole tree
  });

  it('gives the same entries by the list walk on a server without the feature', async () => {
    const { port, root } = await fx.startServer();
    await sampleTree(root);
    const native = await collect(await fx.connect(port));
    const client = await fx.connect(port);
    withoutTree(client);
    const walked = await collect(client);
    expect(walked.entries).toEqual(native.entries);
    expect(walked.listing.complete).toBe(true);
    expect(walked.listing.digests).toBe(false);
  });

  it("carries digests in the session's algorithm", async () => {
    const { port, root } = await fx.startServer();
    await sampleTree(root);
    for (const digest of ['blake3', 'sha256'] as const) {
      const client = await fx.connect(port, { digest });
      const { entries } = await collect(client, 'docs', true);
      const hash = digest === 'blake3' ? blake3 : sha256;
      expect(entries.find((e) => e.path === 'a.txt')?.digest).toBe(hash('hello, world\n'));
      expect(entries.find((e) => e.path === 'deep')?.digest).toBeUndefined();
    }
  });

  it('can stop early, and the session goes on', async () => {
    const { port, root } = await fx.startServer();
    for (let i = 0; i < 300; i++) await writeFile(join(root, `f${i}`), `${i}`);
    const client = await fx.connect(port);
    let seen = 0;
    for await (const _entry of client.tree('')) if (++seen === 3) break;
    expect(seen).toBe(3);
    expect((await client.list('')).length).toBe(300);
  });

  it('gives a slow reader every entry: the request waits for it, chunk after chunk', async () => {
    const { port, root } = await fx.startServer();
    const long = 'x'.repeat(200);
    await Promise.all(
      Array.from({ length: 2000 }, (_, i) => writeFile(join(root, `${long}${i}`), '')),
    );
    const client = await fx.connect(port);
    const names = new Set<string>();
    const listing = client.tree('');
    for await (const entry of listing) {
      names.add(entry.path);
      await new Promise((resolve) => setImmediate(resolve)); // slower than the socket
    }
    expect(names.size).toBe(2000);
    expect(listing.complete).toBe(true);
  });

  it('fails with ENOENT for a missing folder, before any entry', async () => {
    const { port } = await fx.startServer();
    const client = await fx.connect(port);
    await expect(collect(client, 'nope')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('tree lines as the client reads them (§6.10)', () => {
  it.each([
    ['a path out of the folder', '{"path":"../x","type":"file","size":1,"mtime":1}'],
    ['an absolute path', '{"path":"/etc/passwd","type":"file","size":1,"mtime":1}'],
    ['a control character', '{"path":"a\\u001bb","type":"file","size":1,"mtime":1}'],
    ['a line that is not JSON', '{"path":'],
    ['a missing field', '{"path":"a","type":"file","size":1}'],
  ])('refuses %s with EPROTO', (_name, line) => {
    expect(() => parseTreeLine(line)).toThrow(expect.objectContaining({ code: 'EPROTO' }));
  });

  it.each([
    ['"." as a segment', '{"path":"a/./b","type":"file","size":1,"mtime":1}'],
    ['"." at the end', '{"path":"a/.","type":"dir","size":0,"mtime":1}'],
    ['"./" in front', '{"path":"./a","type":"file","size":1,"mtime":1}'],
    ['".." at the end', '{"path":"a/..","type":"dir","size":0,"mtime":1}'],
    ['".." alone', '{"path":"..","type":"dir","size":0,"mtime":1}'],
    ['an empty segment', '{"path":"a//b","type":"file","size":1,"mtime":1}'],
    [
      '65 folders deep',
      `{"path":"${Array(65).fill('d').join('/')}","type":"dir","size":0,"mtime":1}`,
    ],
    ['a segment of 256 bytes', `{"path":"${'a'.repeat(256)}","type":"file","size":1,"mtime":1}`],
    ['an unknown type', '{"path":"a","type":"fifo","size":1,"mtime":1}'],
    ['a negative size', '{"path":"a","type":"file","size":-1,"mtime":1}'],
    ['a fractional mtime', '{"path":"a","type":"file","size":1,"mtime":1.5}'],
    ['a mode past 0o777', '{"path":"a","type":"file","size":1,"mtime":1,"mode":512}'],
    ['a null mode', '{"path":"a","type":"file","size":1,"mtime":1,"mode":null}'],
    [
      'an uppercase digest',
      `{"path":"a","type":"file","size":1,"mtime":1,"digest":"${'A'.repeat(64)}"}`,
    ],
    ['a target that is no string', '{"path":"a","type":"symlink","size":1,"mtime":1,"target":7}'],
    ['an array', '["a","file",1,1]'],
  ])('refuses a plain-looking line with %s, as the full check does', (_name, line) => {
    expect(() => parseTreeLine(line)).toThrow(expect.objectContaining({ code: 'EPROTO' }));
  });

  it("gives the schema's entry for plain and other lines alike, unknown fields dropped", () => {
    const digest = 'ab'.repeat(32);
    expect(
      parseTreeLine(
        `{"extra":1,"path":"d00/s1/f00001.bin","type":"file","size":5,"mtime":7,"mode":420,"digest":"${digest}"}`,
      ),
    ).toEqual({ path: 'd00/s1/f00001.bin', type: 'file', size: 5, mtime: 7, mode: 420, digest });
    expect(parseTreeLine('{"path":"l","type":"symlink","size":1,"mtime":0,"target":""}')).toEqual({
      path: 'l',
      type: 'symlink',
      size: 1,
      mtime: 0,
      target: '',
    });
    // Not plain (a space, a non-ASCII name): the full check, the same shape of entry.
    expect(parseTreeLine('{"path":"a b/\u00e9","type":"dir","size":0,"mtime":3}')).toEqual({
      path: 'a b/\u00e9',
      type: 'dir',
      size: 0,
      mtime: 3,
    });
    const deep = Array(64).fill('d').join('/');
    expect(parseTreeLine(`{"path":"${deep}","type":"dir","size":0,"mtime":1}`).path).toBe(deep);
  });

  it('splits lines across chunks and bounds their length', () => {
    const lines = new LineSplitter(8, 'tree');
    expect(lines.push(Buffer.from('abc\nde'))).toEqual(['abc']);
    expect(lines.push(Buffer.from('f\n\n'))).toEqual(['def', '']);
    expect(() => lines.push(Buffer.from('123456789'))).toThrow(
      expect.objectContaining({ code: 'EPROTO' }),
    );
    const open = new LineSplitter(8, 'tree');
    open.push(Buffer.from('abc'));
    expect(() => open.end()).toThrow(expect.objectContaining({ code: 'EPROTO' }));
  });
});
