// Control-channel message schemas: the one source of the message types (docs/protocol.md §3).
import { z } from 'zod';

const id = z.int().min(1);
const uint = z.int().min(0);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');
const path = z.string();

export const helloSchema = z.object({
  type: z.literal('hello'),
  id,
  version: uint,
  features: z.array(z.string()),
  agent: z.string().optional(),
});
export const listSchema = z.object({ type: z.literal('list'), id, path: path.optional() });
export const getSchema = z.object({ type: z.literal('get'), id, path });
export const putSchema = z.object({ type: z.literal('put'), id, path, size: uint });
export const doneSchema = z.object({
  type: z.literal('done'),
  id,
  size: uint,
  sha256: hex64,
  count: uint.optional(),
});
export const abortSchema = z.object({ type: z.literal('abort'), id });
export const quitSchema = z.object({ type: z.literal('quit'), id });

export const welcomeSchema = z.object({
  type: z.literal('welcome'),
  id,
  version: uint,
  features: z.array(z.string()),
  agent: z.string(),
  maxFrameSize: uint,
  maxInFlight: uint,
});
export const readySchema = z.object({
  type: z.literal('ready'),
  id,
  port: z.int().min(1).max(65535),
  token: hex64,
  size: uint.optional(),
});
export const okSchema = z.object({
  type: z.literal('ok'),
  id,
  size: uint.optional(),
  sha256: hex64.optional(),
});
export const errorSchema = z.object({
  type: z.literal('error'),
  id: id.nullable(),
  code: z.string().min(1),
  message: z.string(),
});

/** Every message type, by its `type` string. `done` flows both ways (§3). */
export const messageSchemas = {
  hello: helloSchema,
  list: listSchema,
  get: getSchema,
  put: putSchema,
  done: doneSchema,
  abort: abortSchema,
  quit: quitSchema,
  welcome: welcomeSchema,
  ready: readySchema,
  ok: okSchema,
  error: errorSchema,
} as const;

export type MessageType = keyof typeof messageSchemas;
export type Hello = z.infer<typeof helloSchema>;
export type List = z.infer<typeof listSchema>;
export type Get = z.infer<typeof getSchema>;
export type Put = z.infer<typeof putSchema>;
export type Done = z.infer<typeof doneSchema>;
export type Abort = z.infer<typeof abortSchema>;
export type Quit = z.infer<typeof quitSchema>;
export type Welcome = z.infer<typeof welcomeSchema>;
export type Ready = z.infer<typeof readySchema>;
export type Ok = z.infer<typeof okSchema>;
export type ErrorMessage = z.infer<typeof errorSchema>;

export type ClientMessage = Hello | List | Get | Put | Done | Abort | Quit;
export type ServerMessage = Welcome | Ready | Done | Ok | ErrorMessage;
export type Message = ClientMessage | ServerMessage;

export function isMessageType(value: string): value is MessageType {
  return Object.hasOwn(messageSchemas, value);
}

/** One entry of a listing (§6.1), sent as one JSON line on the data channel. */
export const entrySchema = z.object({
  name: z.string().min(1),
  type: z.enum(['file', 'dir', 'symlink', 'other']),
  size: uint,
  mtime: uint,
});
export type Entry = z.infer<typeof entrySchema>;
export type EntryType = Entry['type'];
