// fast-check generators of valid CFTP control messages (docs/protocol.md §3), one per type.
// Every value they produce satisfies its schema in src/messages.ts and has only schema
// fields, so encode → decode must give it back unchanged. Shared by the decoder and fuzz suites.
import fc from 'fast-check';
import type {
  Abort,
  Delete,
  Done,
  Entry,
  ErrorMessage,
  Get,
  GetMany,
  Hello,
  List,
  Login,
  Message,
  Mkdir,
  Ok,
  Put,
  PutMany,
  Quit,
  Ready,
  Rename,
  Rmdir,
  Stat,
  Symlink,
  Tree,
  Welcome,
} from '../src/index.js';

const HEX_DIGITS = '0123456789abcdef'.split('');
const ERROR_CODE_STRINGS = ['EPROTO', 'ENOENT', 'EINTEGRITY', 'ECANCELED', 'EFUTURE'];

/** Records are plain objects, as JSON.parse and the schemas produce (no null prototype). */
const plain = { noNullPrototype: true } as const;

/** A request id: int ≥ 1 (§3), biased towards small values but reaching 2^53-1. */
export const requestIdArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 1, max: 1000 }),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
);

/** An _int_ of §3: 0…2^53-1. */
export const uintArb: fc.Arbitrary<number> = fc.oneof(fc.nat({ max: 1_000_000 }), fc.maxSafeNat());

/** A _hex64_ of §3: 64 lowercase hex digits (tokens, SHA-256 digests). */
export const hex64Arb: fc.Arbitrary<string> = fc.string({
  unit: fc.constantFrom(...HEX_DIGITS),
  minLength: 64,
  maxLength: 64,
});

/** Any JSON string, including non-ASCII and astral characters. */
export const textArb: fc.Arbitrary<string> = fc.string({ unit: 'binary', maxLength: 40 });

/** A `path` field: the codec carries any string; §9 checks happen in parsePath. */
export const pathFieldArb: fc.Arbitrary<string> = fc.oneof(
  textArb,
  fc.constantFrom('', '.', 'a/b.txt', 'caf\u00e9/\u{1f4c1}/r\u00e9sum\u00e9.pdf'),
);

/** A _mode_ of §3 (v1.1): permission bits 0…0o777 (§6.8). */
export const modeArb: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0o777 });

const featuresArb = fc.array(fc.oneof(fc.constant('sha256'), textArb), { maxLength: 4 });
const portArb = fc.integer({ min: 1, max: 65535 });

export const helloArb: fc.Arbitrary<Hello> = fc.record(
  {
    type: fc.constant('hello' as const),
    id: requestIdArb,
    version: uintArb,
    features: featuresArb,
    agent: textArb,
  },
  { requiredKeys: ['type', 'id', 'version', 'features'], ...plain },
);

export const listArb: fc.Arbitrary<List> = fc.record(
  { type: fc.constant('list' as const), id: requestIdArb, path: pathFieldArb },
  { requiredKeys: ['type', 'id'], ...plain },
);

export const getArb: fc.Arbitrary<Get> = fc.record(
  {
    type: fc.constant('get' as const),
    id: requestIdArb,
    path: pathFieldArb,
    offset: uintArb,
    prefixSha256: hex64Arb,
  },
  { requiredKeys: ['type', 'id', 'path'], ...plain },
);

export const putArb: fc.Arbitrary<Put> = fc.record(
  {
    type: fc.constant('put' as const),
    id: requestIdArb,
    path: pathFieldArb,
    size: uintArb,
    mtime: uintArb,
    resume: fc.boolean(),
    sha256: hex64Arb,
    mode: modeArb,
    exactMode: fc.boolean(),
  },
  { requiredKeys: ['type', 'id', 'path', 'size'], ...plain },
);

/** `stat`, `mkdir`, `rmdir`, `delete` share one shape (§6.6). */
function pathRequestArb<T extends 'stat' | 'mkdir' | 'rmdir' | 'delete'>(type: T) {
  return fc.record({ type: fc.constant(type), id: requestIdArb, path: pathFieldArb }, plain);
}
export const statArb: fc.Arbitrary<Stat> = pathRequestArb('stat');
export const mkdirArb: fc.Arbitrary<Mkdir> = pathRequestArb('mkdir');
export const rmdirArb: fc.Arbitrary<Rmdir> = pathRequestArb('rmdir');
export const deleteArb: fc.Arbitrary<Delete> = pathRequestArb('delete');

const nonEmptyArb = textArb.filter((text) => text.length > 0);

/** `symlink` (feature `links`, §6.9): a link's path and its text. */
export const symlinkArb: fc.Arbitrary<Symlink> = fc.record(
  {
    type: fc.constant('symlink' as const),
    id: requestIdArb,
    path: nonEmptyArb,
    target: nonEmptyArb,
  },
  plain,
);

export const renameArb: fc.Arbitrary<Rename> = fc.record(
  { type: fc.constant('rename' as const), id: requestIdArb, from: pathFieldArb, to: pathFieldArb },
  plain,
);

const batchLength = { minLength: 1, maxLength: 5 } as const;

