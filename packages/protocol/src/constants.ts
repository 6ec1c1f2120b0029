// Protocol constants and default limits (docs/protocol.md §4, §5, §12).

export const PROTOCOL_VERSION = 1;
export const SUPPORTED_VERSIONS: readonly number[] = [PROTOCOL_VERSION];
/** Features of version 1 (§4). */
export const FEATURES: readonly string[] = ['sha256', 'fs', 'resume', 'mtime', 'batch'];

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
