// Control-channel message schemas: the one source of the message types (docs/protocol.md §3).
import {
  hex64,
  type Infer,
  int,
  literal,
  nullable,
  object,
  oneOf,
  optional,
  string,
  strings,
} from './schema.js';

const id = int(1);
const uint = int(0);

const hello = {
  type: literal('hello'),
  id,
  version: uint,
  features: strings,
  agent: optional(string()),
};
const list = { type: literal('list'), id, path: optional(string()) };
const get = { type: literal('get'), id, path: string() };
const put = { type: literal('put'), id, path: string(), size: uint };
const done = { type: literal('done'), id, size: uint, sha256: hex64, count: optional(uint) };
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
};
const ready = {
  type: literal('ready'),
  id,
  port: int(1, 65535),
  token: hex64,
  size: optional(uint),
};
const ok = { type: literal('ok'), id, size: optional(uint), sha256: optional(hex64) };
const error = { type: literal('error'), id: nullable(id), code: string(1), message: string() };

export type Hello = Infer<typeof hello>;
export type List = Infer<typeof list>;
export type Get = Infer<typeof get>;
export type Put = Infer<typeof put>;
export type Done = Infer<typeof done>;
export type Abort = Infer<typeof abort>;
export type Quit = Infer<typeof quit>;
export type Welcome = Infer<typeof welcome>;
export type Ready = Infer<typeof ready>;
export type Ok = Infer<typeof ok>;
export type ErrorMessage = Infer<typeof error>;

export type ClientMessage = Hello | List | Get | Put | Done | Abort | Quit;
export type ServerMessage = Welcome | Ready | Done | Ok | ErrorMessage;
export type Message = ClientMessage | ServerMessage;
export type MessageType = Message['type'];

/** Every message type, by its `type` string. `done` flows both ways (§3). */
export const messageSchemas = {
  hello: object(hello),
  list: object(list),
  get: object(get),
  put: object(put),
  done: object(done),
  abort: object(abort),
  quit: object(quit),
  welcome: object(welcome),
  ready: object(ready),
  ok: object(ok),
  error: object(error),
} as const;

export function isMessageType(value: string): value is MessageType {
  return Object.hasOwn(messageSchemas, value);
}

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