export const putManyArb: fc.Arbitrary<PutMany> = fc.record(
  {
    type: fc.constant('putmany' as const),
    id: requestIdArb,
    files: fc.array(
      fc.record(
        { path: pathFieldArb, size: uintArb, mtime: uintArb, mode: modeArb },
        { requiredKeys: ['path', 'size'], ...plain },
      ),
      batchLength,
    ),
    exactMode: fc.boolean(),
  },
  { requiredKeys: ['type', 'id', 'files'], ...plain },
);

export const getManyArb: fc.Arbitrary<GetMany> = fc.record(
  {
    type: fc.constant('getmany' as const),
    id: requestIdArb,
    paths: fc.array(pathFieldArb, batchLength),
  },
  plain,
);

export const entryArb: fc.Arbitrary<Entry> = fc.record(
  {
    name: textArb.filter((n) => n.length > 0),
    type: fc.constantFrom('file', 'dir', 'symlink', 'other'),
    size: uintArb,
    mtime: uintArb,
    mode: modeArb,
    target: textArb.filter((t) => t.length > 0),
  },
  { requiredKeys: ['name', 'type', 'size', 'mtime'], ...plain },
);

/** `done` both ways: from the client (no `count`) and from the server (`count` for list). */
export const doneArb: fc.Arbitrary<Done> = fc.record(
  {
    type: fc.constant('done' as const),
    id: requestIdArb,
    size: uintArb,
    sha256: hex64Arb,
    count: uintArb,
    skipped: uintArb,
    files: fc.array(hex64Arb, batchLength),
  },
  { requiredKeys: ['type', 'id', 'size', 'sha256'], ...plain },
);

export const abortArb: fc.Arbitrary<Abort> = fc.record(
  { type: fc.constant('abort' as const), id: requestIdArb },
  plain,
);

export const quitArb: fc.Arbitrary<Quit> = fc.record(
  { type: fc.constant('quit' as const), id: requestIdArb },
  plain,
);

export const loginArb: fc.Arbitrary<Login> = fc.record(
  {
    type: fc.constant('login' as const),
    id: requestIdArb,
    user: textArb.filter((text) => text.length > 0),
    password: textArb,
  },
  plain,
);

export const welcomeArb: fc.Arbitrary<Welcome> = fc.record(
  {
    type: fc.constant('welcome' as const),
    id: requestIdArb,
    version: uintArb,
    features: featuresArb,
    agent: textArb,
    maxFrameSize: uintArb,
    maxInFlight: uintArb,
    login: fc.boolean(),
  },
  {
    requiredKeys: ['type', 'id', 'version', 'features', 'agent', 'maxFrameSize', 'maxInFlight'],
    ...plain,
  },
);

export const readyArb: fc.Arbitrary<Ready> = fc.record(
  {
    type: fc.constant('ready' as const),
    id: requestIdArb,
    port: portArb,
    token: hex64Arb,
    size: uintArb,
    offset: uintArb,
    mtime: uintArb,
    mode: modeArb,
    prefixSha256: hex64Arb,
    files: fc.array(
      fc.record(
        { size: uintArb, mtime: uintArb, mode: modeArb },
        { requiredKeys: ['size', 'mtime'], ...plain },
      ),
      batchLength,
    ),
  },
  { requiredKeys: ['type', 'id', 'port', 'token'], ...plain },
);

export const okArb: fc.Arbitrary<Ok> = fc.record(
  {
    type: fc.constant('ok' as const),
    id: requestIdArb,
    size: uintArb,
    sha256: hex64Arb,
    entry: entryArb,
    count: uintArb,
  },
  { requiredKeys: ['type', 'id'], ...plain },
);

export const errorMessageArb: fc.Arbitrary<ErrorMessage> = fc.record(
  {
    type: fc.constant('error' as const),
    id: fc.option(requestIdArb, { nil: null }),
    code: fc.constantFrom(...ERROR_CODE_STRINGS),
    message: textArb,
    refusedId: requestIdArb,
  },
  { requiredKeys: ['type', 'id', 'code', 'message'], ...plain },
);

/** `tree` (v1.2, §6.10): a whole subtree, digests optional. */
export const treeArb: fc.Arbitrary<Tree> = fc.record(
  {
    type: fc.constant('tree' as const),
    id: requestIdArb,
    path: pathFieldArb,
    digest: fc.boolean(),
  },
  { requiredKeys: ['type', 'id'], ...plain },
);

/** Every arbitrary by message type, so a suite can iterate over all of them. */
export const messageArbs = {
  hello: helloArb,
  login: loginArb,
  list: listArb,
  get: getArb,
  put: putArb,
  done: doneArb,
  abort: abortArb,
  quit: quitArb,
  stat: statArb,
  mkdir: mkdirArb,
  symlink: symlinkArb,
  rmdir: rmdirArb,
  delete: deleteArb,
  rename: renameArb,
  putmany: putManyArb,
  getmany: getManyArb,
  tree: treeArb,
  welcome: welcomeArb,
  ready: readyArb,
  ok: okArb,
  error: errorMessageArb,
} as const satisfies Record<Message['type'], fc.Arbitrary<Message>>;

/** Any valid message, of any type. */
export const messageArb: fc.Arbitrary<Message> = fc.oneof(...Object.values(messageArbs));
