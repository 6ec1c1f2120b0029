// The one-shot forms: `cftp get HOST:PORT:/path [local]` and `cftp put local HOST:PORT:/path`,
// IPv6 hosts in brackets, and their exit codes.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  blake3File,
  freeFixedPort,
  KiB,
  makeTempDir,
  removeTempDirs,
  runCli,
  sha256File,
  startServer,
  writeRandomFile,
} from './helpers.js';

afterAll(removeTempDirs);

describe('cftp get / cftp put', () => {
  it('download to the current folder or a given path, upload to a path or into a folder', async () => {
    const root = await makeTempDir();
    const local = await makeTempDir();
    await mkdir(join(root, 'in'));
    const server = await startServer(root);
    try {
      const digest = await writeRandomFile(join(root, 'in', 'data.bin'), 100 * KiB);
      const at = `127.0.0.1:${server.port}`;

      const get = await runCli(['get', `${at}:/in/data.bin`], { cwd: local });
      expect(get).toMatchObject({ code: 0, stderr: '' });
      expect(get.stdout).toMatch(
        /^get data\.bin: 102400 bytes in [\d.]+ s \([\d.]+ (?:B|[KMG]iB)\/s\)\n$/,
      );
      expect(await sha256File(join(local, 'data.bin'))).toBe(digest);

      const getAs = await runCli(['get', `${at}:in/data.bin`, 'renamed.bin'], { cwd: local });
      expect(getAs.code).toBe(0);
      expect(await sha256File(join(local, 'renamed.bin'))).toBe(digest);

      const put = await runCli(['put', 'renamed.bin', `${at}:/in/`], { cwd: local });
      expect(put).toMatchObject({ code: 0, stderr: '' });
      const putAs = await runCli(['put', '--json', 'data.bin', `${at}:/copy.bin`], { cwd: local });
      expect(putAs.code).toBe(0);
      expect(JSON.parse(putAs.stdout)).toMatchObject({
        command: 'put',
        ok: true,
        path: '/copy.bin',
        blake3: await blake3File(join(local, 'data.bin')),
      });
      expect((await readdir(join(root, 'in'))).sort()).toEqual(['data.bin', 'renamed.bin']);
      expect(await sha256File(join(root, 'copy.bin'))).toBe(digest);

      const missing = await runCli(['get', `${at}:/nope.bin`], { cwd: local });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/nope\.bin.* \(ENOENT\)\n$/);
    } finally {
      expect(await server.stop()).toEqual({ code: 0, signal: null });
    }
  });

  it('reaches an IPv6 server written in brackets, a tree with -r', async () => {
    const root = await makeTempDir();
    const local = await makeTempDir();
    await mkdir(join(root, 'tree', 'sub'), { recursive: true });
    const digest = await writeRandomFile(join(root, 'tree', 'sub', 'x.bin'), 5 * KiB);
    const server = await startServer(root, ['--host', '::1']);
    try {
      const result = await runCli(['get', '-r', `[::1]:${server.port}:/tree`], { cwd: local });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(await sha256File(join(local, 'tree', 'sub', 'x.bin'))).toBe(digest);
    } finally {
      expect(await server.stop()).toEqual({ code: 0, signal: null });
    }
  });

  it.each([
    ['no port', ['get', 'localhost:/x']],
    ['a bare IPv6 address', ['get', '::1:2121:/x']],
    ['a missing target', ['put', 'local.txt']],
  ])('%s is a usage error, exit 2', async (_, args) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });

  it('a server nobody runs is exit 3', async () => {
    const port = await freeFixedPort();
    const result = await runCli(['get', `127.0.0.1:${port}:/x`], { cwd: await makeTempDir() });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/\(ECONNECTION\)\n$/);
  });
});
