// MessageDecoder against docs/protocol.md §2 (framing: any split, size limits before
// buffering) and §3 (per-message failures: EPROTO, EUNKNOWN, unknown fields ignored).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_FRAME_SIZE,
  type DecodeResult,
  encodeMessage,
  type Message,
  MessageDecoder,
  ProtocolError,
} from '../src/index.js';
import { messageArb } from './arbitraries.js';
import { concat, frameOf, header } from './bytes.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const conversation: Message[] = [
  { type: 'hello', id: 1, version: 1, features: ['sha256'], agent: 'cftp/0.1.0' },
  { type: 'get', id: 2, path: 'caf\u00e9/\u{1f4c1}.txt' },
  { type: 'ready', id: 2, port: 40123, token: 'ab'.repeat(32), size: 0 },
  { type: 'done', id: 2, size: 0, sha256: EMPTY_SHA256 },
  { type: 'error', id: null, code: 'EPROTO', message: 'x' },
  { type: 'quit', id: 3 },
];
const frames = conversation.map(encodeMessage);
const stream = concat(frames);
/** Offsets in `stream` at which each frame ends. */
const frameEnds = frames.map((_, i) => frames.slice(0, i + 1).reduce((n, f) => n + f.length, 0));

function messagesOf(results: readonly DecodeResult[]): Message[] {
  return results.map((result) => {
    if (!result.ok) throw result.error;
    return result.message;
  });
}

/** Pushes `chunks` in order and returns every message decoded, failing on a DecodeFailure. */
function decodeChunks(chunks: readonly Uint8Array[], decoder = new MessageDecoder()): Message[] {
  return chunks.flatMap((chunk) => messagesOf(decoder.push(chunk)));
}

/** The single result of decoding one frame around `payload`. */
function decodeOne(payload: string | Uint8Array): DecodeResult {
  const results = new MessageDecoder().push(frameOf(payload));
  expect(results).toHaveLength(1);
  return results[0]!;
}

function expectFailure(result: DecodeResult, code: string, id: number | null): void {
  expect(result).not.toHaveProperty('message');
  if (result.ok) return;
  expect(result.error).toBeInstanceOf(ProtocolError);
  expect(result.error.code).toBe(code);
  expect(result.id).toBe(id);
  expect(result.fatal).toBe(false);
}

/** The push ended in a fatal framing error (EFRAMESIZE), with no request id, and did not throw. */
function expectFrameSizeError(results: readonly DecodeResult[]): void {
  const last = results.at(-1);
  expect(last).toMatchObject({ ok: false, fatal: true, id: null });
  expect(last).toHaveProperty('error.code', 'EFRAMESIZE');
  expect(results.slice(0, -1).every((result) => !('fatal' in result && result.fatal))).toBe(true);
}

describe('docs/protocol.md §2: incremental decoding accepts any split of the stream', () => {
  it('decodes the whole stream pushed at once', () => {
    expect(decodeChunks([stream])).toStrictEqual(conversation);
  });

  it('decodes every split into two chunks, yielding only completed frames from each', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = new MessageDecoder();
      const first = messagesOf(decoder.push(stream.subarray(0, cut)));
      const completedByFirst = frameEnds.filter((end) => end <= cut).length;
      expect(first).toStrictEqual(conversation.slice(0, completedByFirst));
      const second = messagesOf(decoder.push(stream.subarray(cut)));
      expect([...first, ...second]).toStrictEqual(conversation);
      expect(decoder.pendingBytes).toBe(0);
    }
  });

  it('decodes the stream pushed one byte at a time, each message on its last byte', () => {
    const decoder = new MessageDecoder();
    const decoded: Message[] = [];
    for (let offset = 0; offset < stream.length; offset++) {
      const out = messagesOf(decoder.push(stream.subarray(offset, offset + 1)));
      const isFrameEnd = frameEnds.includes(offset + 1);
      expect(out).toHaveLength(isFrameEnd ? 1 : 0);
      decoded.push(...out);
    }
    expect(decoded).toStrictEqual(conversation);
  });

  it('ignores empty chunks', () => {
    const decoder = new MessageDecoder();
    expect(decoder.push(new Uint8Array(0))).toEqual([]);
    const [a, b] = [stream.subarray(0, 3), stream.subarray(3)];
    expect(decodeChunks([a, new Uint8Array(0), b], decoder)).toStrictEqual(conversation);
  });

  it('property: any messages, any split points → exactly those messages, in order', () => {
    const streamAndCuts = fc.array(messageArb, { minLength: 1, maxLength: 8 }).chain((messages) => {
      const bytes = concat(messages.map(encodeMessage));
      const cuts = fc.uniqueArray(fc.integer({ min: 0, max: bytes.length }), { maxLength: 12 });
      return fc.tuple(fc.constant(messages), fc.constant(bytes), cuts);
    });
    fc.assert(
      fc.property(streamAndCuts, ([messages, bytes, cuts]) => {
        const points = [0, ...cuts.sort((x, y) => x - y), bytes.length];
        const chunks = points.slice(1).map((end, i) => bytes.subarray(points[i], end));
        expect(decodeChunks(chunks)).toStrictEqual(messages);
      }),
      { numRuns: 300 },
    );
  });
});

