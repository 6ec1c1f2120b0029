// Permission bits both ways with real processes (docs/protocol.md §6.8, issue 11 point 5): a
// real `cftp server` and the real `cftp` client. A new file gets the source's mode masked by
// the receiver's umask (the client's process umask; the server's --umask), an overwritten
// file keeps its own mode, and -p copies the source's mode exactly. A 600 file stays 600.
import { execFile } from 'node:child_process';
import { chmod, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  CLI,
  cliArgs,
  makeTempDir,
  type RunningServer,
  removeTempDirs,
  runCli,
  startServer,
} from './helpers.js';

afterAll(removeTempDirs);
const run = promisify(execFile);

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function serve(root: string, extra: string[] = []): Promise<string> {
  const server = await startServer(root, extra);
  servers.push(server);
  return `127.0.0.1:${server.port}`;
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const octal = (mode: number) => mode.toString(8);

/** A file with exactly `mode` (chmod: the test process's umask does not narrow it). */
async function fileWithMode(path: string, mode: number): Promise<void> {
  await writeFile(path, `content of ${mode.toString(8)}\n`);
  await chmod(path, mode);
}

/** `cftp ...args` in `cwd` under the given umask (a shell sets it, then execs node). */
async function cftpWithUmask(umask: number, args: string[], cwd: string) {
  const { stdout, stderr } = await run(
    'sh',
    ['-c', 'umask "$0" && exec "$@"', octal(umask), process.execPath, CLI, ...cliArgs(args)],
    { cwd, timeout: 20_000 },
  );
  return { stdout, stderr };
}

describe('get: the client applies the mode it receives (§6.8)', () => {
  it('600, 640 and 755 arrive as themselves under umask 022; 666 arrives 644', async () => {
    const root = await makeTempDir();
    const local = await makeTempDir();
    for (const mode of [0o600, 0o640, 0o755, 0o666]) {
      await fileWithMode(join(root, `f${octal(mode)}`), mode);
    }
    const at = await serve(root);
    for (const mode of [0o600, 0o640, 0o755, 0o666]) {
      await cftpWithUmask(0o022, ['get', `${at}:/f${octal(mode)}`], local);
      expect(octal(await modeOf(join(local, `f${octal(mode)}`))), octal(mode)).toBe(
        octal(mode & ~0o022),
      );
    }
  });

  it("the client's umask narrows a new file: 755 under umask 077 is 700", async () => {
    const root = await makeTempDir();
    const local = await makeTempDir();
    await fileWithMode(join(root, 'tool'), 0o755);
    const at = await serve(root);
    await cftpWithUmask(0o077, ['get', `${at}:/tool`], local);
    expect(octal(await modeOf(join(local, 'tool')))).toBe('700');
  });

  it('an overwritten 600 file stays 600 though the source is 644; -p makes it 644', async () => {
    const root = await makeTempDir();
    const local = await makeTempDir();
    await fileWithMode(join(root, 'id_key'), 0o644);
    await fileWithMode(join(local, 'id_key'), 0o600);
    const at = await serve(root);
    await cftpWithUmask(0o022, ['get', `${at}:/id_key`], local);
    expect(octal(await modeOf(join(local, 'id_key')))).toBe('600');
    await cftpWithUmask(0o077, ['get', '-p', `${at}:/id_key`], local);
    expect(octal(await modeOf(join(local, 'id_key')))).toBe('644');
  });

  it('get -r and mget apply the same rules to every file (batches included)', async () => {
    const root = await makeTempDir();
    const local = await makeTempDir();
    await run('mkdir', [join(root, 'tree')]);
    await fileWithMode(join(root, 'tree', 'secret'), 0o600);
    await fileWithMode(join(root, 'tree', 'script'), 0o755);
    const at = await serve(root);
    await cftpWithUmask(0o022, ['get', '-r', `${at}:/tree`], local);
    expect(octal(await modeOf(join(local, 'tree', 'secret')))).toBe('600');
    expect(octal(await modeOf(join(local, 'tree', 'script')))).toBe('755');

    const flat = await makeTempDir();
    const port = at.split(':')[1]!;
    await cftpWithUmask(0o077, ['client', '127.0.0.1', port, '-c', 'cd tree; mget -p *'], flat);
    expect(octal(await modeOf(join(flat, 'secret')))).toBe('600');
    expect(octal(await modeOf(join(flat, 'script')))).toBe('755');
  });
});

describe('put: the server applies the mode the client sends (§6.8)', () => {
  it('600, 640 and 755 arrive as themselves under the default --umask 022', async () => {
    const root = await makeTempDir();
    const local = await makeTempDir();
    const at = await serve(root);
    for (const mode of [0o600, 0o640, 0o755]) {
      await fileWithMode(join(local, `f${octal(mode)}`), mode);
      const put = await runCli(['put', `f${octal(mode)}`, `${at}:/`], { cwd: local });
      expect(put.code, put.stderr).toBe(0);
      expect(octal(await modeOf(join(root, `f${octal(mode)}`)))).toBe(octal(mode));
    }
  });

  it("the server's --umask 077 narrows a new file; an overwritten 600 stays 600; -p is exact", async () => {
    const root = await makeTempDir();
    const local = await makeTempDir();
    const at = await serve(root, ['--umask', '077']);
    await fileWithMode(join(local, 'tool'), 0o755);
    expect((await runCli(['put', 'tool', `${at}:/`], { cwd: local })).code).toBe(0);
    expect(octal(await modeOf(join(root, 'tool')))).toBe('700');

    await fileWithMode(join(root, 'id_key'), 0o600);
    await fileWithMode(join(local, 'id_key'), 0o644);
    expect((await runCli(['put', 'id_key', `${at}:/`], { cwd: local })).code).toBe(0);
    expect(octal(await modeOf(join(root, 'id_key')))).toBe('600');
    expect((await runCli(['put', '-p', 'id_key', `${at}:/`], { cwd: local })).code).toBe(0);
    expect(octal(await modeOf(join(root, 'id_key')))).toBe('644');
  });

  it('put -r and mput send every mode (batches included)', async () => {
    const root = await makeTempDir();
    const local = await makeTempDir();
    await run('mkdir', [join(local, 'tree')]);
    await fileWithMode(join(local, 'tree', 'secret'), 0o600);
    await fileWithMode(join(local, 'tree', 'script'), 0o755);
    const at = await serve(root);
    const putR = await runCli(['put', '-r', 'tree', `${at}:/tree`], { cwd: local });
    expect(putR.code, putR.stderr).toBe(0);
    expect(octal(await modeOf(join(root, 'tree', 'secret')))).toBe('600');
    expect(octal(await modeOf(join(root, 'tree', 'script')))).toBe('755');

    const port = at.split(':')[1]!;
    const mput = await runCli(
      ['client', '127.0.0.1', port, '-c', 'mkdir flat; cd flat; mput tree/*'],
      {
        cwd: local,
      },
    );
    expect(mput.code, mput.stderr).toBe(0);
    expect(octal(await modeOf(join(root, 'flat', 'secret')))).toBe('600');
    expect(octal(await modeOf(join(root, 'flat', 'script')))).toBe('755');
  });
});
