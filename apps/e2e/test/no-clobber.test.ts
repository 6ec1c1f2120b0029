// `-n` / `--no-clobber` (issue 14): get, put, mget, mput and -r leave an existing target as
// it is, say so, count it in the summary and exit 0, at the prompt and in the one-shot
// get/put; a put names the file it makes (`put /abs/src.txt x` reports `put x`); and a
// server killed mid-upload is a lost connection, not a cancelled transfer.
import { mkdir, readdir, readFile, stat, watch, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  MiB,
  makeTempDir,
  runCli,
  runClient,
  startCli,
  startServer,
  useServer,
  writeRandomFile,
} from './helpers.js';

const cftp = useServer();
let local: string;

beforeEach(async () => {
  local = await makeTempDir();
});

/** Writes the same names on both sides with different contents: `side` says whose. */
async function both(names: string[]): Promise<void> {
  for (const name of names) {
    await mkdir(join(local, name, '..'), { recursive: true });
    await mkdir(join(cftp.server.root, name, '..'), { recursive: true });
    await writeFile(join(local, name), `local ${name}\n`);
    await writeFile(join(cftp.server.root, name), `remote ${name}\n`);
  }
}

const localText = (name: string) => readFile(join(local, name), 'utf8');
const remoteText = (name: string) => readFile(join(cftp.server.root, name), 'utf8');

describe('-n at the prompt', () => {
  it('get -n and put -n leave an existing target alone, say so, and exit 0', async () => {
    await both(['same.txt']);
    await writeFile(join(cftp.server.root, 'new-down.txt'), 'down\n');
    await writeFile(join(local, 'new-up.txt'), 'up\n');
    const result = await runClient(
      cftp.server.port,
      ['get -n same.txt', 'put -n same.txt', 'get -n new-down.txt', 'put --no-clobber new-up.txt'],
      local,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `get same.txt: skipped, local "${join(local, 'same.txt')}" exists (-n)`,
    );
    expect(result.stdout).toContain('put same.txt: skipped, "/same.txt" exists (-n)');
    expect(await localText('same.txt')).toBe('local same.txt\n');
    expect(await remoteText('same.txt')).toBe('remote same.txt\n');
    // What was not there moved as usual.
    expect(await localText('new-down.txt')).toBe('down\n');
    expect(await remoteText('new-up.txt')).toBe('up\n');
  });

  it('without -n the same commands overwrite (the test can fail)', async () => {
    await both(['same.txt']);
    const result = await runClient(cftp.server.port, ['get same.txt'], local);
    expect(result.code).toBe(0);
    expect(await localText('same.txt')).toBe('remote same.txt\n');
  });

  it('mget -n and mput -n count what they left alone in the summary', async () => {
    await both(['a.log', 'b.log']);
    await writeFile(join(cftp.server.root, 'c.log'), 'remote only\n');
    await writeFile(join(local, 'd.log'), 'local only\n');
    const result = await runClient(cftp.server.port, ['mget -n *.log', 'mput -n *.log'], local);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^mget \*\.log: 1 file, .*; 2 not overwritten \(-n\)$/m);
    // c.log came down, so three of the four local files are on the server already.
    expect(result.stdout).toMatch(/^mput \*\.log: 1 file, .*; 3 not overwritten \(-n\)$/m);
    for (const name of ['a.log', 'b.log']) {
      expect(await localText(name)).toBe(`local ${name}\n`);
      expect(await remoteText(name)).toBe(`remote ${name}\n`);
    }
    expect(await localText('c.log')).toBe('remote only\n');
    expect(await remoteText('d.log')).toBe('local only\n');
  });

  it('get -r -n and put -r -n leave existing files of a tree alone', async () => {
    await both(['tree/one.txt', 'tree/sub/two.txt']);
    await writeFile(join(cftp.server.root, 'tree', 'sub', 'remote-new.txt'), 'r\n');
    await writeFile(join(local, 'tree', 'local-new.txt'), 'l\n');
    const result = await runClient(cftp.server.port, ['get -r -n tree', 'put -rn tree'], local);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^get -r \/tree -> .*: 1 file, .*; 2 not overwritten \(-n\)$/m);
    expect(result.stdout).toMatch(/^put -r .* -> \/tree: 1 file, .*; 3 not overwritten \(-n\)$/m);
    expect(await localText('tree/one.txt')).toBe('local tree/one.txt\n');
    expect(await remoteText('tree/sub/two.txt')).toBe('remote tree/sub/two.txt\n');
    expect(await localText('tree/sub/remote-new.txt')).toBe('r\n');
    expect(await remoteText('tree/local-new.txt')).toBe('l\n');
  });
});

describe('-n in one-shot get and put', () => {
  it('skips an existing target both ways with exit 0, and JSON says skipped', async () => {
    await both(['same.txt']);
    const address = `127.0.0.1:${cftp.server.port}:/same.txt`;
    const get = await runCli(['get', '-n', address, 'same.txt'], { cwd: local });
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/^get same\.txt: skipped, local ".*same\.txt" exists \(-n\)$/m);
    const put = await runCli(['put', '--no-clobber', '--json', 'same.txt', address], {
      cwd: local,
    });
    expect(put.code).toBe(0);
    expect(JSON.parse(put.stdout)).toMatchObject({
      command: 'put',
      ok: true,
      skipped: true,
      reason: 'exists',
      bytes: 0,
    });
    expect(await localText('same.txt')).toBe('local same.txt\n');
    expect(await remoteText('same.txt')).toBe('remote same.txt\n');
  });
});

describe('naming', () => {
  it('put /abs/src x reports the target name x', async () => {
    const elsewhere = await makeTempDir();
    await writeFile(join(elsewhere, 'secret-source.txt'), 'hello\n');
    const result = await runClient(
      cftp.server.port,
      [`put ${join(elsewhere, 'secret-source.txt')} x`],
      local,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^put x: 6 bytes in /m);
    expect(result.stdout).not.toMatch(/^put secret-source/m);
    expect(await remoteText('x')).toBe('hello\n');
  });
});

describe('a server killed mid-upload', () => {
  it('is reported as a lost connection, never as cancelled', async () => {
    const root = await makeTempDir();
    const server = await startServer(root);
    await writeRandomFile(join(local, 'big.bin'), 256 * MiB);
    const client = startCli(['client', '127.0.0.1', String(server.port), '-c', 'put big.bin'], {
      cwd: local,
    });
    // Killed as soon as the upload's temporary file on the server has bytes.
    const stop = new AbortController();
    const growing = async () => {
      for (const name of await readdir(root)) {
        if ((await stat(join(root, name)).catch(() => undefined))?.size) return true;
      }
      return false;
    };
    try {
      if (!(await growing())) {
        for await (const _ of watch(root, { signal: stop.signal })) if (await growing()) break;
      }
    } finally {
      stop.abort();
    }
    await server.stop('SIGKILL');
    const status = await client.exited;
    expect(status.code).toBe(1);
    expect(client.stderr()).toMatch(/^error: .*connection to the server lost.* \(ECONNECTION\)\n$/);
    expect(client.stderr()).not.toMatch(/cancel|ECANCELED|EDATA/i);
  });
});