describe('docs/protocol.md §2, §12: frame length is checked before the payload is buffered', () => {
  it('refuses a frame of length 0 with EFRAMESIZE', () => {
    expectFrameSizeError(new MessageDecoder().push(header(0)));
  });

  it(`accepts a frame of exactly the default maximum (${DEFAULT_MAX_FRAME_SIZE} bytes)`, () => {
    const json = '{"type":"quit","id":1}';
    const payload = json.padEnd(DEFAULT_MAX_FRAME_SIZE, ' ');
    expect(decodeChunks([frameOf(payload)])).toStrictEqual([{ type: 'quit', id: 1 }]);
  });

  it('refuses a frame one byte above the default maximum', () => {
    expectFrameSizeError(new MessageDecoder().push(header(DEFAULT_MAX_FRAME_SIZE + 1)));
  });

  it('fails as soon as the 4th header byte arrives, without waiting for the payload', () => {
    const decoder = new MessageDecoder();
    const huge = header(0xffffffff);
    for (let i = 0; i < 3; i++) {
      expect(decoder.push(huge.subarray(i, i + 1))).toEqual([]);
      expect(decoder.pendingBytes).toBe(i + 1);
    }
    expectFrameSizeError(decoder.push(huge.subarray(3)));
  });

  it('fails after a complete frame when the next header is too large', () => {
    const decoder = new MessageDecoder();
    expect(decodeChunks([frames[0]!], decoder)).toStrictEqual(conversation.slice(0, 1));
    expectFrameSizeError(decoder.push(header(0x7fffffff)));
  });

  it('does not hold the payload that follows a huge length header', () => {
    const decoder = new MessageDecoder();
    const body = new Uint8Array(1 << 20).fill(0x20);
    expectFrameSizeError(decoder.push(concat([header(0x40000000), body])));
    expect(decoder.pendingBytes).toBeLessThanOrEqual(4);
  });

  it('stays failed: every later push ends in EFRAMESIZE again (the error is fatal)', () => {
    const decoder = new MessageDecoder();
    expectFrameSizeError(decoder.push(header(0)));
    expectFrameSizeError(decoder.push(frames[0]!));
    expect(decoder.pendingBytes).toBe(0);
  });

  it('honours a custom maxFrameSize at its boundary', () => {
    const maxFrameSize = 32;
    const exact = frameOf('{"type":"quit","id":1}'.padEnd(maxFrameSize, ' '));
    const over = frameOf('{"type":"quit","id":1}'.padEnd(maxFrameSize + 1, ' '));
    expect(decodeChunks([exact], new MessageDecoder({ maxFrameSize }))).toStrictEqual([
      { type: 'quit', id: 1 },
    ]);
    expectFrameSizeError(new MessageDecoder({ maxFrameSize }).push(over));
    // The same 33-byte frame is fine under the default limit.
    expect(decodeChunks([over])).toStrictEqual([{ type: 'quit', id: 1 }]);
  });
});

