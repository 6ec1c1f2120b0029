// Storage faults against a real `cftp server` (docs/protocol.md §8, docs/security.md
// "Storage"): SIGKILL in the middle of an upload, leftovers swept at the next start, a full
// disk, a read-only folder, two clients writing one name, and clients that vanish mid-transfer.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { connect } from '@cftp/client';
import { createServer, LocalStorage, type Storage, type Upload } from '@cftp/server';
import { processUsage, startServer } from '@cftp/testkit';
import { Control, openData } from '@cftp/wire-test';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MiB,
  outcome,
  resumableFiles,
  sha256,
  sha256File,
  tempFiles,
  until,
  useHostile,
  writeRandom,
} from './support.js';

const hostile = useHostile('storage-faults');
const run = promisify(execFile);

describe('SIGKILL in the middle of an upload (§8)', () => {
  const RUNS = 6;
  const tally = { runs: 0, partialUnderRealName: 0, leftoversSwept: 0, leftoversRemaining: 0 };
  afterAll(() => {
    hostile.figures.kill9Runs = tally.runs;
    hostile.figures.kill9PartialFilesUnderRealName = tally.partialUnderRealName;
    hostile.figures.kill9LeftoversSweptAtRestart = tally.leftoversSwept;
    hostile.figures.kill9LeftoversRemaining = tally.leftoversRemaining;
  });

  it(`leaves the old content or nothing, never a partial file (${RUNS} runs)`, async () => {
    const base = await hostile.tempDir();
    const root = join(base, 'root');
    await mkdir(root);
    const source = join(base, 'source.bin');
    const newDigest = await writeRandom(source, 24 * MiB);
    const oldContent = Buffer.from('the old version of the file\n');
    for (let i = 0; i < RUNS; i++) {
      const name = `f${i}.bin`;
      const hasOld = i % 2 === 0;
      if (hasOld) await writeFile(join(root, name), oldContent);
      // Kill points: as soon as bytes flow, part way, and after the last byte (the commit window).
      const killAt = [0, 0.3, 0.6, 0.9, 1, 1][i]!;
      const server = hostile.server(await startServer(root, ['--quiet']));
      const client = await connect({ host: '127.0.0.1', port: server.port });
      let killed: Promise<unknown> | undefined;
      const put = client.put(source, name, {
        onProgress: (p) => {
          if (killed === undefined && p.bytes >= killAt * 24 * MiB) {
            killed = server.stop('SIGKILL');
          }
        },
      });
      const result = await outcome(put);
      await (killed ?? server.stop('SIGKILL'));
      client.close();
      tally.runs++;

      // What a reader sees under the real name: the old file, nothing, or (if the commit
      // beat the kill) the whole new file. Never a part of it.
      const now = await readFile(join(root, name)).catch(() => undefined);
      const digest = now === undefined ? 'absent' : sha256(now);
      const allowed = [hasOld ? sha256(oldContent) : 'absent', newDigest];
      if (!allowed.includes(digest)) tally.partialUnderRealName++;
      expect({ run: i, result, digest: allowed.includes(digest) }).toMatchObject({
        digest: true,
      });

      // The next start sweeps what the killed upload left behind.
      const leftover = (await tempFiles(root)).length;
      const restarted = hostile.server(await startServer(root, []));
      const sweep = await restarted.waitForLog((line) => line.msg === 'sweep', 'the sweep');
      tally.leftoversSwept += Number(sweep.removedTemporary);
      expect(sweep.removedTemporary).toBe(leftover);
      const remaining = (await tempFiles(root)).length;
      tally.leftoversRemaining += remaining;
      expect(remaining).toBe(0);
      await restarted.stop();
    }
  });

  it('keeps a resumable partial across the kill and resumes from it', async () => {
    const base = await hostile.tempDir();
    const root = join(base, 'root');
    await mkdir(root);
    const source = join(base, 'source.bin');
    const digest = await writeRandom(source, 16 * MiB);
    const server = hostile.server(await startServer(root, ['--quiet']));
    const client = await connect({ host: '127.0.0.1', port: server.port });
    let killed: Promise<unknown> | undefined;
    await outcome(
      client.put(source, 'big.bin', {
        resume: true,
        onProgress: (p) => {
          if (killed === undefined && p.bytes >= 8 * MiB) killed = server.stop('SIGKILL');
        },
      }),
    );
    await killed;
    client.close();
    expect(await resumableFiles(root)).toHaveLength(1);
    const restarted = hostile.server(await startServer(root, []));
    const sweep = await restarted.waitForLog((line) => line.msg === 'sweep', 'the sweep');
    expect(sweep).toMatchObject({ keptPartials: 1, removedPartials: 0 });
    const again = await hostile.client(restarted.port);
    const result = await again.put(source, 'big.bin', { resume: true });
    expect(result.resumedFrom).toBeGreaterThan(0);
    expect(await sha256File(join(root, 'big.bin'))).toBe(digest);
    expect(await resumableFiles(root)).toEqual([]);
  });
});

