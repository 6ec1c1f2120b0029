// Control-channel message schemas: the one source of the message types (docs/protocol.md §3).
import { MODE_MASK } from './constants.js';
import {
  arrayOf,
  bool,
  hex64,
  type Infer,
  int,
  literal,
  nested,
  nullable,
  object,
  oneOf,
  optional,
  string,
  strings,
} from './schema.js';

/** Most files in one `putmany`/`getmany` (§6.7, §12). */
export const BATCH_MAX_FILES = 256;

const id = int(1);
const uint = int(0);
/** Permission bits only (§6.8): setuid, setgid and sticky are never carried. */
const mode = int(0, MODE_MASK);

/** One entry of a listing (§6.1), sent as one JSON line on the data channel. */
const entry = {
  name: string(1),
  type: oneOf('file', 'dir', 'symlink', 'other'),
  size: uint,
  mtime: uint,
  /** v1.1, feature `mode`: the entry's permission bits, for files and folders (§6.8). */
  mode: optional(mode),
  /** v1.2, feature `links`: a symlink's own text, as the link holds it (§6.1, §6.9). */
  target: optional(string(1)),
};
export const entrySchema = object(entry);

/** One line of a `tree` stream (§6.10): a §6.1 entry named by its path below the folder. */
const treeEntry = {
  path: string(1),
  type: entry.type,
  size: uint,
  mtime: uint,
  mode: optional(mode),
  /** Asked with `tree.digest`, for files: the file's digest in the session's algorithm. */
  digest: optional(hex64),
  /** With the `links` feature, for symlinks: where the link points. */
  target: optional(string()),
};
export const treeEntrySchema = object(treeEntry);
export type TreeEntry = Infer<typeof treeEntry>;
export type Entry = Infer<typeof entry>;
export type EntryType = Entry['type'];

const hello = {
  type: literal('hello'),
  id,
  version: uint,
  features: strings,
  agent: optional(string()),
};
/** After `welcome`, when the server requires an account (§4.2). Only inside TLS in practice. */
const login = { type: literal('login'), id, user: string(1), password: string() };
const list = { type: literal('list'), id, path: optional(string()) };
const get = {
  type: literal('get'),
  id,
  path: string(),
  offset: optional(uint),
  prefixSha256: optional(hex64),
};
const put = {
  type: literal('put'),
  id,
  path: string(),
  size: uint,
  mtime: optional(uint),
  resume: optional(bool),
  sha256: optional(hex64),
  /** v1.1, feature `mode`: the source file's permission bits (§6.8). */
  mode: optional(mode),
  /** v1.1: give the file exactly `mode`, unmasked, new or overwritten (`-p`, §6.8). */
  exactMode: optional(bool),
};
const stat = { type: literal('stat'), id, path: string() };
const mkdir = { type: literal('mkdir'), id, path: string() };
/** v1.2, feature `links` (§6.9): creates the symlink `path` holding the text `target`. */
const symlink = { type: literal('symlink'), id, path: string(1), target: string(1) };
const rmdir = { type: literal('rmdir'), id, path: string() };
const del = { type: literal('delete'), id, path: string() };
const rename = { type: literal('rename'), id, from: string(), to: string() };
const done = {
  type: literal('done'),
  id,
  size: uint,
  sha256: hex64,
  count: optional(uint),
  /** v1.1, listings: entries left out because their names cannot be represented (§6.1). */
  skipped: optional(uint),
  /** Per-file digests of a batch (§6.7), in request order. */
  files: optional(arrayOf(hex64, 1, BATCH_MAX_FILES)),
};
const batchItem = object({
  path: string(),
  size: uint,
  mtime: optional(uint),
  mode: optional(mode),
});
const putmany = {
  type: literal('putmany'),
  id,
  files: arrayOf(nested(batchItem, 'a file {path, size, mtime?, mode?}'), 1, BATCH_MAX_FILES),
  /** v1.1: as `put.exactMode`, for every file of the batch (§6.8). */
  exactMode: optional(bool),
};
const getmany = { type: literal('getmany'), id, paths: arrayOf(string(), 1, BATCH_MAX_FILES) };
/** v1.2, feature `tree`: a whole subtree's entries over one data channel (§6.10). */
const tree = { type: literal('tree'), id, path: optional(string()), digest: optional(bool) };
const batchFile = object({ size: uint, mtime: uint, mode: optional(mode) });
const abort = { type: literal('abort'), id };
const quit = { type: literal('quit'), id };
const welcome = {
  type: literal('welcome'),
  id,
  version: uint,
  features: strings,
  agent: string(),
  maxFrameSize: uint,
  maxInFlight: uint,
  /** True when the server takes no request but `login` until one succeeds (§4.2). */
  login: optional(bool),
};
const ready = {
  type: literal('ready'),
  id,
  /** The data port; 0 when the session runs with `single-port` (§5.5): no other port. */
  port: int(0, 65535),
  token: hex64,
  size: optional(uint),
  offset: optional(uint),
  mtime: optional(uint),
  prefixSha256: optional(hex64),
  /** v1.1, feature `mode`, for `get`: the file's permission bits (§6.8). */
  mode: optional(mode),
  /** For `getmany`: each file's size, mtime (and mode), in request order (§6.7). */
  files: optional(arrayOf(nested(batchFile, 'a file {size, mtime, mode?}'), 1, BATCH_MAX_FILES)),
};
const ok = {
  type: literal('ok'),
  id,
  size: optional(uint),
  sha256: optional(hex64),
  entry: optional(nested(entrySchema, 'a listing entry')),
  /** For `putmany`: how many files were committed (§6.7). */
  count: optional(uint),
};
const error = {
  type: literal('error'),
  id: nullable(id),
  code: string(1),
  message: string(),
  /**
   * v1.1, with `id: null`: the id of a request refused because that id is already in
   * flight; the request in flight is not affected (§3.3).
   */
  refusedId: optional(id),
};

