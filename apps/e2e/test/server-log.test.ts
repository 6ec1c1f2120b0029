// What an operator watching `cftp server` sees (docs/server.md, "Logs"), with real processes
// over TLS: human lines on a terminal (a pty), JSON lines on a pipe with every batch file
// named and the real bytes of a cancelled transfer, no "TLS handshake failed" after clients
// that close cleanly (but one for a client that really fails its handshake), and a taken
// port said in one line.
import { mkdir } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { cftpInTerminal, type TerminalRun } from '@cftp/testkit';
import { Control, openTlsData, rawFrame } from '@cftp/wire-test';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cliArgs,
  MiB,
  makeTempDir,
  removeTempDirs,
  runCli,
  startServer,
  writeRandomFile,
} from './helpers.js';

afterAll(removeTempDirs);

/** `cftp server` in a pseudo-terminal: its stderr is a TTY, so the log is for people. */
function ptyServer(root: string, extra: string[] = []): TerminalRun {
  const args = cliArgs(['server', '0', '--root', root, '--host', '127.0.0.1', ...extra]);
  return cftpInTerminal(args, { cwd: root, cols: 200, rows: 50, dropEnv: ['CI'] });
}

describe('cftp server log on a terminal', () => {
  it('prints one human line per session event and operation, a batch file by file', async () => {
    const root = await makeTempDir();
    await mkdir(join(root, 'tree'));
    await writeRandomFile(join(root, 'big.bin'), MiB);
    await writeRandomFile(join(root, 'tree', 'one.txt'), 100);
    await writeRandomFile(join(root, 'tree', 'two.txt'), 200);
    const server = ptyServer(root);
    try {
      const started = await server.output(/listening on 127\.0\.0\.1:(\d+)/);
      const port = started[1]!;
      const local = await makeTempDir();
      const got = await runCli(['get', `127.0.0.1:${port}:/big.bin`, join(local, 'big.bin')]);
      expect(got.code).toBe(0);
      const tree = await runCli(['get', '-r', `127.0.0.1:${port}:/tree`, join(local, 'tree')]);
      expect(tree.code).toBe(0);

      const time = String.raw`\d\d:\d\d:\d\d`;
      await server.output(
        new RegExp(
          String.raw`${time} #1 127\.0\.0\.1 get /big\.bin 1\.0 MiB \S+ (?:ms|s) \S+ \S*B/s ok`,
        ),
      );
      await server.output(new RegExp(String.raw`${time} #2 127\.0\.0\.1 get /tree/one\.txt ok`));
      await server.output(new RegExp(String.raw`${time} #2 127\.0\.0\.1 get /tree/two\.txt ok`));
      await server.output(new RegExp(String.raw`${time} #2 127\.0\.0\.1 get 2 files 300 B `));
      await server.output(new RegExp(String.raw`${time} #2 127\.0\.0\.1 session close: quit`));
      expect(server.raw).not.toContain('{"level"');
      expect(server.raw).not.toContain('TLS handshake failed');
    } finally {
      server.kill('SIGTERM');
      await server.exited;
    }
  }, 120_000);

  it('writes JSON lines on a terminal with --log-format json', async () => {
    const root = await makeTempDir();
    const server = ptyServer(root, ['--log-format', 'json']);
    try {
      await server.output(/"msg":"sweep"/);
      const line = server.raw.split(/\r?\n/).find((text) => text.includes('"msg":"sweep"'));
      expect(JSON.parse(line ?? '')).toMatchObject({ level: 30, msg: 'sweep' });
    } finally {
      server.kill('SIGTERM');
      await server.exited;
    }
  }, 120_000);
});

