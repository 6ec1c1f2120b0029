// Wire fixtures: each message beside the exact frame bytes it must encode to and decode from
// (docs/protocol.md §2 framing, §3 messages). Bytes are the 4-byte big-endian length, then
// the JSON payload; one fixture checks both directions.
import { describe, expect, it } from 'vitest';
import { encodeMessage, type Message, MessageDecoder, messageSchemas } from '../src/index.js';
import { hex } from './bytes.js';

interface Fixture {
  name: string;
  message: Message;
  bytes: Uint8Array;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const TOKEN = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

const clientFixtures: Fixture[] = [
  {
    name: 'hello with agent',
    message: { type: 'hello', id: 1, version: 1, features: ['sha256'], agent: 'cftp/0.1.0' },
    bytes: hex(`
      0000004e
      7b227479 7065223a 2268656c 6c6f222c
      22696422 3a312c22 76657273 696f6e22
      3a312c22 66656174 75726573 223a5b22
      73686132 3536225d 2c226167 656e7422
      3a226366 74702f30 2e312e30 227d
    `),
  },
  {
    name: 'login after welcome (§4.2)',
    message: { type: 'login', id: 2, user: 'alice', password: 's3cret' },
    bytes: hex(`
      0000003a 7b227479 7065223a 226c6f67
      696e222c 22696422 3a322c22 75736572
      223a2261 6c696365 222c2270 61737377
      6f726422 3a227333 63726574 227d
    `),
  },
  {
    name: 'hello without agent',
    message: { type: 'hello', id: 1, version: 1, features: ['sha256'] },
    bytes: hex(`
      00000039
      7b227479 7065223a 2268656c 6c6f222c
      22696422 3a312c22 76657273 696f6e22
      3a312c22 66656174 75726573 223a5b22
      73686132 3536225d 7d
    `),
  },
  {
    name: 'list without path (the root)',
    message: { type: 'list', id: 2 },
    bytes: hex(`
      00000016
      7b227479 7065223a 226c6973 74222c22
      6964223a 327d
    `),
  },
  {
    name: 'list with path',
    message: { type: 'list', id: 3, path: 'docs' },
    bytes: hex(`
      00000024
      7b227479 7065223a 226c6973 74222c22
      6964223a 332c2270 61746822 3a22646f
      6373227d
    `),
  },
  {
    name: 'get',
    message: { type: 'get', id: 4, path: 'docs/report.pdf' },
    bytes: hex(`
      0000002e
      7b227479 7065223a 22676574 222c2269
      64223a34 2c227061 7468223a 22646f63
      732f7265 706f7274 2e706466 227d
    `),
  },
  {
    // 46 characters but 49 bytes: the length counts UTF-8 bytes, not characters.
    name: 'get with a non-ASCII path',
    message: { type: 'get', id: 5, path: 'caf\u00e9/r\u00e9sum\u00e9.txt' },
    bytes: hex(`
      00000031
      7b227479 7065223a 22676574 222c2269
      64223a35 2c227061 7468223a 22636166
      c3a92f72 c3a97375 6dc3a92e 74787422
      7d
    `),
  },
  {
    name: 'put',
    message: { type: 'put', id: 6, path: 'up.bin', size: 1048576 },
    bytes: hex(`
      00000034
      7b227479 7065223a 22707574 222c2269
      64223a36 2c227061 7468223a 2275702e
      62696e22 2c227369 7a65223a 31303438
      3537367d
    `),
  },
  {
    name: 'done without count (end of an upload)',
    message: { type: 'done', id: 6, size: 0, sha256: EMPTY_SHA256 },
    bytes: hex(`
      0000006b
      7b227479 7065223a 22646f6e 65222c22
      6964223a 362c2273 697a6522 3a302c22
      73686132 3536223a 22653362 30633434
      32393866 63316331 34396166 62663463
      38393936 66623932 34323761 65343165
      34363439 62393334 63613439 35393931
      62373835 32623835 35227d
    `),
  },
  {
    name: 'abort',
    message: { type: 'abort', id: 7 },
    bytes: hex(`
      00000017
      7b227479 7065223a 2261626f 7274222c
      22696422 3a377d
    `),
  },
  {
    name: 'quit',
    message: { type: 'quit', id: 8 },
    bytes: hex(`
      00000016
      7b227479 7065223a 22717569 74222c22
      6964223a 387d
    `),
  },
  {
    name: 'get resumed from an offset (§6.2)',
    message: { type: 'get', id: 8, path: 'big.iso', offset: 1048576, prefixSha256: EMPTY_SHA256 },
    bytes: hex(`
      00000089
      7b227479 7065223a 22676574 222c2269
      64223a38 2c227061 7468223a 22626967
      2e69736f 222c226f 66667365 74223a31
      30343835 37362c22 70726566 69785368
      61323536 223a2265 33623063 34343239
      38666331 63313439 61666266 34633839
      39366662 39323432 37616534 31653436
      34396239 33346361 34393539 39316237
      38353262 38353522 7d
    `),
  },
  {
    name: 'put with mtime, resumable (§6.3)',
    message: {
      type: 'put',
      id: 9,
      path: 'a.bin',
      size: 10,
      mtime: 1795636800000,
      resume: true,
      sha256: EMPTY_SHA256,
    },
    bytes: hex(`
      0000009e
      7b227479 7065223a 22707574 222c2269
      64223a39 2c227061 7468223a 22612e62
      696e222c 2273697a 65223a31 302c226d
      74696d65 223a3137 39353633 36383030
      3030302c 22726573 756d6522 3a747275
      652c2273 68613235 36223a22 65336230
      63343432 39386663 31633134 39616662
      66346338 39393666 62393234 32376165
      34316534 36343962 39333463 61343935
      39393162 37383532 62383535 227d
    `),
  },
  {
    name: 'stat (§6.6)',
    message: { type: 'stat', id: 10, path: 'docs' },
    bytes: hex(`
      00000025
      7b227479 7065223a 22737461 74222c22
      6964223a 31302c22 70617468 223a2264
      6f637322 7d
    `),
  },
  {
    name: 'mkdir (§6.6)',
    message: { type: 'mkdir', id: 11, path: 'new' },
    bytes: hex(`
      00000025
      7b227479 7065223a 226d6b64 6972222c
      22696422 3a31312c 22706174 68223a22
      6e657722 7d
    `),
  },
  {
    name: 'symlink (§6.9, feature links)',
    message: { type: 'symlink', id: 13, path: 'a/l', target: '../b' },
    bytes: hex(`
      00000037
      7b227479 7065223a 2273796d 6c696e6b
      222c2269 64223a31 332c2270 61746822
      3a22612f 6c222c22 74617267 6574223a
      222e2e2f 62227d
    `),
  },
  {
    name: 'rmdir (§6.6)',
    message: { type: 'rmdir', id: 12, path: 'old' },
    bytes: hex(`
      00000025
      7b227479 7065223a 22726d64 6972222c
      22696422 3a31322c 22706174 68223a22
      6f6c6422 7d
    `),
  },
  {
    name: 'delete (§6.6)',
    message: { type: 'delete', id: 13, path: 'x.txt' },
    bytes: hex(`
      00000028
      7b227479 7065223a 2264656c 65746522
      2c226964 223a3133 2c227061 7468223a
      22782e74 7874227d
    `),
  },
  {
    name: 'rename (§6.6)',
    message: { type: 'rename', id: 14, from: 'a', to: 'b/a' },
    bytes: hex(`
      0000002f
      7b227479 7065223a 2272656e 616d6522
      2c226964 223a3134 2c226672 6f6d223a
      2261222c 22746f22 3a22622f 61227d
    `),
  },
  {
    name: 'putmany (§6.7)',
    message: {
      type: 'putmany',
      id: 15,
      files: [
        { path: 'a.txt', size: 0, mtime: 1795636800000 },
        { path: 'b/c.txt', size: 4 },
      ],
    },
    bytes: hex(`
      00000070
      7b227479 7065223a 22707574 6d616e79
      222c2269 64223a31 352c2266 696c6573
      223a5b7b 22706174 68223a22 612e7478
      74222c22 73697a65 223a302c 226d7469
      6d65223a 31373935 36333638 30303030
      307d2c7b 22706174 68223a22 622f632e
      74787422 2c227369 7a65223a 347d5d7d
    `),
  },
  {
    name: 'getmany (§6.7)',
    message: { type: 'getmany', id: 16, paths: ['a.txt', 'b/c.txt'] },
    bytes: hex(`
      00000036
      7b227479 7065223a 22676574 6d616e79
      222c2269 64223a31 362c2270 61746873
      223a5b22 612e7478 74222c22 622f632e
      74787422 5d7d
    `),
  },
  {
    name: 'tree with digests (v1.2, §6.10)',
    message: { type: 'tree', id: 14, path: 'docs', digest: true },
    bytes: hex(`
      00000033 7b227479 7065223a 22747265
      65222c22 6964223a 31342c22 70617468
      223a2264 6f637322 2c226469 67657374
      223a7472 75657d
    `),
  },
  {
    name: 'done of a batch upload (§6.7)',
    message: {
      type: 'done',
      id: 15,
      size: 4,
      sha256: EMPTY_SHA256,
      files: [EMPTY_SHA256, EMPTY_SHA256],
    },
    bytes: hex(`
      000000fc
      7b227479 7065223a 22646f6e 65222c22
      6964223a 31352c22 73697a65 223a342c
      22736861 32353622 3a226533 62306334
      34323938 66633163 31343961 66626634
      63383939 36666239 32343237 61653431
      65343634 39623933 34636134 39353939
      31623738 35326238 3535222c 2266696c
      6573223a 5b226533 62306334 34323938
      66633163 31343961 66626634 63383939
      36666239 32343237 61653431 65343634
      39623933 34636134 39353939 31623738
      35326238 3535222c 22653362 30633434
      32393866 63316331 34396166 62663463
      38393936 66623932 34323761 65343165
      34363439 62393334 63613439 35393931
      62373835 32623835 35225d7d
    `),
  },
  {
    name: 'put with mode and exactMode (v1.1, §6.8)',
    message: { type: 'put', id: 17, path: 'id_ed25519', size: 411, mode: 0o600, exactMode: true },
    bytes: hex(`
      00000051 7b227479 7065223a 22707574
      222c2269 64223a31 372c2270 61746822
      3a226964 5f656432 35353139 222c2273
      697a6522 3a343131 2c226d6f 6465223a
      3338342c 22657861 63744d6f 6465223a
      74727565 7d
    `),
  },
  {
    name: 'putmany with modes (v1.1, §6.7, §6.8)',
    message: {
      type: 'putmany',
      id: 18,
      files: [{ path: 'a.sh', size: 3, mode: 0o755 }],
      exactMode: false,
    },
    bytes: hex(`
      0000005a 7b227479 7065223a 22707574
      6d616e79 222c2269 64223a31 382c2266
      696c6573 223a5b7b 22706174 68223a22
      612e7368 222c2273 697a6522 3a332c22
      6d6f6465 223a3439 337d5d2c 22657861
      63744d6f 6465223a 66616c73 657d
    `),
  },
];

const serverFixtures: Fixture[] = [
  {
    name: 'welcome',
    message: {
      type: 'welcome',
      id: 1,
      version: 1,
      features: ['sha256'],
      agent: 'cftp-server/0.1.0',
      maxFrameSize: 65536,
      maxInFlight: 16,
    },
    bytes: hex(`
      0000007d
      7b227479 7065223a 2277656c 636f6d65
      222c2269 64223a31 2c227665 7273696f
      6e223a31 2c226665 61747572 6573223a
      5b227368 61323536 225d2c22 6167656e
      74223a22 63667470 2d736572 7665722f
      302e312e 30222c22 6d617846 72616d65
      53697a65 223a3635 3533362c 226d6178
      496e466c 69676874 223a3136 7d
    `),
  },
  {
    name: 'ready with size (get)',
    message: { type: 'ready', id: 4, port: 40123, token: TOKEN, size: 48213 },
    bytes: hex(`
      0000007c
      7b227479 7065223a 22726561 6479222c
      22696422 3a342c22 706f7274 223a3430
      3132332c 22746f6b 656e223a 22396638
      36643038 31383834 63376436 35396132
      66656161 30633535 61643031 35613362
      66346631 62326230 62383232 63643135
      64366331 35623066 30306130 38222c22
      73697a65 223a3438 3231337d
    `),
  },
  {
    name: 'ready without size (put)',
    message: { type: 'ready', id: 6, port: 40124, token: TOKEN },
    bytes: hex(`
      0000006f
      7b227479 7065223a 22726561 6479222c
      22696422 3a362c22 706f7274 223a3430
      3132342c 22746f6b 656e223a 22396638
      36643038 31383834 63376436 35396132
      66656161 30633535 61643031 35613362
      66346631 62326230 62383232 63643135
      64366331 35623066 30306130 38227d
    `),
  },
  {
    name: 'done with count (end of a listing)',
    message: { type: 'done', id: 3, size: 142, sha256: EMPTY_SHA256, count: 2 },
    bytes: hex(`
      00000077
      7b227479 7065223a 22646f6e 65222c22
      6964223a 332c2273 697a6522 3a313432
      2c227368 61323536 223a2265 33623063
      34343239 38666331 63313439 61666266
      34633839 39366662 39323432 37616534
      31653436 34396239 33346361 34393539
      39316237 38353262 38353522 2c22636f
      756e7422 3a327d
    `),
  },
  {
    name: 'ok without size and sha256 (quit)',
    message: { type: 'ok', id: 8 },
    bytes: hex(`
      00000014
      7b227479 7065223a 226f6b22 2c226964
      223a387d
    `),
  },
  {
    name: 'ok with size and sha256 (put)',
    message: { type: 'ok', id: 6, size: 0, sha256: EMPTY_SHA256 },
    bytes: hex(`
      00000069
      7b227479 7065223a 226f6b22 2c226964
      223a362c 2273697a 65223a30 2c227368
      61323536 223a2265 33623063 34343239
      38666331 63313439 61666266 34633839
      39366662 39323432 37616534 31653436
      34396239 33346361 34393539 39316237
      38353262 38353522 7d
    `),
  },
  {
    name: 'error tied to a request',
    message: { type: 'error', id: 4, code: 'ENOENT', message: 'no such file: docs/report.pdf' },
    bytes: hex(`
      00000051
      7b227479 7065223a 22657272 6f72222c
      22696422 3a342c22 636f6465 223a2245
      4e4f454e 54222c22 6d657373 61676522
      3a226e6f 20737563 68206669 6c653a20
      646f6373 2f726570 6f72742e 70646622
      7d
    `),
  },
  {
    name: 'error with id null',
    message: { type: 'error', id: null, code: 'EPROTO', message: 'payload is not UTF-8 JSON' },
    bytes: hex(`
      00000050
      7b227479 7065223a 22657272 6f72222c
      22696422 3a6e756c 6c2c2263 6f646522
      3a224550 524f544f 222c226d 65737361
      6765223a 22706179 6c6f6164 20697320
      6e6f7420 5554462d 38204a53 4f4e227d
    `),
  },
  {
    name: 'ready for a resumed get (§6.2)',
    message: {
      type: 'ready',
      id: 8,
      port: 40000,
      token: TOKEN,
      size: 2097152,
      offset: 1048576,
      mtime: 1795636800000,
    },
    bytes: hex(`
      000000a5
      7b227479 7065223a 22726561 6479222c
      22696422 3a382c22 706f7274 223a3430
      3030302c 22746f6b 656e223a 22396638
      36643038 31383834 63376436 35396132
      66656161 30633535 61643031 35613362
      66346631 62326230 62383232 63643135
      64366331 35623066 30306130 38222c22
      73697a65 223a3230 39373135 322c226f
      66667365 74223a31 30343835 37362c22
      6d74696d 65223a31 37393536 33363830
      30303030 7d
    `),
  },
  {
    name: 'ready for a resumed put (§6.3)',
    message: {
      type: 'ready',
      id: 9,
      port: 40001,
      token: TOKEN,
      offset: 4,
      prefixSha256: EMPTY_SHA256,
    },
    bytes: hex(`
      000000cc
      7b227479 7065223a 22726561 6479222c
      22696422 3a392c22 706f7274 223a3430
      3030312c 22746f6b 656e223a 22396638
      36643038 31383834 63376436 35396132
      66656161 30633535 61643031 35613362
      66346631 62326230 62383232 63643135
      64366331 35623066 30306130 38222c22
      6f666673 6574223a 342c2270 72656669
      78536861 32353622 3a226533 62306334
      34323938 66633163 31343961 66626634
      63383939 36666239 32343237 61653431
      65343634 39623933 34636134 39353939
      31623738 35326238 3535227d
    `),
  },
  {
    name: 'ok with an entry (stat, §6.6)',
    message: {
      type: 'ok',
      id: 10,
      entry: { name: 'docs', type: 'dir', size: 0, mtime: 1795636700000 },
    },
    bytes: hex(`
      00000059
      7b227479 7065223a 226f6b22 2c226964
      223a3130 2c22656e 74727922 3a7b226e
      616d6522 3a22646f 6373222c 22747970
      65223a22 64697222 2c227369 7a65223a
      302c226d 74696d65 223a3137 39353633
      36373030 3030307d 7d
    `),
  },
  {
    name: 'ready for getmany (§6.7)',
    message: {
      type: 'ready',
      id: 16,
      port: 40002,
      token: TOKEN,
      files: [
        { size: 0, mtime: 1 },
        { size: 4, mtime: 2 },
      ],
    },
    bytes: hex(`
      000000a4
      7b227479 7065223a 22726561 6479222c
      22696422 3a31362c 22706f72 74223a34
      30303032 2c22746f 6b656e22 3a223966
      38366430 38313838 34633764 36353961
      32666561 61306335 35616430 31356133
      62663466 31623262 30623832 32636431
      35643663 31356230 66303061 3038222c
      2266696c 6573223a 5b7b2273 697a6522
      3a302c22 6d74696d 65223a31 7d2c7b22
      73697a65 223a342c 226d7469 6d65223a
      327d5d7d
    `),
  },
  {
    name: 'ok of a batch upload (§6.7)',
    message: { type: 'ok', id: 15, size: 4, sha256: EMPTY_SHA256, count: 2 },
    bytes: hex(`
      00000074
      7b227479 7065223a 226f6b22 2c226964
      223a3135 2c227369 7a65223a 342c2273
      68613235 36223a22 65336230 63343432
      39386663 31633134 39616662 66346338
      39393666 62393234 32376165 34316534
      36343962 39333463 61343935 39393162
      37383532 62383535 222c2263 6f756e74
      223a327d
    `),
  },
  {
    name: 'ready with mode (get, v1.1, §6.8)',
    message: {
      type: 'ready',
      id: 19,
      port: 40003,
      token: TOKEN,
      size: 411,
      offset: 0,
      mtime: 1795636800000,
      mode: 0o600,
    },
    bytes: hex(`
      000000a7 7b227479 7065223a 22726561
      6479222c 22696422 3a31392c 22706f72
      74223a34 30303033 2c22746f 6b656e22
      3a223966 38366430 38313838 34633764
      36353961 32666561 61306335 35616430
      31356133 62663466 31623262 30623832
      32636431 35643663 31356230 66303061
      3038222c 2273697a 65223a34 31312c22
      6f666673 6574223a 302c226d 74696d65
      223a3137 39353633 36383030 3030302c
      226d6f64 65223a33 38347d
    `),
  },
  {
    name: 'ready for getmany with modes (v1.1, §6.7, §6.8)',
    message: {
      type: 'ready',
      id: 20,
      port: 40004,
      token: TOKEN,
      files: [{ size: 3, mtime: 1, mode: 0o777 }],
    },
    bytes: hex(`
      0000009a 7b227479 7065223a 22726561
      6479222c 22696422 3a32302c 22706f72
      74223a34 30303034 2c22746f 6b656e22
      3a223966 38366430 38313838 34633764
      36353961 32666561 61306335 35616430
      31356133 62663466 31623262 30623832
      32636431 35643663 31356230 66303061
      3038222c 2266696c 6573223a 5b7b2273
      697a6522 3a332c22 6d74696d 65223a31
      2c226d6f 6465223a 3531317d 5d7d
    `),
  },
  {
    name: 'done of a listing with skipped names (v1.1, §6.1)',
    message: { type: 'done', id: 21, size: 0, sha256: EMPTY_SHA256, count: 0, skipped: 3 },
    bytes: hex(`
      00000082 7b227479 7065223a 22646f6e
      65222c22 6964223a 32312c22 73697a65
      223a302c 22736861 32353622 3a226533
      62306334 34323938 66633163 31343961
      66626634 63383939 36666239 32343237
      61653431 65343634 39623933 34636134
      39353939 31623738 35326238 3535222c
      22636f75 6e74223a 302c2273 6b697070
      6564223a 337d
    `),
  },
  {
    name: 'ok with an entry and its mode (stat, v1.1, §6.8)',
    message: {
      type: 'ok',
      id: 22,
      entry: { name: 'bin', type: 'dir', size: 0, mtime: 1, mode: 0 },
    },
    bytes: hex(`
      00000055 7b227479 7065223a 226f6b22
      2c226964 223a3232 2c22656e 74727922
      3a7b226e 616d6522 3a226269 6e222c22
      74797065 223a2264 6972222c 2273697a
      65223a30 2c226d74 696d6522 3a312c22
      6d6f6465 223a307d 7d
    `),
  },
  {
    name: 'error refusing a duplicate id (v1.1, §3.3)',
    message: {
      type: 'error',
      id: null,
      code: 'EPROTO',
      message: 'request id 5 is already in flight',
      refusedId: 5,
    },
    bytes: hex(`
      00000066 7b227479 7065223a 22657272
      6f72222c 22696422 3a6e756c 6c2c2263
      6f646522 3a224550 524f544f 222c226d
      65737361 6765223a 22726571 75657374
      20696420 35206973 20616c72 65616479
      20696e20 666c6967 6874222c 22726566
      75736564 4964223a 357d
    `),
  },
];

function checkBothDirections(fixtures: readonly Fixture[]): void {
  it.each(fixtures)('$name encodes to its bytes', ({ message, bytes }) => {
    expect(encodeMessage(message)).toEqual(bytes);
  });
  it.each(fixtures)('$name decodes from its bytes', ({ message, bytes }) => {
    expect(new MessageDecoder().push(bytes)).toStrictEqual([{ ok: true, message }]);
  });
}

describe('docs/protocol.md §2, §3.1: client → server frames', () => {
  checkBothDirections(clientFixtures);
});

describe('docs/protocol.md §2, §3.2: server → client frames', () => {
  checkBothDirections(serverFixtures);
});

describe('docs/protocol.md §3: fixture coverage', () => {
  it('has a fixture for every message type in src/messages.ts', () => {
    const covered = new Set([...clientFixtures, ...serverFixtures].map((f) => f.message.type));
    expect([...covered].sort()).toEqual(Object.keys(messageSchemas).sort());
  });

  it('declares in every length header the byte length of its payload', () => {
    for (const { bytes } of [...clientFixtures, ...serverFixtures]) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      expect(view.getUint32(0)).toBe(bytes.byteLength - 4);
    }
  });
});
