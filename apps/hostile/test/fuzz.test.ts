// A live-server fuzz (docs/security.md "Fuzzing"): random frame sequences, valid and broken
// messages, bare headers, raw bytes and data-channel connections with right, wrong and junk
// tokens, against a real `cftp server`, while a well-behaved session beside them keeps
// transferring and checking files. The server must never crash, log an error, or leak.
// CI runs CFTP_FUZZ_CASES (default 500) cases; `node scripts/fuzz.mjs --cases 100000` runs more.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { encodeFrame, encodeMessage, MessageDecoder } from '@cftp/protocol';
import { openFiles, processUsage, startServer } from '@cftp/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KiB, sha256File, until, useHostile, writeRandom } from './support.js';

const hostile = useHostile('fuzz');

const CASES = Number(process.env.CFTP_FUZZ_CASES ?? 500);
const SEED = Number(process.env.CFTP_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CONCURRENCY = 8;
const BATCH = 1000;

type Step =
  | { kind: 'message'; value: Record<string, unknown> }
  | { kind: 'json'; text: string }
  | { kind: 'frame'; payload: Uint8Array }
  | { kind: 'header'; length: number }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'data'; token: 'right' | 'wrong' | 'short'; payload: Uint8Array; end: boolean };

interface Case {
  hello: boolean;
  steps: Step[];
  /** Cut points for the control bytes (taken modulo their length). */
  cuts: number[];
  end: 'destroy' | 'quit' | 'half-close';
}

const TYPES = [
  'hello',
  'list',
  'get',
  'put',
  'stat',
  'mkdir',
  'rmdir',
  'delete',
  'rename',
  'done',
  'abort',
  'quit',
  'putmany',
  'getmany',
  'welcome',
  'ready',
  'ok',
  'error',
  'bogus',
  '',
];

const pathArb = fc.oneof(
  fc.constantFrom(
    '',
    '.',
    'f.bin',
    'sub',
    'sub/g.bin',
    'new.bin',
    'new-dir',
    '../x',
    '/etc/passwd',
    'a\\b',
    'C:',
    'nul\u0000',
    'x'.repeat(300),
    'caf\u00e9',
    'cafe\u0301',
    '.f.bin.cftp-0123456789abcdef.part',
  ),
  fc.string({ unit: 'binary', maxLength: 24 }),
);
const idArb = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 24 }), weight: 8 },
  fc.constantFrom(0, -1, 1.5, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, null, '1', true),
);
const hexArb = fc.string({
  unit: fc.constantFrom(...'0123456789abcdef'),
  minLength: 64,
  maxLength: 64,
});
const sizeArb = fc.oneof(
  fc.nat({ max: 64 * KiB }),
  fc.constantFrom(-1, 1.5, Number.MAX_SAFE_INTEGER, '10', null),
);
const messageArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    type: fc.constantFrom(...TYPES),
    id: idArb,
    path: pathArb,
    from: pathArb,
    to: pathArb,
    paths: fc.array(pathArb, { maxLength: 4 }),
    files: fc.array(fc.record({ path: pathArb, size: sizeArb }), { maxLength: 3 }),
    size: sizeArb,
    offset: sizeArb,
    sha256: fc.oneof(hexArb, fc.string({ maxLength: 8 })),
    prefixSha256: hexArb,
    resume: fc.boolean(),
    mtime: sizeArb,
    version: fc.oneof(fc.constant(1), fc.integer({ min: -2, max: 5 })),
    features: fc.array(fc.constantFrom('sha256', 'fs', 'resume', 'mtime', 'x'), { maxLength: 5 }),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['type'] },
);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: messageArb.map((value) => ({ kind: 'message' as const, value })), weight: 12 },
  {
    arbitrary: fc
      .jsonValue({ maxDepth: 3 })
      .map((value) => ({ kind: 'json' as const, text: JSON.stringify(value) ?? 'null' })),
    weight: 2,
  },
  {
    arbitrary: fc
      .uint8Array({ minLength: 1, maxLength: 64 })
      .map((payload) => ({ kind: 'frame' as const, payload })),
    weight: 2,
  },
  {
    arbitrary: fc
      .constantFrom(0, 1, 65_536, 65_537, 2 ** 31, 2 ** 32 - 1)
      .map((length) => ({ kind: 'header' as const, length })),
    weight: 1,
  },
  {
    arbitrary: fc
      .uint8Array({ minLength: 1, maxLength: 32 })
      .map((bytes) => ({ kind: 'bytes' as const, bytes })),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('data' as const),
      token: fc.constantFrom('right' as const, 'wrong' as const, 'short' as const),
      payload: fc.uint8Array({ maxLength: 256 }),
      end: fc.boolean(),
    }),
    weight: 4,
  },
);
const caseArb: fc.Arbitrary<Case> = fc.record({
  hello: fc.integer({ min: 0, max: 9 }).map((n) => n < 8),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 12 }),
  cuts: fc.array(fc.nat(), { maxLength: 6 }),
  end: fc.constantFrom('destroy' as const, 'quit' as const, 'half-close' as const),
});