/**
 * Only where mounting a small tmpfs is not permitted: a LocalStorage whose uploads fail with
 * ENOSPC beyond `limit` bytes each, the way a full disk fails the write.
 */
function fullDisk(root: string, limit: number): Storage {
  const local = new LocalStorage(root);
  return new Proxy(local, {
    get(target, property, receiver) {
      if (property !== 'createUpload') return Reflect.get(target, property, receiver);
      return async (...args: Parameters<Storage['createUpload']>): Promise<Upload> => {
        const upload = await target.createUpload(...args);
        let written = 0;
        const stream = new Writable({
          write(chunk: Buffer, _encoding, callback) {
            written += chunk.byteLength;
            if (written <= limit) return void upload.stream.write(chunk, callback);
            const error: NodeJS.ErrnoException = new Error('ENOSPC: no space left on device');
            error.code = 'ENOSPC';
            callback(error);
          },
          final(callback) {
            upload.stream.once('error', callback);
            upload.stream.once('close', () => callback());
            upload.stream.end();
          },
        });
        return {
          ...upload,
          stream,
          abort: async (keep) => {
            stream.destroy();
            await upload.abort(keep);
          },
        };
      };
    },
  });
}

describe('a full disk (ENOSPC)', () => {
  it('answers ENOSPC, removes the temporary file, and the session goes on', async () => {
    const base = await hostile.tempDir();
    const disk = join(base, 'small');
    await mkdir(disk);
    // A real 2 MiB tmpfs where this sandbox lets us mount one (it does when run as root),
    // served by a real `cftp server`; elsewhere the engine in this process, with a storage
    // that fails like a full disk (a real disk cannot be filled safely there).
    const mounted = await run('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk]).then(
      () => true,
      () => false,
    );
    hostile.figures.enospcOn = mounted ? 'a real 2 MiB tmpfs' : 'an injecting Storage wrapper';
    let port: number;
    let stop: () => Promise<unknown>;
    if (mounted) {
      const server = hostile.server(await startServer(disk, ['--quiet']));
      port = server.port;
      stop = async () => {
        await server.stop('SIGKILL');
        await run('umount', [disk]);
      };
    } else {
      const server = createServer({ storage: fullDisk(disk, 1.5 * MiB), host: '127.0.0.1' });
      port = (await server.listen(0)).port;
      stop = () => server.close(0);
    }
    try {
      const local = join(base, 'big.bin');
      await writeRandom(local, 3 * MiB);
      const control = await Control.ready(port);
      control.send({ type: 'put', id: 1, path: 'big.bin', size: 3 * MiB });
      const ready = await control.expect(1, 'ready');
      const data = await openData(ready.port, ready.token);
      data.on('error', () => {});
      data.end(await readFile(local));
      expect(await control.finalErrorCode(1)).toBe('ENOSPC');
      expect(await readdir(disk)).toEqual([]);
      control.close();

      // The same server, a new session, a file that fits.
      const client = await hostile.client(port);
      await writeRandom(join(base, 'small.bin'), 100 * 1024);
      await client.put(join(base, 'small.bin'), 'small.bin');
      expect(await readdir(disk)).toEqual(['small.bin']);
      // The engine client reports the server's code too.
      expect(await outcome(client.put(local, 'big.bin'))).toBe('ENOSPC');
      expect(await readdir(disk)).toEqual(['small.bin']);
    } finally {
      await stop();
    }
  });
});

