// What an operator relies on (README "Server", docs/security.md "Operators"): --read-only,
// one structured JSON log line per operation, and SIGTERM that finishes or cleanly aborts
// transfers within --shutdown-deadline.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCftp, startServer } from '@cftp/testkit';
import { Control, openData } from '@cftp/wire-test';
import { describe, expect, it } from 'vitest';
import { MiB, sha256, tempFiles, useHostile } from './support.js';

const hostile = useHostile('operators');

describe('--read-only', () => {
  it('serves ls and get and refuses put, mkdir, delete and rename with EACCES', async () => {
    const base = await hostile.tempDir();
    const root = join(base, 'root');
    const cwd = join(base, 'cwd');
    await mkdir(root);
    await mkdir(cwd);
    await writeFile(join(root, 'shared.txt'), 'read me\n');
    await writeFile(join(cwd, 'mine.txt'), 'not for the server\n');
    const server = hostile.server(await startServer(root, ['--read-only']));
    const port = String(server.port);
    const reads = await runCftp(['client', '127.0.0.1', port], {
      cwd,
      input: 'ls\nget shared.txt\n',
    });
    expect(reads.code).toBe(0);
    expect(reads.stdout).toContain('shared.txt');
    for (const command of ['put mine.txt', 'mkdir d', 'rm shared.txt', 'rename shared.txt x']) {
      const refused = await runCftp(['client', '127.0.0.1', port], { cwd, input: `${command}\n` });
      expect({ command, code: refused.code }).toEqual({ command, code: 1 });
      expect(refused.stderr).toContain('(EACCES)');
    }
    expect(await readdir(root)).toEqual(['shared.txt']);
    const refusedOps = server.logs().filter((line) => line.outcome === 'EACCES');
    expect(refusedOps.map((line) => line.op).sort()).toEqual(
      ['delete', 'mkdir', 'put', 'rename'].sort(),
    );
  });
});

describe('structured logs', () => {
  it('one JSON line per operation: session, peer, op, path, bytes, ms, outcome', async () => {
    const root = await hostile.tempDir();
    await writeFile(join(root, 'f.bin'), randomBytes(1000));
    const server = hostile.server(await startServer(root, []));
    const client = await hostile.client(server.port);
    await client.list('');
    await client.get('f.bin', join(root, 'copy.bin'));
    await client.stat('nope').catch(() => undefined);
    await client.quit();
    await server.waitForLog((line) => line.msg === 'session close', 'session close');
    const ops = server.logs().filter((line) => typeof line.op === 'string');
    expect(ops.map((line) => [line.op, line.outcome])).toEqual([
      ['list', 'ok'],
      ['get', 'ok'],
      ['stat', 'ENOENT'],
    ]);
    for (const line of ops) {
      expect(Object.keys(line)).toEqual(
        expect.arrayContaining(['session', 'peer', 'op', 'path', 'bytes', 'ms', 'outcome']),
      );
      expect(line.peer).toBe('127.0.0.1');
    }
    expect(ops[1]).toMatchObject({ path: 'f.bin', bytes: 1000 });
    const open = server.logs().find((line) => line.msg === 'session open');
    expect(open).toMatchObject({ session: ops[0]!.session, peer: '127.0.0.1' });
  });
});

describe('SIGTERM and --shutdown-deadline', () => {
  it('lets a transfer that finishes in time finish, and aborts one that does not', async () => {
    const root = await hostile.tempDir();
    // Room for the quick upload's commit (fsyncs) on a loaded machine.
    const deadlineMs = 3000;
    const server = hostile.server(
      await startServer(root, ['--shutdown-deadline', `${deadlineMs}ms`]),
    );
    const quick = await Control.ready(server.port);
    const stuck = await Control.ready(server.port);
    const content = randomBytes(MiB);
    quick.send({ type: 'put', id: 1, path: 'quick.bin', size: content.length });
    stuck.send({ type: 'put', id: 1, path: 'stuck.bin', size: content.length });
    const quickReady = await quick.expect(1, 'ready');
    const stuckReady = await stuck.expect(1, 'ready');
    const quickData = await openData(quickReady.port, quickReady.token);
    const stuckData = await openData(stuckReady.port, stuckReady.token);
    stuckData.write(content.subarray(0, 1000)); // and then nothing
    quickData.write(content.subarray(0, 1000));

    const started = performance.now();
    const exited = server.stop('SIGTERM');
    // The quick one finishes after the signal, well within the deadline.
    quickData.end(content.subarray(1000));
    quick.send({ type: 'done', id: 1, size: content.length, sha256: sha256(content) });
    expect(await quick.expect(1, 'ok')).toMatchObject({ sha256: sha256(content) });
    expect(await stuck.finalErrorCode(1)).toBe('ESHUTDOWN');
    expect(await exited).toEqual({ code: 0, signal: null });
    const took = performance.now() - started;
    hostile.figures.shutdownWithStuckTransferMs = Math.round(took);
    // The stuck one is held until the deadline, and the server exits soon after it.
    expect(took).toBeGreaterThanOrEqual(deadlineMs - 100);
    expect(took).toBeLessThan(deadlineMs + 10_000);
    expect(await readdir(root)).toEqual(['quick.bin']);
    expect(await tempFiles(root)).toEqual([]);
    stuckData.destroy();
  });
});
