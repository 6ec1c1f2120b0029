// Messages to frames and back (docs/protocol.md §2–§3). Pure: no sockets, no timers.

import { ProtocolError } from './errors.js';
import { encodeFrame, FrameDecoder, FrameSizeError } from './frame.js';
import { isMessageType, type Message, messageSchemas } from './messages.js';

const utf8Encoder = new TextEncoder();
// `ignoreBOM: true` keeps a leading U+FEFF in the decoded text instead of silently
// stripping it, so JSON.parse refuses it: payloads carry no byte-order mark (§2).
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Encodes one message as a complete frame (length prefix + JSON). */
export function encodeMessage(message: Message): Uint8Array {
  return encodeFrame(utf8Encoder.encode(JSON.stringify(message)));
}

/** A frame decoded into a message. */
export interface DecodedMessage {
  ok: true;
  message: Message;
}

/** A frame that could not be decoded (§3), or a fatal framing error (§2). */
export interface DecodeFailure {
  ok: false;
  error: ProtocolError;
  /** The request id, when one could be read: the error reply goes to it (§3). */
  id: number | null;
  /**
   * The message's raw `type` string, when it had one (known or not): the server tells a
   * malformed `done` for an upload in flight from other bad messages by it (§3.3, §6.3).
   */
  type?: string;
  /**
   * A framing error (EFRAMESIZE, §2): always the last result of its push. The stream cannot
   * be resynchronised, so the connection must close; later pushes give the same kind again.
   * Otherwise only this one message was bad, and the connection goes on.
   */
  fatal: boolean;
}

/** What one frame became. Branch on `ok`; on a failure, on `fatal`. */
export type DecodeResult = DecodedMessage | DecodeFailure;

/** Decodes one frame payload. Never throws: a bad payload gives a DecodeFailure (§3). */
export function decodePayload(payload: Uint8Array): DecodeResult {
  let value: unknown;
  try {
    value = JSON.parse(utf8Decoder.decode(payload));
  } catch {
    return fail('EPROTO', 'payload is not UTF-8 JSON', null);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('EPROTO', 'payload is not a JSON object', null);
  }
  const record = value as Record<string, unknown>;
  const rawId = record.id;
  const id = typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId >= 1 ? rawId : null;
  const type = record.type;
  if (typeof type !== 'string') return fail('EPROTO', 'message has no string "type"', id);
  if (!isMessageType(type)) return fail('EUNKNOWN', `unknown message type "${type}"`, id, type);
  const parsed = messageSchemas[type].parse(value);
  if (!parsed.ok) return fail('EPROTO', `bad "${type}" message (${parsed.error})`, id, type);
  return { ok: true, message: parsed.value };
}

function fail(
  code: 'EPROTO' | 'EUNKNOWN',
  message: string,
  id: number | null,
  type?: string,
): DecodeFailure {
  return {
    ok: false,
    error: new ProtocolError(code, message),
    id,
    ...(type === undefined ? {} : { type }),
    fatal: false,
  };
}

/**
 * @deprecated MessageDecoder no longer throws: a framing error is its last result, with
 * `fatal: true`. Kept only until the client's call site switches; then delete it.
 */
export class MessageFrameSizeError extends ProtocolError {
  constructor(
    message: string,
    readonly results: DecodeResult[],
  ) {
    super('EFRAMESIZE', message);
  }
}

/**
 * Incremental control-channel decoder: `push(bytes)` returns one result for each frame those
 * bytes complete, in order. It never throws on input: a bad message is a failure result for
 * that message, and a framing error is a fatal failure result after the frames before it.
 */
export class MessageDecoder {
  private readonly frames: FrameDecoder;

  constructor(options: { maxFrameSize?: number } = {}) {
    this.frames = new FrameDecoder(options);
  }

  get pendingBytes(): number {
    return this.frames.pendingBytes;
  }

  push(chunk: Uint8Array): DecodeResult[] {
    let frames: Uint8Array[];
    try {
      frames = this.frames.push(chunk);
    } catch (error) {
      if (!(error instanceof FrameSizeError)) throw error;
      // The frames completed before the bad header still count (§2), whatever the split.
      const fatal: DecodeFailure = {
        ok: false,
        error: new ProtocolError('EFRAMESIZE', error.message),
        id: null,
        fatal: true,
      };
      return [...error.frames.map(decodePayload), fatal];
    }
    return frames.map(decodePayload);
  }
}
