// A/B of the receive path on a loaded machine (issue 12): one TLS sender (this process, from
// memory) and, per sample, a fresh receiver process running one variant; variants alternate
// within every round, and the medians of receiver CPU-seconds per GiB (user + system, from
// process.cpuUsage: less load-sensitive than MiB/s) and MiB/s are printed.
//   node apps/bench/scripts/ab-receive.mjs [MiB=512] [rounds=5] [variant,variant,...]
// Variants: pipeline-sha256, pipeline-blake3: pipeline(socket, Transform, FileSink), the
// client's and server's receive path, with either digest. (receiver-* measured receiveFile,
// a stream-free receiver, in commit 0ee16ba; it did not win the A/B and was dropped, see
// docs/performance.md.) Needs openssl and a build (turbo run build). Writes to the system
// temp folder and removes its files.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { connect, createServer } from 'node:tls';

const transfer = new URL('../../../packages/transfer/dist/index.js', import.meta.url);
const { createDigest, FileSink } = await import(transfer.href);
const MiB = 1024 * 1024;

async function child(variant, port, bytes, dest) {
  const [path, algorithm] = variant.split('-');
  const digest = createDigest(algorithm);
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await new Promise((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const handle = await open(dest, 'w');
  const before = process.cpuUsage();
  const started = performance.now();
  let count = 0;
  if (path !== 'pipeline') throw new Error(`unknown variant ${variant}`);
  const meter = new Transform({
    transform(chunk, _encoding, callback) {
      count += chunk.byteLength;
      digest.update(chunk);
      callback(null, chunk);
    },
  });
  await pipeline(socket, meter, new FileSink(handle));
  digest.hex();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(before);
  if (count !== bytes) throw new Error(`received ${count} of ${bytes}`);
  rmSync(dest);
  process.stdout.write(`${JSON.stringify({ ms, cpuS: (cpu.user + cpu.system) / 1e6 })}\n`);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function parent(mib, rounds, variants) {
  const dir = mkdtempSync(join(tmpdir(), 'cftp-ab-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=ab',
      ],
      { stdio: 'ignore' },
    );
    const bytes = mib * MiB;
    const block = randomBytes(MiB);
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (socket) => {
      socket.on('error', () => {});
      let sent = 0;
      const pump = () => {
        while (sent < bytes) {
          sent += block.byteLength;
          if (!socket.write(block)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    const samples = Object.fromEntries(variants.map((v) => [v, []]));
    for (let round = 0; round < rounds; round++) {
      // Alternate the order so that neither variant always runs first.
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        const out = await new Promise((resolve, reject) => {
          const proc = spawn(
            process.execPath,
            [
              ...process.execArgv,
              new URL(import.meta.url).pathname,
              'child',
              variant,
              String(port),
              String(bytes),
              join(dir, `${variant}.bin`),
            ],
            {
              stdio: ['ignore', 'pipe', 'inherit'],
            },
          );
          let text = '';
          proc.stdout.on('data', (c) => (text += c));
          proc.on('close', (code) =>
            code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`${variant} exited ${code}`)),
          );
        });
        samples[variant].push(out);
      }
    }
    server.close();
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`${mib} MiB x ${rounds} rounds, TLS, receiver to a file; load ${load}`);
    console.log('variant            CPU-s/GiB (median, min-max)      MiB/s (median)');
    for (const variant of variants) {
      const cpu = samples[variant].map((s) => (s.cpuS * 1024) / mib);
      const rate = samples[variant].map((s) => mib / (s.ms / 1000));
      console.log(
        `${variant.padEnd(18)} ${median(cpu).toFixed(2)} (${Math.min(...cpu).toFixed(2)}-${Math.max(...cpu).toFixed(2)})`.padEnd(
          52,
        ) + median(rate).toFixed(0),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'child') await child(args[0], Number(args[1]), Number(args[2]), args[3]);
else {
  const variants = (args[1] ?? 'pipeline-sha256,pipeline-blake3').split(',');
  await parent(Number(mode ?? 512), Number(args[0] ?? 5), variants);
}
