// `cftp sync` when things go wrong (docs/cli.md "sync"): a client SIGKILLed at random points,
// 20 times, and the next run still converges (trees equal by digest, nothing half-written
// left behind); two syncs into one destination at once (each file is one version or the
// other, whole); and --delete never runs after a failed copy.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogLine } from '@cftp/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  KiB,
  MiB,
  makeTempDir,
  partFiles,
  runCli,
  startCli,
  startServer,
  useServer,
  writeRandomFile,
} from './helpers.js';
import { at, counts, files, sync } from './sync-helpers.js';

const cftp = useServer({ scope: 'all' });
let base: string;

beforeEach(async () => {
  base = await makeTempDir();
});

/** A seeded generator (mulberry32), so a failing run can be told by its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 24 files in 4 folders: small ones (batched), a few medium, two large enough to cut. */
async function smallTree(dir: string, tag: string): Promise<void> {
  for (let i = 0; i < 24; i++) {
    const folder = join(dir, `d${i % 4}`);
    await mkdir(folder, { recursive: true });
    const size = i < 2 ? 3 * MiB : i < 8 ? 200 * KiB : (i * 997) % (20 * KiB);
    await writeRandomFile(join(folder, `${tag}-f${i}.bin`), size);
  }
}

const isOperation = (line: LogLine) => ['list', 'get', 'put'].includes(line.msg);

/**
 * Starts a sync and SIGKILLs it after the server logged `after` operations of its session
 * (0: as soon as the session opens), unless it finishes first. Waits for the server to close
 * the session, so the next run starts after the server has cleaned up.
 */
async function killSyncAfter(args: string[], after: number): Promise<'killed' | 'finished'> {
  const known = new Set(cftp.server.logs().map((line) => line.session));
  const run = startCli(['sync', ...args], { cwd: base });
  const opened = cftp.server.waitForLog(
    (line) => line.msg === 'session open' && !known.has(line.session),
    'the sync session',
  );
  let seen = 0;
  const point = opened.then(({ session }) =>
    cftp.server.waitForLog(
      (line) => line.session === session && (after === 0 || (isOperation(line) && ++seen >= after)),
      `operation ${after} of the sync`,
    ),
  );
  const outcome = await Promise.race([
    run.exited.then(() => 'finished' as const),
    point.then(() => 'killed' as const),
  ]);
  if (outcome === 'killed') run.child.kill('SIGKILL');
  await run.exited;
  const { session } = await opened;
  await cftp.server.waitForLog((line) => line.session === session && line.msg === 'session close');
  return outcome;
}

describe('an interrupted sync converges', () => {
  it('SIGKILL at random points, 10 times each way, then one run finishes the job', async () => {
    const seed = Number(process.env.CFTP_SYNC_SEED ?? Date.now() % 100_000);
    const next = random(seed);
    const src = join(base, 'src');
    await smallTree(src, 'v1');
    let killed = 0;
    for (let i = 0; i < 10; i++) {
      const outcome = await killSyncAfter(
        ['--delete', 'src', at(cftp.server.port, 'up')],
        Math.floor(next() * 6),
      );
      if (outcome === 'killed') killed++;
    }
    const up = await sync(['--delete', 'src', at(cftp.server.port, 'up')], base);
    expect(up.code, `seed ${seed}: ${up.stderr}`).toBe(0);
    expect(await files(join(cftp.root, 'up')), `seed ${seed}`).toEqual(await files(src));
    expect(await partFiles(cftp.root)).toEqual([]);

    for (let i = 0; i < 10; i++) {
      const outcome = await killSyncAfter(
        ['--delete', at(cftp.server.port, 'up'), 'down'],
        Math.floor(next() * 6),
      );
      if (outcome === 'killed') killed++;
    }
    const down = await sync(['--delete', at(cftp.server.port, 'up'), 'down'], base);
    expect(down.code, `seed ${seed}: ${down.stderr}`).toBe(0);
    expect(await files(join(base, 'down')), `seed ${seed}`).toEqual(await files(src));
    expect(await partFiles(join(base, 'down'))).toEqual([]);
    const again = await sync([at(cftp.server.port, 'up'), 'down'], base);
    expect(counts(again.stdout), `seed ${seed}`).toMatchObject({ updated: 0, created: 0 });
    // Most runs are cut (a run with nothing left to do may finish before its kill point).
    expect(killed, `seed ${seed}`).toBeGreaterThan(0);
  });
});

