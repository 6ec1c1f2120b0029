// Throughput of a 1 GiB put and get, TLS against plaintext, in the same run (issue #8).
// Engines in one process over loopback; the key and certificate are made with openssl-free
// @peculiar/x509 through the CLI's identity module (built apps/cli).
// Run: cd apps/e2e && node bench/tls-throughput.mjs [MiB]   (default 1024)

import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@cftp/client';
import { createServer } from '@cftp/server';
import { loadOrCreateIdentity } from '../../cli/dist/identity.js';

const MiB = 1024 * 1024;
const size = Number(process.argv[2] ?? 1024) * MiB;
const work = await mkdtemp(join(tmpdir(), 'cftp-tls-bench-'));
const root = join(work, 'root');
const local = join(work, 'local');
await mkdir(root);
await mkdir(local);

// One random 16 MiB block repeated: random enough for TLS, cheap to make.
const block = randomBytes(16 * MiB);
await new Promise((resolve, reject) => {
  const out = createWriteStream(join(local, 'big.bin'));
  out.on('error', reject);
  let written = 0;
  const more = () => {
    while (written < size) {
      written += block.byteLength;
      if (!out.write(block)) return out.once('drain', more);
    }
    out.end(resolve);
  };
  more();
});

const identity = await loadOrCreateIdentity(join(work, 'state'));
const rows = [];
for (const mode of ['plaintext', 'tls', 'plaintext', 'tls']) {
  const server = createServer({
    root,
    host: '127.0.0.1',
    ...(mode === 'tls' ? { tls: { key: identity.key, cert: identity.cert } } : {}),
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const client = await connect({
    host: '127.0.0.1',
    port,
    ...(mode === 'tls' ? { tls: { fingerprint: identity.fingerprint } } : {}),
  });
  const put = await client.put(join(local, 'big.bin'), 'big.bin');
  const get = await client.get('big.bin', join(local, 'back.bin'));
  if (get.sha256 !== put.sha256 || (await stat(join(local, 'back.bin'))).size !== size) {
    throw new Error('round trip mismatch');
  }
  await client.quit();
  await server.close();
  await rm(join(root, 'big.bin'));
  await rm(join(local, 'back.bin'));
  const rate = (ms) => (size / MiB / (ms / 1000)).toFixed(0);
  rows.push({ mode, putMiBs: rate(put.durationMs), getMiBs: rate(get.durationMs) });
  console.log(
    `${mode.padEnd(9)} put ${rate(put.durationMs)} MiB/s  get ${rate(get.durationMs)} MiB/s`,
  );
}
await rm(work, { recursive: true, force: true });
