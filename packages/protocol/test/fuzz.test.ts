// Fuzzing MessageDecoder with hostile input (docs/protocol.md §2, §3): whatever bytes arrive,
// in whatever chunks, the decoder yields results, never throws, and ends at most on the one fatal framing error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_FRAME_SIZE,
  type DecodeResult,
  encodeMessage,
  MessageDecoder,
  messageSchemas,
  ProtocolError,
} from '../src/index.js';
import { messageArb } from './arbitraries.js';
import { concat, frameOf, header } from './bytes.js';

const RUNS = 2000;
const MESSAGE_TYPES = Object.keys(messageSchemas);
const FIELD_NAMES = ['id', 'path', 'size', 'sha256', 'count', 'version', 'features', 'agent'];

/** Splits `bytes` at the given cut seeds (taken modulo the length), in order. */
function splitAt(bytes: Uint8Array, seeds: readonly number[]): Uint8Array[] {
  const cuts = seeds.map((seed) => seed % (bytes.length + 1)).sort((a, b) => a - b);
  const points = [0, ...cuts, bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end));
}

/** A byte stream and the chunks it arrives in. */
function chunked(bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array[]> {
  return fc
    .tuple(bytes, fc.array(fc.nat(), { maxLength: 10 }))
    .map(([stream, seeds]) => splitAt(stream, seeds));
}

/** The receiver's limit: mostly the default, sometimes a tiny one. */
const maxFrameSizeArb = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 96 }), weight: 1 },
);

/** What one push led to: a decoded message, a failure code, or the fatal EFRAMESIZE. */
type Outcome = 'message' | 'EPROTO' | 'EUNKNOWN' | 'EFRAMESIZE';

function checkResult(result: DecodeResult): Outcome {
  if (result.ok) {
    // Anything yielded as a message is valid: it re-encodes and decodes to itself unchanged.
    expect(new MessageDecoder().push(encodeMessage(result.message))).toStrictEqual([result]);
    return 'message';
  }
  expect(result.error).toBeInstanceOf(ProtocolError);
  const code = result.error.code;
  if (result.fatal) {
    expect(code).toBe('EFRAMESIZE');
    expect(result.id).toBeNull();
    return 'EFRAMESIZE';
  }
  if (code !== 'EPROTO' && code !== 'EUNKNOWN') throw new Error(`unexpected failure ${code}`);
  if (result.id !== null) {
    expect(Number.isSafeInteger(result.id) && result.id >= 1).toBe(true);
  }
  return code;
}

/**
 * Pushes every chunk, checking each result; push never throws. A fatal result must be
 * EFRAMESIZE, the last of its push, and ends the run.
 */
function fuzzDecoder(chunks: readonly Uint8Array[], maxFrameSize: number | undefined): Outcome[] {
  const decoder = new MessageDecoder(maxFrameSize === undefined ? {} : { maxFrameSize });
  const limit = maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const outcomes: Outcome[] = [];
  for (const chunk of chunks) {
    const results = decoder.push(chunk);
    outcomes.push(...results.map(checkResult));
    const fatal = results.findIndex((result) => !result.ok && result.fatal);
    if (fatal >= 0) {
      expect(fatal).toBe(results.length - 1);
      return outcomes;
    }
    // Never more than one unfinished frame is held (§2: checked before buffering).
    expect(decoder.pendingBytes).toBeLessThan(4 + limit);
  }
  return outcomes;
}

/** Random bytes, with no structure at all. */
const rawBytesArb = fc.uint8Array({ maxLength: 300 });

/** Frame headers that may lie about their length, around random bytes. */
const framedJunkArb = fc
  .array(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map(frameOf),
      fc
        .tuple(fc.integer({ min: 0, max: 80 }), fc.uint8Array({ maxLength: 64 }))
        .map(([length, body]) => concat([header(length), body])),
    ),
    { maxLength: 6 },
  )
  .map(concat);

const randomFieldsArb = fc.dictionary(
  fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string()),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 4, noNullPrototype: true },
);

/** JSON objects that look like messages: known or random types, random fields and values. */
const messageLikeArb = fc
  .tuple(
    fc.option(fc.oneof(fc.constantFrom(...MESSAGE_TYPES), fc.string()), { nil: undefined }),
    randomFieldsArb,
  )
  .map(([type, fields]) => JSON.stringify(type === undefined ? fields : { ...fields, type }));

/** Valid messages with random fields added or overwritten (unknown, or ill-typed known ones). */
const messagePlusFieldsArb = fc
  .tuple(messageArb, randomFieldsArb, fc.boolean())
  .map(([message, fields, overwrite]) =>
    JSON.stringify(overwrite ? { ...message, ...fields } : { ...fields, ...message }),
  );

/** Frames around arbitrary JSON text and message-like objects. */
const framedJsonArb = fc
  .array(fc.oneof(fc.json({ maxDepth: 2 }), messageLikeArb, messagePlusFieldsArb).map(frameOf), {
    maxLength: 6,
  })
  .map(concat);

/** Valid encodings with a few bytes overwritten (header or payload). */
const mutatedArb = fc
  .tuple(
    fc.array(messageArb, { minLength: 1, maxLength: 4 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
  )
  .map(([messages, edits]) => {
    const bytes = concat(messages.map(encodeMessage));
    for (const [position, value] of edits) bytes[position % bytes.length] = value;
    return bytes;
  });

describe('docs/protocol.md §2, §3: MessageDecoder under fuzzing', () => {
  // `reaches` lists outcomes each input family produces hundreds of times per 2000 runs:
  // if one is never seen, the generator has degenerated and the fuzzing proves little.
  it.each([
    { name: 'random bytes', bytes: rawBytesArb, reaches: ['EFRAMESIZE'] },
    {
      name: 'frames of random bytes, with lying length headers',
      bytes: framedJunkArb,
      reaches: ['EPROTO', 'EFRAMESIZE'],
    },
    {
      name: 'frames of random JSON and message-like objects',
      bytes: framedJsonArb,
      reaches: ['message', 'EPROTO', 'EUNKNOWN', 'EFRAMESIZE'],
    },
    {
      name: 'valid frames with bytes overwritten',
      bytes: mutatedArb,
      reaches: ['message', 'EPROTO', 'EFRAMESIZE'],
    },
  ])('$name: only EFRAMESIZE is fatal; failures are EPROTO/EUNKNOWN', ({ bytes, reaches }) => {
    const seen = new Set<Outcome>();
    fc.assert(
      fc.property(chunked(bytes), maxFrameSizeArb, (chunks, maxFrameSize) => {
        for (const outcome of fuzzDecoder(chunks, maxFrameSize)) seen.add(outcome);
      }),
      { numRuns: RUNS },
    );
    expect([...seen]).toEqual(expect.arrayContaining(reaches));
  });
});
