// The `ftp>` session: reads command lines from a terminal (prompt, history, tab completion,
// Ctrl-C cancels the running command) or from a batch (piped stdin, -b FILE, -c: each line
// echoed, stop at the first failure unless the line starts with `-`, `#` lines are comments),
// runs them, and returns the process exit code.
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { CftpError } from '@cftp/client';
import { complete } from './completion.js';
import type { Session } from './context.js';
import { describeError } from './errors.js';
import { EXIT_FAILED, EXIT_OK, failedExit } from './exit-codes.js';
import { HISTORY_SIZE, historyFile, loadHistory, saveHistory } from './history.js';
import { ListingCache } from './listing-cache.js';
import type { Output } from './output.js';
import type { ProgressView } from './progress.js';
import type { RemoteFs } from './remote-fs.js';
import { REMOTE_ROOT } from './remote-path.js';
import { runCommandLine } from './run-command.js';

/** Command lines from somewhere; `close` ends the iteration early (connection lost). */
export interface LineSource {
  lines: AsyncIterable<string>;
  close(): void;
}

/** Lines of a stream (piped stdin, a batch file). */
export function streamLines(input: Readable): LineSource {
  const rl = createInterface({ input, terminal: false, crlfDelay: Number.POSITIVE_INFINITY });
  // Taken at once: the iterator buffers the lines (and the end) that arrive while the
  // session is still connecting; a later one would miss them and wait forever.
  const iterator = rl[Symbol.asyncIterator]();
  return { lines: { [Symbol.asyncIterator]: () => iterator }, close: () => rl.close() };
}

/** A fixed list of command lines (`-c`). */
export function listLines(commands: readonly string[]): LineSource {
  let closed = false;
  return {
    lines: (async function* () {
      for (const command of commands) {
        if (closed) return;
        yield command;
      }
    })(),
    close: () => {
      closed = true;
    },
  };
}

export interface Terminal {
  input: Readable;
  output: Writable;
}

/** What the session needs of the connection itself: to learn that it is lost, and to quit. */
export interface SessionClient {
  once(event: 'close', listener: (error: CftpError | undefined) => void): unknown;
  quit(): Promise<void>;
}

export interface ClientSessionOptions {
  client: SessionClient;
  fs: RemoteFs;
  output: Output;
  progress: ProgressView;
  /** The local folder the session starts in. */
  cwd: string;
  /** A terminal (interactive) or a batch of lines. */
  input: { terminal: Terminal } | { batch: LineSource };
  /** Where the terminal's history is kept (default: historyFile()). */
  history?: string | undefined;
}

export function createSession(fs: RemoteFs, progress: ProgressView, cwd: string): Session {
  return {
    fs,
    remoteCwd: REMOTE_ROOT,
    previousRemoteCwd: REMOTE_ROOT,
    localCwd: cwd,
    listings: new ListingCache(fs),
    progress,
  };
}

/** Runs commands until quit, end of input, a batch failure or a lost connection. */
export async function runClientSession(options: ClientSessionOptions): Promise<number> {
  const { client, output } = options;
  const session = createSession(options.fs, options.progress, options.cwd);
  let running: AbortController | undefined;
  let rl: Interface | undefined;
  /** The prompt's history, newest first, as readline reports it. */
  let history: string[] = [];
  let source: LineSource;
  const historyPath = 'history' in options ? options.history : historyFile();
  if ('terminal' in options.input) {
    const terminal = options.input.terminal;
    const reader = createInterface({
      input: terminal.input,
      output: terminal.output,
      terminal: true,
      prompt: 'ftp> ',
      history: loadHistory(historyPath),
      historySize: HISTORY_SIZE,
      removeHistoryDuplicates: true,
      completer: (line: string, callback: (error: null, result: [string[], string]) => void) => {
        complete(session, line).then(
          (result) => callback(null, result),
          () => callback(null, [[], line]),
        );
      },
    });
    // Ctrl-C cancels the command in flight; at an idle prompt it clears the line.
    reader.on('SIGINT', () => {
      if (running !== undefined) {
        running.abort();
      } else {
        terminal.output.write('^C\n');
        reader.write(null, { ctrl: true, name: 'u' });
        reader.prompt();
      }
    });
    reader.on('history', (lines) => {
      history = lines;
    });
    rl = reader;
    source = { lines: reader, close: () => reader.close() };
  } else {
    source = options.input.batch;
  }
  const interactive = rl !== undefined;

  let lost: CftpError | undefined;
  client.once('close', (error) => {
    if (error === undefined) return;
    lost = error;
    running?.abort();
    source.close();
  });

  let exitCode = EXIT_OK;
  let lostReported = false;
  /** The loop ended because the input did (Ctrl-D), not by a command. */
  let endOfInput = true;
  rl?.prompt();
  for await (const rawLine of source.lines) {
    let line = rawLine;
    let mayFail = false;
    if (!interactive) {
      if (line.trimStart().startsWith('#')) continue;
      output.echo(line);
      // sftp -b: a leading `-` lets the batch go on when this command fails.
      if (line.trimStart().startsWith('-')) {
        mayFail = true;
        line = line.trimStart().slice(1);
      }
    }
    running = new AbortController();
    const run = await runCommandLine(session, output, line, running.signal).finally(() => {
      running = undefined;
    });
    if (lost !== undefined) {
      lostReported = !run.ok && run.code === describeError(lost).code;
      break;
    }
    endOfInput = false;
    if (run.ends) break;
    if (!run.ok && !interactive && !mayFail) {
      exitCode = failedExit(run.code);
      break;
    }
    endOfInput = true;
    rl?.prompt(true); // keeps what was typed ahead during the command, cursor included
  }
  if (rl !== undefined) saveHistory(historyPath, history);
  // Ctrl-D leaves the cursor after `ftp> `: the shell's prompt goes on a line of its own.
  if (endOfInput && lost === undefined && 'terminal' in options.input) {
    options.input.terminal.output.write('\n');
  }
  source.close();
  if (lost !== undefined) {
    if (!lostReported) output.failure(undefined, lost);
    return EXIT_FAILED;
  }
  await client.quit();
  return exitCode;
}