describe('two syncs into one destination at once', () => {
  it('leave every file whole: one version or the other', async () => {
    await smallTree(join(base, 'a'), 'x');
    await smallTree(join(base, 'b'), 'x');
    const [one, two] = await Promise.all([
      sync(['a', at(cftp.server.port, 'same')], base),
      sync(['b', at(cftp.server.port, 'same')], base),
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    const a = await files(join(base, 'a'));
    const b = await files(join(base, 'b'));
    const there = await files(join(cftp.root, 'same'));
    expect(Object.keys(there).sort()).toEqual(Object.keys(a).sort());
    for (const [path, digest] of Object.entries(there))
      expect([a[path], b[path]]).toContain(digest);
    expect(await partFiles(cftp.root)).toEqual([]);
  });
});

describe('--delete on an incomplete source', () => {
  it('copies, then refuses to delete: a name the server left out is not proof of absence', async () => {
    const src = join(cftp.root, 'partial');
    await mkdir(src);
    await writeFile(join(src, 'ok.txt'), 'ok');
    await writeFile(join(src, 'bad\u0001name'), 'cannot be carried'); // §6.1: left out, counted
    const copy = join(base, 'copy');
    await mkdir(copy);
    await writeFile(join(copy, 'mine.txt'), 'mine');
    const run = await sync(['--delete', at(cftp.server.port, 'partial'), 'copy'], base);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--delete refused: the source tree is incomplete/);
    expect(await readFile(join(copy, 'ok.txt'), 'utf8')).toBe('ok');
    expect(await readFile(join(copy, 'mine.txt'), 'utf8')).toBe('mine');
  });
});

describe('--delete after a failed copy', () => {
  it('deletes nothing when a copy failed', async () => {
    const users = join(base, 'users.json');
    const added = await runCli(
      ['server', 'adduser', users, 'alice', '--permissions', 'read,delete,mkdir'],
      { env: { CFTP_PASSWORD: 'secret words' } },
    );
    expect(added.code, added.stderr).toBe(0);
    const root = join(base, 'root');
    await mkdir(join(root, 'site'), { recursive: true });
    await writeFile(join(root, 'site', 'old.txt'), 'old');
    const server = await startServer(root, ['--users', users]);
    try {
      await mkdir(join(base, 'src'));
      await writeFile(join(base, 'src', 'new.txt'), 'new');
      const run = await runCli(['sync', '--delete', 'src', `alice@${at(server.port, 'site')}`], {
        cwd: base,
        env: { CFTP_PASSWORD: 'secret words' },
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/\(EACCES\)\n$/);
      expect(await readFile(join(root, 'site', 'old.txt'), 'utf8')).toBe('old');
      // --json: the plan is printed before the run, so it is there even when the run fails.
      const json = await runCli(
        ['sync', '--json', '--delete', 'src', `alice@${at(server.port, 'site')}`],
        { cwd: base, env: { CFTP_PASSWORD: 'secret words' } },
      );
      expect(json.code).toBe(1);
      expect(
        json.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual([
        { action: 'create', path: 'new.txt', reason: 'missing', type: 'file', size: 3 },
        { action: 'delete', path: 'old.txt', reason: 'missing', type: 'file', size: 3 },
        { command: 'sync', ok: false, code: 'EACCES', message: expect.any(String) },
      ]);
    } finally {
      expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }
  });
});
