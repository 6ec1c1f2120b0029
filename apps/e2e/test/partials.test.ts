// Partial downloads are never silent (issue 14): a get that stops early (SIGINT to the
// one-shot command, a data channel cut at the prompt) says which partial it kept and the
// command that resumes it; `partials` lists them and `partials rm` removes them. A fault
// proxy in front of the server (plaintext: it reads the control channel) stops the data
// channel part-way, so the transfer is mid-file whatever the machine's speed.
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  FaultProxy,
  runCftp,
  type ServerProcess,
  startCftp,
  startServer,
  writeRandom,
} from '@cftp/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KiB, MiB, makeTempDir, removeTempDirs } from './helpers.js';

let server: ServerProcess;
let proxy: FaultProxy;

beforeAll(async () => {
  const root = await makeTempDir();
  await writeRandom(join(root, 'big.bin'), 8 * MiB);
  await mkdir(join(root, 'tree'));
  await writeRandom(join(root, 'tree', 'big.bin'), 8 * MiB);
  server = await startServer(root, ['--quiet']);
  proxy = await FaultProxy.start({ target: { port: server.port } });
});

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  await removeTempDirs();
});

const partialsIn = async (dir: string) =>
  (await readdir(dir)).filter((name) => /^\.big\.bin\.cftp-resume-[0-9a-f]{16}\.part$/.test(name));

/** Waits until the partial download in `dir` holds bytes (polled: the file is the event). */
async function partialWithBytes(dir: string): Promise<string> {
  for (;;) {
    const [name] = await partialsIn(dir);
    if (name !== undefined && (await stat(join(dir, name))).size > 0) return name;
    await delay(20);
  }
}

describe('the partial-file notice', () => {
  it('a one-shot get stopped by SIGINT says which partial it kept, and exits 130', async () => {
    const dir = await makeTempDir();
    proxy.setFaults([{ channel: 'data', direction: 'down', stallAfter: 512 * KiB }]);
    const cli = startCftp(['get', `127.0.0.1:${proxy.port}:/big.bin`], { cwd: dir });
    await partialWithBytes(dir);
    cli.child.kill('SIGINT');
    const status = await cli.exited;
    expect(status.code).toBe(130);
    // The one-shot says the one-shot command that resumes it.
    expect(cli.stderr()).toMatch(
      /^partial kept: [0-9.]+ KiB in \.big\.bin\.cftp-resume-….part; "cftp get -c 127\.0\.0\.1:\d+:\/big\.bin" resumes$/m,
    );
    expect(await partialsIn(dir)).toHaveLength(1);
  });

  it('at the prompt: the notice after a cut transfer, then partials, partials rm', async () => {
    const dir = await makeTempDir();
    proxy.setFaults([{ channel: 'data', direction: 'down', cutAfter: 1 * MiB }]);
    const run = await runCftp(['client', '127.0.0.1', String(proxy.port)], {
      cwd: dir,
      input: '-get big.bin\npartials\npartials rm big.bin\npartials\n',
    });
    expect(run.stderr).toMatch(
      /^partial kept: [0-9.]+ (KiB|MiB) in \.big\.bin\.cftp-resume-….part; "get -c big\.bin" resumes$/m,
    );
    const lines = run.stdout.split('\n');
    const listed = lines.indexOf('ftp> partials');
    expect(lines[listed + 1]).toMatch(
      /^big\.bin {2}[0-9.]+ (KiB|MiB) {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}\.big\.bin\.cftp-resume-[0-9a-f]{16}\.part$/,
    );
    expect(lines[listed + 2]).toMatch(/^1 partial download, .*"partials rm -a" removes$/);
    expect(run.stdout).toMatch(/^removed 1 partial download \([0-9.]+ (KiB|MiB)\)$/m);
    expect(run.stdout).toContain(`no partial downloads in local "${dir}"`);
    expect(await partialsIn(dir)).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('a get -r cut off says which partials it kept and the command that resumes them', async () => {
    const dir = await makeTempDir();
    proxy.setFaults([{ channel: 'data', direction: 'down', cutAfter: 1 * MiB }]);
    const run = await runCftp(['client', '127.0.0.1', String(proxy.port)], {
      cwd: dir,
      input: 'get -r tree copy\n',
    });
    expect(run.stderr).toMatch(
      /^partial kept: [0-9.]+ (KiB|MiB) in copy\/\.big\.bin\.cftp-resume-….part; "get -r -c tree copy" resumes$/m,
    );
    expect(await partialsIn(join(dir, 'copy'))).toHaveLength(1);
    expect(run.code).toBe(1);
  });

  it('partials rm refuses a name with no partial, and -a with names', async () => {
    const dir = await makeTempDir();
    const run = await runCftp(['client', '127.0.0.1', String(server.port)], {
      cwd: dir,
      input: '-partials rm nothing.bin\npartials rm -a x\n',
    });
    expect(run.stderr).toContain(
      `error: no partial download of "nothing.bin" in local "${dir}" (ENOENT)`,
    );
    expect(run.stderr).toContain('error: partials rm: -a or names, not both (EUSAGE)');
    expect(run.code).toBe(1);
  });
});