describe('cftp server log on a pipe', () => {
  it('is JSON lines: a batch names every file, a cancelled get logs the bytes it moved', async () => {
    const root = await makeTempDir();
    await mkdir(join(root, 'tree', 'sub'), { recursive: true });
    const names = ['tree/a.txt', 'tree/b.txt', 'tree/sub/c.txt'];
    for (const name of names) await writeRandomFile(join(root, name), 1000);
    const size = 64 * MiB;
    await writeRandomFile(join(root, 'huge.bin'), size);
    const server = await startServer(root);
    try {
      const local = await makeTempDir();
      const tree = await runCli(['get', '-r', `127.0.0.1:${server.port}:/tree`, join(local, 't')]);
      expect(tree.code).toBe(0);
      const batch = await server.waitForLog((line) => Array.isArray(line.files), 'batch get');
      expect(batch).toMatchObject({ op: 'get', outcome: 'ok', bytes: 3000 });
      expect([...(batch.files as string[])].sort()).toEqual(names);

      // A get the client reads some of, then aborts (§6.4).
      const control = await Control.openTls(server.port);
      await control.hello();
      const id = control.newId();
      control.send({ type: 'get', id, path: 'huge.bin' });
      const ready = await control.expect(id, 'ready');
      const data = await openTlsData(ready.port, ready.token);
      let received = 0;
      await new Promise<void>((resolve) => {
        const onData = (chunk: Buffer) => {
          received += chunk.byteLength;
          if (received >= 4 * MiB) {
            data.pause();
            data.off('data', onData);
            resolve();
          }
        };
        data.on('data', onData);
      });
      control.send({ type: 'abort', id });
      expect(await control.finalErrorCode(id)).toBe('ECANCELED');
      const cancelled = await server.waitForLog(
        (line) => line.op === 'get' && line.path === 'huge.bin',
        'the cancelled get',
      );
      data.destroy();
      control.close();
      expect(cancelled.outcome).toBe('ECANCELED');
      expect(cancelled.bytes).toBeGreaterThanOrEqual(received);
      expect(cancelled.bytes).toBeLessThan(size);

      // Every stderr line after the notices is JSON.
      const lines = server
        .stderr()
        .split('\n')
        .filter((text) => text.startsWith('{'));
      expect(lines.length).toBeGreaterThan(5);
      for (const text of lines) expect(() => JSON.parse(text)).not.toThrow();
    } finally {
      await server.stop();
    }
  }, 180_000);
});

describe('TLS warnings', () => {
  it('none after get -r, put -r and one-shot gets that close cleanly; one for a real failure', async () => {
    const root = await makeTempDir();
    await mkdir(join(root, 'tree', 'sub'), { recursive: true });
    for (const name of ['tree/a', 'tree/b', 'tree/sub/c']) {
      await writeRandomFile(join(root, name), 50_000);
    }
    await writeRandomFile(join(root, 'file.bin'), 2 * MiB);
    const server = await startServer(root);
    try {
      const local = await makeTempDir();
      const where = `127.0.0.1:${server.port}`;
      for (let round = 0; round < 2; round++) {
        expect((await runCli(['get', '-r', `${where}:/tree`, join(local, `t${round}`)])).code).toBe(
          0,
        );
        expect(
          (await runCli(['put', '-r', join(local, `t${round}`), `${where}:/up${round}`])).code,
        ).toBe(0);
      }
      for (let round = 0; round < 5; round++) {
        expect((await runCli(['get', `${where}:/file.bin`, join(local, `f${round}`)])).code).toBe(
          0,
        );
      }
      // A session whose client resets the connection (no FIN) after a completed handshake:
      // the session ends, and it is no handshake failure.
      const raw = netConnect({ host: '127.0.0.1', port: server.port });
      const secure = tlsConnect({ socket: raw, rejectUnauthorized: false });
      secure.on('error', () => {});
      await new Promise((resolve) => secure.once('secureConnect', resolve));
      secure.write(
        rawFrame(
          JSON.stringify({ type: 'hello', id: 1, version: 1, features: ['sha256'], agent: 'e2e' }),
        ),
      );
      await new Promise((resolve) => secure.once('data', resolve)); // its welcome
      const opened = server
        .logs()
        .filter((line) => line.msg === 'session open')
        .at(-1);
      raw.resetAndDestroy();
      await server.waitForLog(
        (line) => line.msg === 'session close' && line.session === opened?.session,
        'the reset session closing',
      );
      // A plaintext client does fail its handshake: that warning stays.
      const plain = await runCli([
        'get',
        '--insecure-plaintext',
        `${where}:/file.bin`,
        join(local, 'plain'),
      ]);
      expect(plain.code).not.toBe(0);
      await server.waitForLog((line) => line.msg === 'TLS handshake failed', 'the real failure');
      // Stop the server so every session's close has been seen before counting.
      expect(await server.stop()).toEqual({ code: 0, signal: null });
      const warnings = server.logs().filter((line) => line.msg === 'TLS handshake failed');
      expect(warnings).toHaveLength(1);
    } finally {
      if (server.isRunning()) await server.stop('SIGKILL');
    }
  }, 300_000);
});

describe('start-up errors', () => {
  it('a taken port is one line with the code once and no stack', async () => {
    const root = await makeTempDir();
    const first = await startServer(root);
    try {
      const second = await runCli([
        'server',
        String(first.port),
        '--root',
        root,
        '--host',
        '127.0.0.1',
      ]);
      expect(second.code).toBe(1);
      expect(second.stderr).toBe(
        `error: cannot listen on port ${first.port}: address already in use (EADDRINUSE)\n`,
      );
    } finally {
      await first.stop();
    }
  }, 120_000);
});
