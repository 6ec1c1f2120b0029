// The interactive prompt of the real binary in a pseudo-terminal (util-linux `script`): tab
// completion of commands and remote names, the live progress line on the terminal, and the
// history kept in $CFTP_HISTORY. Each key is typed only after the prompt it answers appears.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  CLI,
  cliArgs,
  MiB,
  makeTempDir,
  removeTempDirs,
  sha256File,
  startServer,
  writeRandomFile,
} from './helpers.js';

afterAll(removeTempDirs);

/** Output of a process, and a way to wait until some text shows up in it. */
function terminalOutput(child: ChildProcessWithoutNullStreams) {
  let text = '';
  const waiters: { pattern: RegExp; from: number; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(text.slice(waiter.from))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  return {
    text: () => text,
    /** Resolves when `pattern` appears after what was there when called. */
    until(pattern: RegExp): Promise<void> {
      const from = text.length;
      return new Promise((resolve) => waiters.push({ pattern, from, resolve }));
    },
  };
}

const quote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;

it('completes, shows progress on the terminal and keeps the history', async () => {
  const root = await makeTempDir();
  const local = await makeTempDir();
  await mkdir(join(root, 'documents'));
  const digest = await writeRandomFile(join(root, 'documents', 'big.bin'), 32 * MiB);
  const history = join(local, 'history');
  const server = await startServer(root);
  const command = `stty cols 160 rows 40; exec ${[process.execPath, CLI, ...cliArgs(['client', '127.0.0.1', String(server.port)])].map(quote).join(' ')}`;
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: local,
    env: { ...process.env, CFTP_HISTORY: history },
    stdio: 'pipe',
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const out = terminalOutput(child);
  try {
    const prompt = /ftp> /;
    await out.until(prompt);
    const typed = async (keys: string, expected: RegExp) => {
      const seen = out.until(expected);
      child.stdin.write(keys);
      await seen;
    };
    await typed('c', /c/);
    await typed('d do\t', /documents\/$/); // a remote name, completed to the folder
    await typed('\r', prompt);
    await typed('pw\t', /pwd $/); // a command name
    await typed('\r', /\/documents\r?\n[\s\S]*ftp> /);
    await typed('get bi\t', /get big\.bin $/);
    await typed('\r', /get big\.bin: 33554432 bytes in [\d.]+ s[\s\S]*ftp> /);
    await typed('quit\r', /quit/);
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
    await server.stop();
  }
  const text = out.text();
  // The live line: the path, a percentage and a rate, drawn over with cursor moves.
  expect(text).toMatch(
    /get \/documents\/big\.bin +\d+% +[\d.]+ (KiB|MiB|GiB) \/ 32\.0 MiB +[\d.]+ [KMG]?i?B\/s/,
  );
  expect(text).toContain('\x1b[2K');
  expect(await sha256File(join(local, 'big.bin'))).toBe(digest);
  expect((await readFile(history, 'utf8')).split('\n')).toEqual([
    'cd documents/',
    'pwd',
    'get big.bin',
    'quit',
    '',
  ]);
});