export type Hello = Infer<typeof hello>;
export type Login = Infer<typeof login>;
export type List = Infer<typeof list>;
export type Get = Infer<typeof get>;
export type Put = Infer<typeof put>;
export type Done = Infer<typeof done>;
export type Abort = Infer<typeof abort>;
export type Quit = Infer<typeof quit>;
export type Stat = Infer<typeof stat>;
export type Mkdir = Infer<typeof mkdir>;
export type Symlink = Infer<typeof symlink>;
export type Rmdir = Infer<typeof rmdir>;
export type Delete = Infer<typeof del>;
export type Rename = Infer<typeof rename>;
export type PutMany = Infer<typeof putmany>;
export type GetMany = Infer<typeof getmany>;
export type Tree = Infer<typeof tree>;
export type Welcome = Infer<typeof welcome>;
export type Ready = Infer<typeof ready>;
export type Ok = Infer<typeof ok>;
export type ErrorMessage = Infer<typeof error>;

export type ClientMessage =
  | Hello
  | Login
  | List
  | Get
  | Put
  | Done
  | Abort
  | Quit
  | Stat
  | Mkdir
  | Rmdir
  | Delete
  | Rename
  | PutMany
  | GetMany
  | Tree
  | Symlink;
export type ServerMessage = Welcome | Ready | Done | Ok | ErrorMessage;
export type Message = ClientMessage | ServerMessage;
export type MessageType = Message['type'];

/** Every message type, by its `type` string. `done` flows both ways (§3). */
export const messageSchemas = {
  hello: object(hello),
  login: object(login),
  list: object(list),
  get: object(get),
  put: object(put),
  done: object(done),
  abort: object(abort),
  quit: object(quit),
  stat: object(stat),
  mkdir: object(mkdir),
  symlink: object(symlink),
  rmdir: object(rmdir),
  delete: object(del),
  rename: object(rename),
  putmany: object(putmany),
  getmany: object(getmany),
  tree: object(tree),
  welcome: object(welcome),
  ready: object(ready),
  ok: object(ok),
  error: object(error),
} as const;

export function isMessageType(value: string): value is MessageType {
  return Object.hasOwn(messageSchemas, value);
}

/** The types a server sends (§3.2); any other type from a server is out of place. */
export const SERVER_MESSAGE_TYPES = [
  'welcome',
  'ready',
  'done',
  'ok',
  'error',
] as const satisfies readonly ServerMessage['type'][];

export function isServerMessage(message: Message): message is ServerMessage {
  return (SERVER_MESSAGE_TYPES as readonly string[]).includes(message.type);
}

/**
 * One decoded frame as a client sees it: a message, or a failure with the request id it
 * named (null when it named none). Structurally a DecodeResult of the codec.
 */
export type IncomingFrame =
  | { message: Message }
  | { error: { code: string; message: string }; id: number | null };

/** What a client does with one frame after the handshake (docs/protocol.md §3.3). */
export type ClientDisposition =
  /** A reply to request `message.id`, which is in flight. */
  | { action: 'deliver'; message: ServerMessage & { id: number } }
  /** Nothing to do: no request of this session is concerned (a v1.x addition, a late reply). */
  | { action: 'ignore'; reason: string }
  /** Request `id` fails with `code`; the client sends `abort {id}` and drops later replies. */
  | { action: 'failRequest'; id: number; code: string; reason: string }
  /** The session ends with `code`: an `error` with `id: null`, or a frame naming no request. */
  | { action: 'endSession'; code: string; reason: string };

/**
 * The client's forward-compatibility rule (§3.3), as one pure decision: an unknown type
 * (a later v1.x addition) never ends the session; it fails only the in-flight request whose
 * id it carries, and is ignored otherwise. `inFlight` says whether the client is waiting on
 * an id. Not for the handshake: before `welcome` anything else means "not a CFTP server" (§4.3).
 */
export function clientDisposition(
  frame: IncomingFrame,
  inFlight: (id: number) => boolean,
): ClientDisposition {
  if ('error' in frame) {
    const { code, message } = frame.error;
    if (frame.id !== null && inFlight(frame.id)) {
      return { action: 'failRequest', id: frame.id, code: 'EPROTO', reason: message };
    }
    // An unknown type naming no request of ours: a v1.x addition this client does not know.
    if (code === 'EUNKNOWN') return { action: 'ignore', reason: message };
    // A malformed reply to a request we no longer wait for (aborted, timed out).
    if (frame.id !== null) return { action: 'ignore', reason: message };
    return { action: 'endSession', code: 'EPROTO', reason: message };
  }
  const message = frame.message;
  if (!isServerMessage(message)) {
    const reason = `"${message.type}" is not a server message`;
    return inFlight(message.id)
      ? { action: 'failRequest', id: message.id, code: 'EPROTO', reason }
      : { action: 'ignore', reason };
  }
  if (message.id === null) {
    // Only `error` has a nullable id: the server ends the session (§3.3, §11).
    const error = message as ErrorMessage;
    return { action: 'endSession', code: error.code, reason: error.message };
  }
  if (!inFlight(message.id)) {
    return { action: 'ignore', reason: `reply to request ${message.id}, not in flight` };
  }
  return { action: 'deliver', message: message as ServerMessage & { id: number } };
}
