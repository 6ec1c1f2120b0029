// Skip and go on (issue 14): `put -r`, `mput`, `get -r` and `mget` copy everything they can
// read, name each entry they cannot (one warning, reason in words), end with a summary and
// exit 4 (EPARTIAL). Root reads anything, so when the suite runs as root the side that must
// fail to read runs as `nobody`: the client for uploads, the server for downloads.
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CFTP_CLI,
  type CliResult,
  type ServerProcess,
  startServer,
  withGuard,
  withPlaintext,
} from '@cftp/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from './helpers.js';

const asRoot = process.getuid?.() === 0;
/** Who the side that must not read runs as: `nobody` under root, else this user. */
const unprivileged = asRoot ? { uid: 65534, gid: 65534 } : {};

let base: string;
let server: ServerProcess;

/** Gives `paths` to the unprivileged user (a no-op when the suite is not root). */
async function handOver(...paths: string[]): Promise<void> {
  if (!asRoot) return;
  for (const path of paths) await chown(path, 65534, 65534);
}

/** `cftp ...args` (plaintext, like the server) with `input` on stdin, as `as`, in `cwd`. */
function cftp(args: string[], cwd: string, as: { uid?: number; gid?: number }, input = '') {
  const argv = [CFTP_CLI, ...withPlaintext(args)];
  const child = spawn(process.execPath, argv, { cwd, stdio: 'pipe', ...as });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(input);
  const exited = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return withGuard(exited, `cftp ${args[0]}`, () => child.kill('SIGKILL'));
}

/** `cftp client` with these command lines piped in. */
function client(lines: string[], cwd: string, as: { uid?: number; gid?: number } = {}) {
  const input = lines.map((line) => `${line}\n`).join('');
  return cftp(['client', '127.0.0.1', String(server.port)], cwd, as, input);
}

/** Ten small files (one batch), one of them unreadable, and an unreadable folder. */
async function treeWithHoles(dir: string): Promise<void> {
  await mkdir(join(dir, 'sub'), { recursive: true });
  await mkdir(join(dir, 'locked'));
  for (let i = 0; i < 8; i++) await writeFile(join(dir, `f${i}.txt`), `file ${i}\n`);
  await writeFile(join(dir, 'sub', 'inner.txt'), 'inner\n');
  await writeFile(join(dir, 'locked', 'hidden.txt'), 'hidden\n');
  await writeFile(join(dir, 'bad.txt'), 'unreadable\n');
  await handOver(dir, join(dir, 'sub'), join(dir, 'locked'), join(dir, 'sub', 'inner.txt'));
  for (let i = 0; i < 8; i++) await handOver(join(dir, `f${i}.txt`));
  await handOver(join(dir, 'bad.txt'), join(dir, 'locked', 'hidden.txt'));
  await chmod(join(dir, 'bad.txt'), 0o000);
  await chmod(join(dir, 'locked'), 0o000);
}

const GOOD = [...Array.from({ length: 8 }, (_, i) => `f${i}.txt`), 'sub'].sort();

beforeAll(async () => {
  base = await makeTempDir();
  await chmod(base, 0o755); // nobody must reach the trees below
  const root = join(base, 'root');
  await mkdir(join(root, 'served'), { recursive: true });
  await handOver(root);
  await treeWithHoles(join(root, 'served', 'tree'));
  await handOver(join(root, 'served'));
  // The server cannot read what it serves in `served/tree`: downloads meet the holes.
  server = await startServer(root, ['--quiet'], unprivileged);
});

afterAll(async () => {
  await server?.stop();
  // Give the holes back their bits so that the temp folders can be removed.
  for (const dir of [join(base, 'root', 'served', 'tree'), join(base, 'up', 'src')]) {
    await chmod(join(dir, 'bad.txt'), 0o644).catch(() => {});
    await chmod(join(dir, 'locked'), 0o755).catch(() => {});
  }
  await removeTempDirs();
});

describe('uploads that meet an unreadable file and folder', () => {
  it('put -r copies the rest, names both, sums up, exits 4; mput the same', async () => {
    const work = join(base, 'up');
    await mkdir(work);
    await handOver(work);
    await treeWithHoles(join(work, 'src'));
    const run = await client(['put -r src dest'], work, unprivileged);
    expect(run.stderr).toContain('warning: skipped bad.txt: local permission denied');
    expect(run.stderr).toMatch(
      /warning: skipped locked: local "[^"]*locked": permission denied \(EACCES\)/,
    );
    expect(run.stderr).toContain('error: put -r: 9 copied, 2 failed: bad.txt, locked (EPARTIAL)');
    expect(run.stdout).toMatch(/put -r .*: 9 files, 2 folders, .*; 2 failed/);
    // Nothing says how the engine grouped the files.
    expect(run.stderr + run.stdout).not.toMatch(/batch/);
    expect(run.code).toBe(4);
    expect((await readdir(join(base, 'root', 'dest'))).sort()).toEqual(GOOD);
    const mput = await client(['mput src/*.txt'], work, unprivileged);
    expect(mput.stderr).toContain('warning: skipped bad.txt');
    expect(mput.stderr).toContain('error: mput: 8 copied, 1 failed: bad.txt (EPARTIAL)');
    expect(mput.code).toBe(4);
  });
});

describe('downloads from a server that cannot read an entry', () => {
  it('get -r copies the rest, names both, sums up, exits 4; mget the same', async () => {
    const work = join(base, 'down');
    await mkdir(work);
    const run = await client(['get -r served/tree copy'], work);
    expect(run.stderr).toContain('warning: skipped bad.txt: permission denied');
    expect(run.stderr).toContain('warning: skipped locked: permission denied');
    expect(run.stderr).toContain('error: get -r: 9 copied, 2 failed: bad.txt, locked (EPARTIAL)');
    expect(run.code).toBe(4);
    expect((await readdir(join(work, 'copy'))).sort()).toEqual(GOOD);
    const mget = await client(['lcd copy', 'mget served/tree/*.txt'], work);
    expect(mget.stderr).toContain(
      'error: mget: 8 copied, 1 failed: served/tree/bad.txt (EPARTIAL)',
    );
    expect(mget.code).toBe(4);
  });

  it('the one-shot get -r exits 4 as well, and --json says which failed', async () => {
    const work = join(base, 'oneshot');
    await mkdir(work);
    const address = `127.0.0.1:${server.port}:/served/tree`;
    const run = await cftp(['get', '-r', '--json', address, 'copy'], work, {});
    expect(run.code).toBe(4);
    const result = JSON.parse(run.stdout.trim()) as Record<string, unknown>;
    expect(result).toMatchObject({ ok: false, code: 'EPARTIAL', files: 9 });
    expect(result.failed).toEqual([
      expect.objectContaining({ name: 'bad.txt', code: 'EACCES' }),
      expect.objectContaining({ name: 'locked', code: 'EACCES' }),
    ]);
  });
});