function split(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const edges = [0, ...points, bytes.length];
  return edges.slice(1).map((end, i) => bytes.subarray(edges[i], end));
}

function connectTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

function closedWithin(socket: Socket, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** One fuzz case: one control connection (and the data connections it asks for). */
async function runCase(port: number, fuzz: Case): Promise<void> {
  const control = await connectTo(port);
  const readies: Array<{ port: number; token: string }> = [];
  const decoder = new MessageDecoder({ maxFrameSize: 1 << 24 });
  control.on('data', (chunk: Buffer) => {
    for (const result of decoder.push(chunk)) {
      if ('message' in result && result.message.type === 'ready') {
        readies.push({ port: result.message.port, token: result.message.token });
      }
    }
  });
  const data: Socket[] = [];
  const write = (bytes: Buffer) => {
    for (const piece of split(bytes, fuzz.cuts)) if (!control.destroyed) control.write(piece);
  };
  if (fuzz.hello) {
    write(Buffer.from(encodeMessage({ type: 'hello', id: 1, version: 1, features: ['sha256'] })));
  }
  for (const step of fuzz.steps) {
    switch (step.kind) {
      case 'message':
        write(Buffer.from(encodeFrame(Buffer.from(JSON.stringify(step.value)))));
        break;
      case 'json':
        write(Buffer.from(encodeFrame(Buffer.from(step.text))));
        break;
      case 'frame':
        write(Buffer.from(encodeFrame(step.payload)));
        break;
      case 'header': {
        const header = Buffer.alloc(4);
        header.writeUInt32BE(step.length);
        write(header);
        break;
      }
      case 'bytes':
        write(Buffer.from(step.bytes));
        break;
      case 'data': {
        // Give the server up to 50 ms to answer a request with `ready`.
        for (
          let waited = 0;
          readies.length === 0 && waited < 50 && !control.destroyed;
          waited += 5
        ) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const ready = readies.shift();
        if (ready === undefined) break;
        const socket = await connectTo(ready.port).catch(() => undefined);
        if (socket === undefined) break;
        data.push(socket);
        socket.resume();
        const token =
          step.token === 'right'
            ? Buffer.from(ready.token, 'hex')
            : step.token === 'wrong'
              ? randomBytes(32)
              : Buffer.from(ready.token, 'hex').subarray(0, 7);
        socket.write(Buffer.concat([token, step.payload]));
        if (step.end) socket.end();
        break;
      }
    }
  }
  if (fuzz.end === 'quit') {
    write(Buffer.from(encodeMessage({ type: 'quit', id: 999 })));
    await closedWithin(control, 300);
  } else if (fuzz.end === 'half-close') {
    control.end();
    await closedWithin(control, 300);
  }
  control.destroy();
  for (const socket of data) socket.destroy();
}

/** A session that keeps doing real work, verified, while the fuzz runs. */
async function wellBehaved(port: number, folder: string, local: string, stop: () => boolean) {
  const client = await hostile.client(port);
  await client.mkdir(folder);
  let operations = 0;
  for (let i = 0; !stop(); i++) {
    const source = join(local, `good-${i % 4}.bin`);
    const digest = await writeRandom(source, 48 * KiB + i);
    await client.put(source, `${folder}/g${i}.bin`);
    await client.get(`${folder}/g${i}.bin`, join(local, 'back.bin'));
    if ((await sha256File(join(local, 'back.bin'))) !== digest) throw new Error('wrong bytes');
    expect((await client.list(folder)).length).toBe(i + 1);
    operations += 3;
  }
  return operations;
}

describe('live-server fuzz', () => {
  it(
    `${CASES} random sessions (seed ${SEED}): the server never crashes and a good session keeps working`,
    async () => {
      // Known before any check can fail, so a failing run can be repeated.
      hostile.figures.fuzzSeed = SEED;
      const base = await hostile.tempDir();
      const root = join(base, 'root');
      const local = join(base, 'local');
      await mkdir(join(root, 'sub'), { recursive: true });
      await mkdir(local);
      await writeFile(join(root, 'f.bin'), randomBytes(32 * KiB));
      await writeFile(join(root, 'sub', 'g.bin'), randomBytes(KiB));
      const server = hostile.server(
        await startServer(root, [
          '--data-timeout',
          '2s',
          '--handshake-timeout',
          '1s',
          '--idle-timeout',
          '2s',
          '--stall-timeout',
          '1s',
        ]),
      );
      const before = processUsage(server.pid);
      // Every case sampled first: sampling blocks this process (≈7 KB and ≈0.2 ms a case), and
      // the good session must not stall mid-handshake or mid-transfer meanwhile. Per-batch
      // seeds as before, so a recorded seed gives the same cases.
      const batches: Case[][] = [];
      for (let first = 0; first < CASES; first += BATCH) {
        batches.push(
          fc.sample(caseArb, { numRuns: Math.min(BATCH, CASES - first), seed: SEED + first }),
        );
      }
      let finished = false;
      const good = wellBehaved(
        server.port,
        `good-${randomBytes(8).toString('hex')}`,
        local,
        () => finished,
      );
      let ran = 0;
      try {
        for (const cases of batches) {
          let next = 0;
          await Promise.all(
            Array.from({ length: CONCURRENCY }, async () => {
              while (next < cases.length) {
                const fuzz = cases[next++]!;
                await runCase(server.port, fuzz);
                ran++;
                expect(server.isRunning()).toBe(true);
              }
            }),
          );
        }
      } finally {
        finished = true;
      }
      const goodOperations = await good;
      hostile.figures.fuzzCases = ran;
      hostile.figures.fuzzGoodSessionOperations = goodOperations;
      expect(ran).toBe(CASES);
      expect(goodOperations).toBeGreaterThan(0);
      expect(server.isRunning()).toBe(true);

      // Every fuzzed session ends, nothing is logged at error level, nothing leaks.
      await until(
        () => {
          const logs = server.logs();
          const opened = logs.filter((line) => line.msg === 'session open').length;
          return opened - logs.filter((line) => line.msg === 'session close').length;
        },
        (open) => open <= 1, // the good session is still open
        'fuzzed sessions closing',
        60_000,
      );
      expect(server.logs().filter((line) => line.level >= 50)).toEqual([]);
      expect(server.stderr()).not.toMatch(/Uncaught|TypeError|RangeError|at .*\.js:\d+/);
      const after = await until(
        () => processUsage(server.pid),
        (usage) => usage.fds <= before.fds + 4,
        'descriptors after the fuzz',
      ).catch((error: Error) => {
        throw new Error(`${error.message}; open: ${openFiles(server.pid).join(', ')}`);
      });
      hostile.figures.fuzzFdsBefore = before.fds;
      hostile.figures.fuzzFdsAfter = after.fds;
      hostile.figures.fuzzRssBeforeKiB = before.rssKiB;
      hostile.figures.fuzzRssAfterKiB = after.rssKiB;
      const outcomes = new Map<string, number>();
      for (const line of server.logs()) {
        if (typeof line.op === 'string') {
          const key = `${line.op}:${String(line.outcome)}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        }
      }
      hostile.figures.fuzzOperationOutcomes = JSON.stringify(Object.fromEntries(outcomes));
    },
    60_000 + CASES * 50,
  );
});
