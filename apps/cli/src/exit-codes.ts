// The `cftp` command's exit codes (README "Exit codes"): scripts branch on these.
export const EXIT_OK = 0;
/** A command failed (batch, -c, one-shot) or the connection was lost. */
export const EXIT_FAILED = 1;
/** Bad command-line arguments. */
export const EXIT_USAGE = 2;
/** Could not connect (refused, unreachable, handshake failed). */
export const EXIT_CONNECT = 3;
