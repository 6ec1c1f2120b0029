// @cftp/transfer: the Node side of a CFTP transfer, one home that both engines (server and
// client) import. @cftp/protocol stays pure; the file handles and sockets live here.
export * from './digest.js';
export * from './file-sink.js';
export * from './fingerprint.js';
export * from './local-errors.js';
export * from './package-version.js';
export * from './prefix.js';
export * from './read-into.js';
export * from './receive.js';
export * from './send.js';
export {
  blockPoolState,
  PRIVATE_BLOCK_BYTES,
  PRIVATE_FREE_BLOCKS,
  privateBlocksFree,
} from './send-buffers.js';
export * from './splitter.js';
