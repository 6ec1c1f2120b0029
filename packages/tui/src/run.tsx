// Starts the full-screen TUI on a terminal and resolves with the exit code when the user
// quits. Without a terminal (piped input or output) it says to use `cftp client` and
// resolves 2, like any usage error of the cftp command. After quitting, it says which partial
// downloads the cancelled transfers kept.
import { escapeControls } from '@cftp/protocol';
import { render } from 'ink';
import { App } from './App.js';
import { Controller, type SecurityProvider } from './controller.js';
import type { Binding } from './keys.js';
import { partialNotice } from './partials.js';

export interface TuiOptions {
  /** Connect at once; without host and port the connect form opens. */
  host?: string | undefined;
  port?: number | undefined;
  /** The folder of the local pane (default: the current folder). */
  localDir?: string | undefined;
  /** Transfers running at once (default 2). */
  concurrency?: number | undefined;
  bindings?: readonly Binding[] | undefined;
  /** TLS trust and credentials per server (see Controller); without it, plaintext. */
  security?: SecurityProvider | undefined;
  /** The known_hosts file, named when a pinned certificate no longer matches. */
  knownHosts?: string | undefined;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WritableStream;
}

export const EXIT_OK = 0;
export const EXIT_NO_TERMINAL = 2;

export const NO_TERMINAL_MESSAGE =
  'cftp tui: needs an interactive terminal (stdin and stdout must be a TTY).\n' +
  'For scripts and pipes, use the ftp> client instead: cftp client <HOST> <PORT>\n';

export async function runTui(options: TuiOptions = {}): Promise<number> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  if (stdin.isTTY !== true || stdout.isTTY !== true) {
    stderr.write(NO_TERMINAL_MESSAGE);
    return EXIT_NO_TERMINAL;
  }
  const controller = new Controller({
    concurrency: options.concurrency,
    ...(options.security === undefined ? {} : { security: options.security }),
    knownHosts: options.knownHosts,
  });
  // Started before the first frame, so the screen opens on "connecting".
  if (options.host !== undefined && options.port !== undefined) {
    void controller.connect(options.host, options.port);
  }
  const app = render(
    <App
      controller={controller}
      localDir={options.localDir ?? process.cwd()}
      bindings={options.bindings}
    />,
    {
      stdin,
      stdout,
      stderr,
      exitOnCtrlC: false,
      alternateScreen: true,
      // A terminal is there (checked above): render even where CI is set.
      interactive: true,
    },
  );
  try {
    await app.waitUntilExit();
  } finally {
    await controller.close();
  }
  // Quitting cancels what runs; the partials it keeps are said once the screen is gone.
  for (const item of controller.transfers.snapshot()) {
    const notice = await partialNotice(item);
    // Names may have come from the server: escaped, never interpreted (§9.1).
    if (notice !== undefined) stderr.write(`cftp tui: ${escapeControls(notice)}\n`);
  }
  return EXIT_OK;
}
