// Control-channel message schemas: the one source of the message types (docs/protocol.md §3).
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

/** One entry of a listing (§6.1), sent as one JSON line on the data channel. */
const entry = {
  name: string(1),
  type: oneOf('file', 'dir', 'symlink', 'other'),
  size: uint,
  mtime: uint,
};
export const entrySchema = object(entry);
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
};
const stat = { type: literal('stat'), id, path: string() };
const mkdir = { type: literal('mkdir'), id, path: string() };
const rmdir = { type: literal('rmdir'), id, path: string() };
const del = { type: literal('delete'), id, path: string() };
const rename = { type: literal('rename'), id, from: string(), to: string() };
const done = {
  type: literal('done'),
  id,
  size: uint,
  sha256: hex64,
  count: optional(uint),
  /** Per-file digests of a batch (§6.7), in request order. */
  files: optional(arrayOf(hex64, 1, BATCH_MAX_FILES)),
};
const batchItem = object({ path: string(), size: uint, mtime: optional(uint) });
const putmany = {
  type: literal('putmany'),
  id,
  files: arrayOf(nested(batchItem, 'a file {path, size, mtime?}'), 1, BATCH_MAX_FILES),
};
const getmany = { type: literal('getmany'), id, paths: arrayOf(string(), 1, BATCH_MAX_FILES) };
const batchFile = object({ size: uint, mtime: uint });
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
  port: int(1, 65535),
  token: hex64,
  size: optional(uint),
  offset: optional(uint),
  mtime: optional(uint),
  prefixSha256: optional(hex64),
  /** For `getmany`: each file's size and mtime, in request order (§6.7). */
  files: optional(arrayOf(nested(batchFile, 'a file {size, mtime}'), 1, BATCH_MAX_FILES)),
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
const error = { type: literal('error'), id: nullable(id), code: string(1), message: string() };

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
export type Rmdir = Infer<typeof rmdir>;
export type Delete = Infer<typeof del>;
export type Rename = Infer<typeof rename>;
export type PutMany = Infer<typeof putmany>;
export type GetMany = Infer<typeof getmany>;
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
  | GetMany;
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
  rmdir: object(rmdir),
  delete: object(del),
  rename: object(rename),
  putmany: object(putmany),
  getmany: object(getmany),
  welcome: object(welcome),
  ready: object(ready),
  ok: object(ok),
  error: object(error),
} as const;

export function isMessageType(value: string): value is MessageType {
  return Object.hasOwn(messageSchemas, value);
}
