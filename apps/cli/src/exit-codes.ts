// The `cftp` command's exit codes (README "Exit codes"): the one table for every form
// (client, one-shot get/put, server, tui, user-file commands); scripts branch on these.
// `@cftp/tui`'s runTui returns its own two (EXIT_OK, EXIT_NO_TERMINAL: a usage problem); a
// test pins them to this table, since the CLI loads the TUI only when `cftp tui` runs.
export const EXIT_OK = 0;
/** A command failed (batch, -c, one-shot), the connection was lost, the server could not listen. */
export const EXIT_FAILED = 1;
/** Bad command-line arguments, or a setting they name that is unusable (root, state, TTY). */
export const EXIT_USAGE = 2;
/** Could not connect (refused, unreachable, handshake failed). */
export const EXIT_CONNECT = 3;
/**
 * A many-file command (get -r, put -r, mget, mput) copied what it could, but some entries
 * could not be read or written: each is named in a warning, the summary counts them (EPARTIAL).
 */
export const EXIT_PARTIAL = 4;
/** A one-shot get/put stopped by Ctrl-C (SIGINT): 128 + 2, as a shell reports it. */
export const EXIT_INTERRUPTED = 130;

/** The exit code of a failed command: EXIT_PARTIAL for a copy that left entries out. */
export function failedExit(code: string | undefined): number {
  return code === 'EPARTIAL' ? EXIT_PARTIAL : EXIT_FAILED;
}
