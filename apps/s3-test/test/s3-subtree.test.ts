// `tree` on S3 storage reads the subtree a page of 1000 keys at a time (packages/storage-s3
// subtree.ts), not a listing per folder. Against the real store, on a layout made to trip
// it: names that sort around `/` (`a-b`, `a/`, `a0`), folders with and without markers, a
// hidden temporary file, the reserved folder, names the wire cannot carry (a file and a
// folder), and a chain deeper than MAX_TREE_DEPTH. Its lines must be the ones the folder-by-
// folder walk gives for the same bucket (the same storage with `subtree` hidden), depth
// first, with the same count of entries left out, in far fewer requests.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { MAX_TREE_DEPTH, type TreeEntry, tempName } from '@cftp/protocol';
import { type CftpServer, createServer, type Storage } from '@cftp/server';
import { S3Storage } from '@cftp/storage-s3';
import { Control, requestTree, sha256 } from '@cftp/wire-test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingClient, emptyPrefix, store, uniquePrefix } from './s3-helpers.js';

const prefix = uniquePrefix('subtree');
const { client, sent: requests } = countingClient();

const deep = Array.from({ length: MAX_TREE_DEPTH + 2 }, (_, i) => `d${i}`).join('/');
const KEYS: Array<[key: string, body: string, metadata?: Record<string, string>]> = [
  ['top.txt', 'top'],
  ['a-b', 'sorts before a/'],
  ['a/', '', { 'cftp-mtime': '1700000000000', 'cftp-mode': '750' }],
  ['a/x.txt', 'x', { 'cftp-mtime': '1600000000000', 'cftp-mode': '640' }],
  ['a/sub/y.txt', 'y in a folder without a marker'],
  [`a/${tempName('upload.bin', '0123456789abcdef')}`, 'an upload in progress: hidden'],
  ['a0', 'sorts after a/'],
  ['n/deep/f.txt', 'two folders without markers'],
  ['bad\\name', 'a file the wire cannot carry'],
  ['bad\\dir/inner.txt', 'inside a folder the wire cannot carry'],
  ['bad\\dir/more/z.txt', 'deeper inside it'],
  ['.cftp-s3/partials/p/000001', 'the reserved folder'],
  [`${deep}/f.txt`, 'past the depth bound'],
];

let flat: CftpServer;
let byFolder: CftpServer;

beforeAll(async () => {
  for (const [key, body, metadata] of KEYS) {
    await client.send(
      new PutObjectCommand({
        Bucket: store.S3_BUCKET,
        Key: prefix + key,
        Body: body,
        ...(metadata === undefined ? {} : { Metadata: metadata }),
      }),
    );
  }
  const storage = new S3Storage({ client, bucket: store.S3_BUCKET, prefix });
  // The same storage without `subtree`: the server walks it a listing per folder.
  const perFolder: Storage = {
    list: (segments, options) => storage.list(segments, options),
    openRead: (segments) => storage.openRead(segments),
    createUpload: (segments, options) => storage.createUpload(segments, options),
    stat: (segments) => storage.stat(segments),
    mkdir: (segments) => storage.mkdir(segments),
    rmdir: (segments) => storage.rmdir(segments),
    remove: (segments) => storage.remove(segments),
    rename: (from, to) => storage.rename(from, to),
  };
  flat = createServer({ storage, host: '127.0.0.1' });
  byFolder = createServer({ storage: perFolder, host: '127.0.0.1' });
  await flat.listen(0);
  await byFolder.listen(0);
  // Their start-up sweeps list the bucket too: done before any request is counted.
  await Promise.all([flat.sweepFinished(), byFolder.sweepFinished()]);
});

afterAll(async () => {
  await Promise.all([flat?.close(), byFolder?.close()]);
  await emptyPrefix(prefix);
});

/** A `tree` of the root over the wire: its lines, `done`, and the requests it cost. */
async function tree(server: CftpServer, path?: string, digest?: boolean) {
  const control = await Control.ready(server.address().port);
  const before = { ...requests };
  try {
    const { entries, done } = await requestTree(control, {
      ...(path === undefined ? {} : { path }),
      ...(digest === undefined ? {} : { digest }),
    });
    const cost = (name: string) => (requests[name] ?? 0) - (before[name] ?? 0);
    return {
      entries,
      done,
      lists: cost('ListObjectsV2Command'),
      heads: cost('HeadObjectCommand'),
      gets: cost('GetObjectCommand'),
    };
  } finally {
    control.close();
  }
}

