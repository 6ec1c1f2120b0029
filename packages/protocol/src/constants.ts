// Protocol constants and default limits (docs/protocol.md §4, §5, §6.1, §6.8, §12).

export const PROTOCOL_VERSION = 1;
export const SUPPORTED_VERSIONS: readonly number[] = [PROTOCOL_VERSION];
/** Features of version 1 (§4). */
export const FEATURES: readonly string[] = [
  'sha256',
  'fs',
  'resume',
  'mtime',
  'batch',
  'mode',
  'tree',
  'links',
];

export const FRAME_HEADER_BYTES = 4;
export const DEFAULT_MAX_FRAME_SIZE = 64 * 1024;
export const DEFAULT_MAX_IN_FLIGHT = 16;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
export const DEFAULT_DATA_ACCEPT_TIMEOUT_MS = 10_000;

/** Data-channel token length in bytes (§5); sent as 64 hex digits on the control channel. */
export const TOKEN_BYTES = 32;

export const MAX_PATH_BYTES = 4096;
export const MAX_SEGMENT_BYTES = 255;

/** SHA-256 of the empty string (§7). */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * v1.2 feature (§6.9): symlinks as links — a listed symlink carries its `target` text, and
 * `symlink` creates one that stays inside the root.
 */
export const LINKS_FEATURE = 'links';
/** v1.1 feature (§4, §6.8): the peer carries and applies permission bits (`mode`). */
export const MODE_FEATURE = 'mode';
/** The permission bits `mode` may carry (§6.8): rwx for user, group, others; no setuid/sticky. */
export const MODE_MASK = 0o777;
/** The server's umask for new files unless `--umask` says otherwise (§6.8). */
export const DEFAULT_SERVER_UMASK = 0o022;

/** Client limits (§12): every wait of the client, unless `--timeout` says otherwise. */
export const DEFAULT_CLIENT_TIMEOUT_MS = 60_000;
/** From TCP connect to a valid `welcome` (§4.3); past it the peer "is not a CFTP server". */
export const DEFAULT_HELLO_TIMEOUT_MS = 5_000;
/** Longest listing line, `\n` excluded (§6.1). */
export const MAX_LIST_LINE_BYTES = 64 * 1024;
/** Most entries in one listing (§6.1); a server counts the rest in `done.skipped`. */
export const MAX_LIST_ENTRIES = 1_000_000;

/**
 * v1.1 feature (§5.5): data connections arrive on the control port, opened by the preamble
 * below. In `welcome` it means this server runs that way: `ready.port` is then 0.
 */
export const SINGLE_PORT_FEATURE = 'single-port';
/** The 8 bytes that open a single-port data connection, before the token (§5.5). */
export const DATA_PREAMBLE_MAGIC: Uint8Array = new TextEncoder().encode('CFTPDATA');
/** Magic + token: the whole preamble of a single-port data connection (§5.5). */
export const DATA_PREAMBLE_BYTES = 8 + TOKEN_BYTES;
/**
 * A single-port server accepts no frame of this size or more (§5.5), so a control
 * connection's first byte is always 0x00 and can never be the magic's `C` (0x43).
 */
export const SINGLE_PORT_MAX_FRAME_SIZE = 2 ** 24;

/** v1.2 feature (§6.10): `tree`, a whole subtree's entries over one data channel. */
export const TREE_FEATURE = 'tree';
/** How deep a `tree` walk goes (§6.10): a folder this deep is sent, its content is not. */
export const MAX_TREE_DEPTH = 64;