describe('permission denied (EACCES)', () => {
  it('refuses writes into a read-only folder with EACCES; the session goes on', async () => {
    const base = await hostile.tempDir();
    const root = join(base, 'root');
    await mkdir(join(root, 'ro'), { recursive: true });
    await writeFile(join(root, 'ro', 'keep.txt'), 'keep');
    await writeFile(join(root, 'ro', 'locked.txt'), 'locked');
    // Root ignores permission bits: run the server as `nobody` then (a real refusal, no mock).
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      await chmod(base, 0o755);
      for (const path of [root, join(root, 'ro'), join(root, 'ro', 'keep.txt')]) {
        await chown(path, 65534, 65534);
      }
    }
    await chmod(join(root, 'ro', 'locked.txt'), 0o000);
    await chmod(join(root, 'ro'), 0o555);
    const server = hostile.server(
      await startServer(root, ['--quiet'], asRoot ? { uid: 65534, gid: 65534 } : {}),
    );
    const control = await Control.ready(server.port);
    control.send({ type: 'put', id: 1, path: 'ro/new.txt', size: 3 });
    control.send({ type: 'mkdir', id: 2, path: 'ro/dir' });
    control.send({ type: 'delete', id: 3, path: 'ro/keep.txt' });
    control.send({ type: 'rename', id: 4, from: 'ro/keep.txt', to: 'moved.txt' });
    control.send({ type: 'get', id: 5, path: 'ro/locked.txt' });
    for (const id of [1, 2, 3, 4, 5]) expect(await control.errorCode(id)).toBe('EACCES');
    expect((await readdir(join(root, 'ro'))).sort()).toEqual(['keep.txt', 'locked.txt']);
    control.send({ type: 'get', id: 6, path: 'ro/keep.txt' });
    expect((await control.reply(6)).type).toBe('ready');
    control.close();
    hostile.figures.eaccesServerUser = asRoot ? 'nobody (tests run as root)' : 'self';
  });
});

describe('two clients uploading the same name at once', () => {
  it('leaves exactly one of the two files, whole (8 rounds)', async () => {
    const base = await hostile.tempDir();
    const root = join(base, 'root');
    await mkdir(root);
    const server = hostile.server(await startServer(root, ['--quiet']));
    const a = join(base, 'a.bin');
    const b = join(base, 'b.bin');
    const digests = [await writeRandom(a, 3 * MiB), await writeRandom(b, 3 * MiB)];
    const [one, two] = [await hostile.client(server.port), await hostile.client(server.port)];
    for (let round = 0; round < 8; round++) {
      const results = await Promise.all([
        outcome(one.put(a, 'same.bin')),
        outcome(two.put(b, 'same.bin')),
      ]);
      expect(results).toEqual(['ok', 'ok']);
      expect(digests).toContain(await sha256File(join(root, 'same.bin')));
      expect(await tempFiles(root)).toEqual([]);
    }
  });
});

describe('clients that vanish mid-transfer', () => {
  it('free every descriptor and every temporary file they held', async () => {
    const base = await hostile.tempDir();
    const root = join(base, 'root');
    await mkdir(root);
    await writeFile(join(root, 'big.bin'), randomBytes(16 * MiB));
    for (let i = 0; i < 50; i++) await writeFile(join(root, `f${i}.txt`), 'x');
    const server = hostile.server(await startServer(root, []));
    const warm = await Control.ready(server.port);
    warm.send({ type: 'stat', id: 1, path: '' });
    await warm.reply(1);
    warm.close();
    await server.waitForLog((line) => line.msg === 'session close', 'warm-up close');
    const baseline = processUsage(server.pid).fds;

    const ROUNDS = 24;
    for (let i = 0; i < ROUNDS; i++) {
      const control = await Control.ready(server.port);
      const kind = i % 4;
      if (kind === 0) {
        control.send({ type: 'put', id: 1, path: `up${i}.bin`, size: 8 * MiB });
        const ready = await control.expect(1, 'ready');
        const data = await openData(ready.port, ready.token);
        data.write(randomBytes(MiB));
        data.destroy();
      } else if (kind === 1) {
        control.send({ type: 'get', id: 1, path: 'big.bin' });
        const ready = await control.expect(1, 'ready');
        const data = await openData(ready.port, ready.token);
        await new Promise((resolve) => data.once('data', resolve));
        data.destroy();
      } else if (kind === 2) {
        control.send({ type: 'list', id: 1, path: '' });
        await control.expect(1, 'ready');
      } else {
        control.send({ type: 'put', id: 1, path: `never${i}.bin`, size: 10 });
        await control.expect(1, 'ready');
      }
      control.close();
    }
    await until(
      () => server.logs().filter((line) => line.msg === 'session close').length,
      (n) => n >= ROUNDS + 1,
      'every session closed',
    );
    const after = await until(
      () => processUsage(server.pid).fds,
      (fds) => fds <= baseline,
      'descriptors back to the baseline',
    );
    hostile.figures.vanishedClients = ROUNDS;
    hostile.figures.vanishedFdsBefore = baseline;
    hostile.figures.vanishedFdsAfter = after;
    // 'session close' is logged when the control socket closes; an aborted upload's temporary
    // file is removed just after, so wait for that (bounded), then check that none is left.
    await until(
      () => tempFiles(root),
      (names) => names.length === 0,
      'temporary files removed',
    ).catch(() => undefined);
    expect(await tempFiles(root)).toEqual([]);
    const outcomes = server.logs().filter((line) => typeof line.op === 'string');
    expect(outcomes.filter((line) => line.outcome === 'ok').map((line) => line.op)).toEqual([
      'stat',
    ]);
  });
});
