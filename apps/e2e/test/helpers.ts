// The e2e suites' view of testkit: the built `cftp` command as real processes over
// loopback, run over TLS as a user would (testkit's `withTestTls`), plus a few checks
// (temp files left behind, prompt quoting) that only these suites use.
import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  CFTP_CLI,
  type CliResult,
  cftpInTerminal,
  makeTempDir as makeTestTempDir,
  type RunningCli,
  removeTempDirs,
  runCftp,
  type ServerFixture,
  type ServerFixtureOptions,
  type ServerProcess,
  startCftp,
  startServer as startTestServer,
  type TerminalOptions,
  type TerminalRun,
  useServerProcess,
  withTestTls,
  writeRandom,
} from '@cftp/testkit';

import { afterAll, afterEach } from 'vitest';

export { freeFixedPort, freeFixedPortRange, removeTempDirs, sha256File } from '@cftp/testkit';
export { blake3File, blake3Text } from '@cftp/wire-test';
export type { CliResult, RunningCli };

/** The built command, `apps/cli/dist/main.js` (run `turbo run build` first). */
export const CLI = CFTP_CLI;

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** `cftp ...args` with this worker's TLS set-up (docs/security.md) added after the command. */
export const cliArgs = withTestTls;

/** A running `cftp server` process (the part of testkit's handle these suites use). */
export type RunningServer = Pick<ServerProcess, 'port' | 'root' | 'stderr' | 'stop'>;

/** A fresh empty folder under the system temp folder, removed by `removeTempDirs`. */
export function makeTempDir(): Promise<string> {
  return makeTestTempDir('cftp-e2e-');
}

/** Starts `cftp server 0 --root ROOT --host 127.0.0.1 ...extraArgs` over TLS. */
export function startServer(root: string, extraArgs: string[] = []): Promise<ServerProcess> {
  return startTestServer(root, extraArgs, { argsFor: withTestTls });
}

/** testkit's `useServerProcess()` over TLS: a fresh server in a fresh root per test. */
export function useServer(options: ServerFixtureOptions = {}): ServerFixture {
  return useServerProcess({ argsFor: withTestTls, prefix: 'cftp-e2e-', ...options });
}

/** Runs `cftp ...args` to completion with `input` piped on stdin, collecting its output. */
export function runCli(
  args: string[],
  options: {
    cwd?: string;
    input?: string;
    env?: Record<string, string>;
    /** A longer guard, for a process that moves a gigabyte. */
    deadlineMs?: number;
  } = {},
): Promise<CliResult> {
  return runCftp(args, { ...options, argsFor: withTestTls });
}

/** Runs `cftp client 127.0.0.1 PORT` in `cwd` with these command lines piped on stdin. */
export function runClient(port: number, lines: string[], cwd: string): Promise<CliResult> {
  const input = lines.map((line) => `${line}\n`).join('');
  return runCli(['client', '127.0.0.1', String(port)], { cwd, input });
}

/** Starts `cftp ...args` and returns at once, for tests that act while it runs. */
export function startCli(
  args: string[],
  options: { cwd?: string; input?: string } = {},
): RunningCli {
  return startCftp(args, { ...options, argsFor: withTestTls });
}

/** Writes `size` random bytes to a new file `path` by streaming; resolves with their SHA-256. */
export function writeRandomFile(path: string, size: number): Promise<string> {
  return writeRandom(path, size, { exclusive: true });
}

/** Temporary transfer files (`.NAME.cftp-HEX.part`, `.NAME.cftp-resume-HEX.part`) under `dir`. */
export async function partFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((entry) =>
    /^\..*\.cftp-(?:resume-)?[0-9a-f]+\.part$/.test(basename(entry)),
  );
}

export type QuoteStyle = 'double' | 'single' | 'backslash';

/** A command-line word for `name` quoted the way the `ftp>` prompt reads it. */
export function quoteWord(name: string, style: QuoteStyle): string {
  switch (style) {
    case 'double':
      return `"${name.replace(/["\\]/g, '\\$&')}"`;
    case 'single':
      return `'${name}'`;
    case 'backslash':
      return name.replace(/[\s"'\\]/g, '\\$&');
  }
}

/** Runs `cftp client 127.0.0.1 PORT ...args` (e.g. `-b FILE`, `-c CMDS`, `--json`). */
export function runClientArgs(
  port: number,
  args: string[],
  cwd: string,
  input?: string,
): Promise<CliResult> {
  return runCli(['client', '127.0.0.1', String(port), ...args], { cwd, input });
}

/** Resumable partial files (`.NAME.cftp-resume-HEX.part`) directly in `dir`. */
export async function resumeParts(dir: string, name: string): Promise<string[]> {
  const prefix = `.${name}.cftp-resume-`;
  return (await readdir(dir)).filter(
    (entry) => entry.startsWith(prefix) && entry.endsWith('.part'),
  );
}

/**
 * `cftp` in pseudo-terminals (testkit's TerminalRun) and the servers they talk to: each
 * stopped after its test; the file's temporary folders removed after the file.
 */
export function useTerminals(): {
  cftp(args: string[], options: TerminalOptions): TerminalRun;
  server(root: string, extraArgs?: string[]): Promise<RunningServer>;
} {
  let terminals: TerminalRun[] = [];
  let servers: RunningServer[] = [];
  afterEach(async () => {
    await Promise.all(terminals.map((terminal) => terminal.stop()));
    await Promise.all(servers.map((running) => running.stop()));
    terminals = [];
    servers = [];
  });
  afterAll(removeTempDirs);
  return {
    cftp(args, options) {
      const terminal = cftpInTerminal(cliArgs(args), options);
      terminals.push(terminal);
      return terminal;
    },
    async server(root, extraArgs = []) {
      const running = await startServer(root, extraArgs);
      servers.push(running);
      return running;
    },
  };
}