describe('docs/protocol.md §2, §3: a bad payload fails one message, not the session', () => {
  it.each([
    { name: 'not JSON', payload: 'hello there', id: null },
    { name: 'truncated JSON', payload: '{"type":"quit","id":4', id: null },
    { name: 'a JSON array', payload: '[{"type":"quit","id":4}]', id: null },
    { name: 'JSON null', payload: 'null', id: null },
    { name: 'a JSON string', payload: '"quit"', id: null },
    { name: 'a JSON number', payload: '4', id: null },
    { name: 'an object without type', payload: '{"id":4}', id: 4 },
    { name: 'an object without type or id', payload: '{"path":"a"}', id: null },
    { name: 'a non-string type', payload: '{"type":7,"id":4}', id: 4 },
    { name: 'a null type', payload: '{"type":null,"id":4}', id: 4 },
  ])('$name → EPROTO (id $id)', ({ payload, id }) => {
    expectFailure(decodeOne(payload), 'EPROTO', id);
  });

  it.each([
    { name: 'with an integer id', payload: '{"type":"chmod","id":9,"path":"a"}', id: 9 },
    { name: 'without an id', payload: '{"type":"chmod"}', id: null },
    { name: 'with a string id', payload: '{"type":"chmod","id":"9"}', id: null },
    { name: 'with a fractional id', payload: '{"type":"chmod","id":9.5}', id: null },
    { name: 'with id 0', payload: '{"type":"chmod","id":0}', id: null },
    { name: 'named like an Object.prototype member', payload: '{"type":"toString","id":9}', id: 9 },
    { name: 'named __proto__', payload: '{"type":"__proto__","id":9}', id: 9 },
    {
      name: 'differing from a known type only in case',
      payload: '{"type":"GET","id":9,"path":"a"}',
      id: 9,
    },
  ])('an unknown type $name → EUNKNOWN (id $id)', ({ payload, id }) => {
    expectFailure(decodeOne(payload), 'EUNKNOWN', id);
  });

  it.each([
    { name: 'get with a numeric path', payload: '{"type":"get","id":3,"path":5}', id: 3 },
    { name: 'get without a path', payload: '{"type":"get","id":3}', id: 3 },
    { name: 'put without a size', payload: '{"type":"put","id":3,"path":"a"}', id: 3 },
    {
      name: 'put with a negative size',
      payload: '{"type":"put","id":3,"path":"a","size":-1}',
      id: 3,
    },
    {
      name: 'put with a fractional size',
      payload: '{"type":"put","id":3,"path":"a","size":1.5}',
      id: 3,
    },
    {
      name: 'put with a size above 2^53-1',
      payload: '{"type":"put","id":3,"path":"a","size":9007199254740992}',
      id: 3,
    },
    {
      name: 'put with a string size',
      payload: '{"type":"put","id":3,"path":"a","size":"10"}',
      id: 3,
    },
    {
      name: 'done with an uppercase digest',
      payload: `{"type":"done","id":3,"size":0,"sha256":"${'A'.repeat(64)}"}`,
      id: 3,
    },
    {
      name: 'done with a short digest',
      payload: '{"type":"done","id":3,"size":0,"sha256":"abc"}',
      id: 3,
    },
    {
      name: 'hello with features not an array',
      payload: '{"type":"hello","id":1,"version":1,"features":"sha256"}',
      id: 1,
    },
    {
      name: 'hello with a non-string feature',
      payload: '{"type":"hello","id":1,"version":1,"features":[1]}',
      id: 1,
    },
    {
      name: 'ready with port 65536',
      payload: `{"type":"ready","id":3,"port":65536,"token":"${'a'.repeat(64)}"}`,
      id: 3,
    },
    { name: 'error without a code', payload: '{"type":"error","id":3,"message":"m"}', id: 3 },
    { name: 'quit with id 0', payload: '{"type":"quit","id":0}', id: null },
    { name: 'quit with a string id', payload: '{"type":"quit","id":"3"}', id: null },
    { name: 'quit without an id', payload: '{"type":"quit"}', id: null },
    { name: 'list with a null path', payload: '{"type":"list","id":3,"path":null}', id: 3 },
  ])('a known type with a wrong field: $name → EPROTO (id $id)', ({ payload, id }) => {
    expectFailure(decodeOne(payload), 'EPROTO', id);
  });

  it('ignores unknown fields in a known message and leaves them out of the result', () => {
    const payload = '{"type":"get","id":3,"path":"a","resume":true,"extra":{"n":[1,2]}}';
    expect(decodeOne(payload)).toStrictEqual({
      ok: true,
      message: { type: 'get', id: 3, path: 'a' },
    });
  });

  it('decodes -0 in an integer field as 0, also inside nested objects', () => {
    // toStrictEqual tells -0 from 0 (Object.is); -0 would re-encode as `0`.
    const sha256 = 'a'.repeat(64);
    expect(decodeOne(`{"type":"done","id":3,"size":-0,"sha256":"${sha256}"}`)).toStrictEqual({
      ok: true,
      message: { type: 'done', id: 3, size: 0, sha256 },
    });
    expect(
      decodeOne('{"type":"putmany","id":5,"files":[{"path":"a","size":-0,"mtime":-0}]}'),
    ).toStrictEqual({
      ok: true,
      message: { type: 'putmany', id: 5, files: [{ path: 'a', size: 0, mtime: 0 }] },
    });
  });

  it('property: unknown fields are stripped from every message type', () => {
    const extraFields = fc.dictionary(
      fc.string().map((key) => `x-${key}`),
      fc.jsonValue({ maxDepth: 2 }),
      { minKeys: 1, maxKeys: 4, noNullPrototype: true },
    );
    fc.assert(
      fc.property(messageArb, extraFields, (message, extra) => {
        const payload = JSON.stringify({ ...extra, ...message });
        expect(decodeOne(payload)).toStrictEqual({ ok: true, message });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses invalid UTF-8 with EPROTO, even inside a JSON string', () => {
    const before = new TextEncoder().encode('{"type":"get","id":3,"path":"');
    const after = new TextEncoder().encode('"}');
    for (const bad of [
      [0xff],
      [0xc3],
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
    ]) {
      expectFailure(decodeOne(concat([before, Uint8Array.from(bad), after])), 'EPROTO', null);
    }
  });

  it('refuses a payload that starts with a byte-order mark with EPROTO', () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    const json = new TextEncoder().encode('{"type":"quit","id":3}');
    expectFailure(decodeOne(concat([bom, json])), 'EPROTO', null);
  });

  it('goes on decoding after a failed message', () => {
    const results = new MessageDecoder().push(
      concat([frameOf('nope'), frames[0]!, frameOf('{"type":"chmod","id":5}'), frames[5]!]),
    );
    expect(results).toHaveLength(4);
    expectFailure(results[0]!, 'EPROTO', null);
    expect(results[1]).toStrictEqual({ ok: true, message: conversation[0] });
    expectFailure(results[2]!, 'EUNKNOWN', 5);
    expect(results[3]).toStrictEqual({ ok: true, message: conversation[5] });
  });
});

describe('docs/protocol.md §2 a bad frame after good ones in one chunk', () => {
  it('returns the messages before the bad header, then the fatal error', () => {
    const good = { type: 'list', id: 7, path: 'a' } as const;
    const bad = new Uint8Array([0xff, 0xff, 0xff, 0xff]);
    const joined = new Uint8Array([...encodeMessage(good), ...bad]);
    const results = new MessageDecoder().push(joined);
    expect(results).toHaveLength(2);
    expect(results[0]).toStrictEqual({ ok: true, message: good });
    expectFrameSizeError(results);
  });
});

describe('docs/protocol.md §3.3, §6.3: a failure carries the raw type, so a bad `done` is known', () => {
  it('a malformed known message keeps its type', () => {
    const result = decodeOne('{"type":"done","id":10,"size":6,"sha256":"ABC"}');
    expectFailure(result, 'EPROTO', 10);
    expect(result).toHaveProperty('type', 'done');
  });

  it('an unknown type keeps its spelling', () => {
    expect(decodeOne('{"type":"notice","id":3}')).toHaveProperty('type', 'notice');
  });

  it('a message without a string type has none', () => {
    expect(decodeOne('{"type":7,"id":4}')).not.toHaveProperty('type');
    expect(decodeOne('[1]')).not.toHaveProperty('type');
  });
});