/** Depth first (§6.10): each line's folder came before it, and no folder is reopened. */
function expectDepthFirst(entries: readonly TreeEntry[]): void {
  const finished = new Set<string>();
  const chain: string[] = [];
  for (const entry of entries) {
    const parent = entry.path.includes('/') ? entry.path.slice(0, entry.path.lastIndexOf('/')) : '';
    while (chain.length > 0 && chain.at(-1) !== parent) finished.add(chain.pop()!);
    expect(parent === '' || chain.at(-1) === parent, entry.path).toBe(true);
    expect(finished.has(entry.path), `${entry.path} came back`).toBe(false);
    if (entry.type === 'dir') chain.push(entry.path);
  }
}

describe('tree on S3 storage', () => {
  it('gives the lines of the folder-by-folder walk, depth first, in a LIST per 1000 keys', async () => {
    const one = await tree(flat);
    const other = await tree(byFolder);
    const byPath = (list: readonly TreeEntry[]) =>
      [...list]
        .sort((p, q) => (p.path < q.path ? -1 : 1))
        .map(({ mtime, ...rest }) =>
          // A folder without a marker shows the time of the walk: equal up to the two walks.
          rest.type === 'dir' && mtime > 1_750_000_000_000 ? rest : { ...rest, mtime },
        );
    expect(byPath(one.entries)).toEqual(byPath(other.entries));
    expectDepthFirst(one.entries);
    expect(one.done.count).toBe(one.entries.length);
    // Left out: `bad\name`, `bad\dir` (once, with what it holds), d63's content.
    expect(one.done.skipped).toBe(3);
    expect(other.done.skipped).toBe(3);

    const paths = one.entries.map((entry) => entry.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'a-b',
        'a',
        'a/x.txt',
        'a/sub',
        'a/sub/y.txt',
        'a0',
        'n/deep/f.txt',
        'top.txt',
      ]),
    );
    expect(paths.filter((path) => path.includes('cftp') || path.includes('bad'))).toEqual([]);
    expect(paths.filter((path) => path.startsWith('d0')).length).toBe(MAX_TREE_DEPTH);
    expect(one.entries.find((entry) => entry.path === 'a')).toMatchObject({
      type: 'dir',
      mtime: 1_700_000_000_000,
      mode: 0o750,
    });
    expect(one.entries.find((entry) => entry.path === 'a/x.txt')).toMatchObject({
      type: 'file',
      size: 1,
      mtime: 1_600_000_000_000,
      mode: 0o640,
    });

    // One page for the whole bucket, against a LIST for each folder walked (67) and the top.
    expect(one.lists).toBe(1);
    expect(other.lists).toBe(68);
  });

  it('walks a subtree below the root, and answers ENOENT for a folder that is not there', async () => {
    const below = await tree(flat, 'a');
    expect(below.entries.map((entry) => entry.path).sort()).toEqual(['sub', 'sub/y.txt', 'x.txt']);
    const control = await Control.ready(flat.address().port);
    try {
      const id = control.newId();
      control.send({ type: 'tree', id, path: 'nothing' });
      expect(await control.reply(id)).toMatchObject({ type: 'error', code: 'ENOENT' });
    } finally {
      control.close();
    }
  });

  it('with digests, reads each file once: a second tree of `a` takes them from the digest cache', async () => {
    const digestOf = (list: readonly TreeEntry[], path: string) =>
      list.find((entry) => entry.path === path)?.digest;
    for (const server of [flat, byFolder]) {
      const first = await tree(server, 'a', true);
      const files = first.entries.filter((entry) => entry.type === 'file');
      expect(first.gets).toBe(files.length);
      expect(files.every((entry) => typeof entry.digest === 'string')).toBe(true);
      // The session's digest is SHA-256 (wire-test offers no BLAKE3).
      expect(digestOf(first.entries, 'x.txt')).toBe(sha256(Buffer.from('x')));

      const second = await tree(server, 'a', true);
      expect(second.gets).toBe(0);
      expect(second.entries.filter((entry) => entry.type === 'file')).toEqual(files);
    }
    // A new version of one file: read again (by each server), its new digest sent.
    await client.send(
      new PutObjectCommand({ Bucket: store.S3_BUCKET, Key: `${prefix}a/x.txt`, Body: 'x, later' }),
    );
    for (const server of [flat, byFolder]) {
      const third = await tree(server, 'a', true);
      expect(third.gets).toBe(1);
      expect(digestOf(third.entries, 'x.txt')).toBe(sha256(Buffer.from('x, later')));
    }
  });
});
