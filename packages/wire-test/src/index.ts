// @cftp/wire-test: test tools that packages may depend on (they need only @cftp/protocol and
// Node): a raw CFTP wire client (docs/protocol.md §2–§5), file helpers that make and hash test
// files, and ports outside the kernel's ephemeral range.
export {
  blake3,
  blake3File,
  blake3Text,
  sha256,
  sha256File,
  writeRandom,
  writeRandomBytes,
} from './files.js';
export { ephemeralPortRange, freeFixedPort, freeFixedPortRange } from './ports.js';
export {
  Control,
  firstChunk,
  frameHeader,
  HOST,
  openData,
  openTlsData,
  rawFrame,
  readAll,
  requestTree,
  sendAndEnd,
  tryConnect,
} from './wire.js';
