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

/** A message that could not be decoded; `id` is the request id when one could be read. */
export interface DecodeFailure {
  error: ProtocolError;
  id: number | null;
}

export type DecodeResult = { message: Message } | DecodeFailure;

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
  if (!isMessageType(type)) return fail('EUNKNOWN', `unknown message type "${type}"`, id);
  const parsed = messageSchemas[type].parse(value);
  if (!parsed.ok) return fail('EPROTO', `bad "${type}" message (${parsed.error})`, id);
  return { message: parsed.value };
}

function fail(code: 'EPROTO' | 'EUNKNOWN', message: string, id: number | null): DecodeFailure {
  return { error: new ProtocolError(code, message), id };
}

/** EFRAMESIZE from MessageDecoder, with the results decoded before the bad frame. */
export class MessageFrameSizeError extends ProtocolError {
  constructor(
    message: string,
    readonly results: DecodeResult[],
  ) {
    super('EFRAMESIZE', message);
  }
}

/**
 * Incremental control-channel decoder: `push(bytes)` returns the messages (or per-message
 * failures) completed by those bytes. A framing error throws EFRAMESIZE (fatal, §2).
 */
export class MessageDecoder {
  private readonly frames: FrameDecoder;

  constructor(options: { maxFrameSize?: number } = {}) {
    this.frames = new FrameDecoder(options);
  }

  get pendingBytes(): number {
    return this.frames.pendingBytes;
  }

  /**
   * On a framing error this throws MessageFrameSizeError, whose `results` are the messages
   * completed before the bad header; handle those, then treat the error as fatal.
   */
  push(chunk: Uint8Array): DecodeResult[] {
    try {
      return this.frames.push(chunk).map(decodePayload);
    } catch (error) {
      if (error instanceof FrameSizeError) {
        throw new MessageFrameSizeError(error.message, error.frames.map(decodePayload));
      }
      throw error;
    }
  }
}
