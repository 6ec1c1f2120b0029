// A/B of the server's receive path for uploads (issue 12): per sample, a fresh receiver
// process accepts one connection as a server does (a plain accepted socket, or TLS over it)
// and writes it to a file with BLAKE3 through FileReceiver; this process sends from memory.
// Variants alternate within every round; medians of receiver CPU-seconds per GiB (user +
// system, process.cpuUsage) and MiB/s are printed.
//   node apps/bench/scripts/ab-receive-server.mjs [MiB=256] [rounds=5] [variant,...]
// Variants: `events` (receiveEvents: a Buffer per read copied into the blocks, with a minor
// GC every 4 MiB as the server ran it before readInto), `direct` (receiveSocket: reads land
// in the blocks); `+plain` for no TLS, e.g. `events+plain,direct+plain`. Needs openssl and a
// build (turbo run build). Writes to the system temp folder and removes its files.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const transfer = new URL('../../../packages/transfer/dist/index.js', import.meta.url);
const { createDigest, FileReceiver, FileSink } = await import(transfer.href);
const MiB = 1024 * 1024;

async function child(variant, bytes, dest, key, cert) {
  const [path, transport] = variant.split('+');
  const plain = transport === 'plain';
  let collect;
  if (path === 'events') {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc');
    collect = () => gc({ type: 'minor' });
  } else if (path !== 'direct') throw new Error(`unknown variant ${variant}`);
  const context = plain
    ? undefined
    : tls.createSecureContext({ key: readFileSync(key), cert: readFileSync(cert) });
  const listener = net.createServer({ pauseOnConnect: true });
  await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${listener.address().port}\n`);
  const [accepted] = await new Promise((resolve) =>
    listener.once('connection', (...args) => resolve(args)),
  );
  listener.close();
  let socket = accepted;
  if (!plain) {
    socket = new tls.TLSSocket(accepted, { isServer: true, secureContext: context });
    accepted.resume();
    await new Promise((resolve) => socket.once('secure', resolve));
  }
  const digest = createDigest('blake3');
  let since = 0;
  const receiver = new FileReceiver(new FileSink(await open(dest, 'w')), {
    limit: Number.MAX_SAFE_INTEGER,
    tooMuch: () => new Error('too much'),
    observe: (block) => {
      digest.update(block);
      since += block.byteLength;
      if (collect !== undefined && since >= 4 * MiB) {
        since = 0;
        collect();
      }
    },
  });
  const never = new AbortController().signal;
  const before = process.cpuUsage();
  const started = performance.now();
  const received =
    path === 'direct'
      ? await receiver.receiveSocket(socket, never)
      : await receiver.receiveEvents(socket, never);
  digest.hex();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(before);
  if (received !== bytes) throw new Error(`received ${received} of ${bytes}`);
  if (path === 'direct' && !receiver.direct) throw new Error('readInto did not take the socket');
  rmSync(dest);
  process.stdout.write(`${JSON.stringify({ ms, cpuS: (cpu.user + cpu.system) / 1e6 })}\n`);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function sample(variant, bytes, block, dir, key, cert) {
  const proc = spawn(
    process.execPath,
    [
      new URL(import.meta.url).pathname,
      'child',
      variant,
      String(bytes),
      join(dir, 'r.bin'),
      key,
      cert,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let text = '';
  const port = await new Promise((resolve) => {
    proc.stdout.on('data', (chunk) => {
      const before = text;
      text += chunk;
      if (!before.includes('\n') && text.includes('\n')) resolve(Number(text.split('\n')[0]));
    });
  });
  const exited = new Promise((resolve, reject) =>
    proc.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${variant} exited ${code}`)),
    ),
  );
  const plain = variant.endsWith('+plain');
  const socket = plain
    ? net.connect(port, '127.0.0.1')
    : tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once(plain ? 'connect' : 'secureConnect', resolve));
  let sent = 0;
  const pump = () => {
    while (sent < bytes) {
      sent += block.byteLength;
      if (!socket.write(block)) return void socket.once('drain', pump);
    }
    socket.end();
  };
  pump();
  await exited;
  execFileSync('sync');
  return JSON.parse(text.split('\n')[1]);
}

async function parent(mib, rounds, variants) {
  const dir = mkdtempSync(join(tmpdir(), 'cftp-ab-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=ab',
      ]),
      { stdio: 'ignore' },
    );
    const bytes = mib * MiB;
    const block = randomBytes(MiB);
    const samples = Object.fromEntries(variants.map((v) => [v, []]));
    for (let round = 0; round < rounds; round++) {
      // Alternate the order so that neither variant always runs first.
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        samples[variant].push(await sample(variant, bytes, block, dir, key, cert));
      }
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`${mib} MiB x ${rounds} rounds, server-side receiver to a file; load ${load}`);
    console.log('variant          CPU-s/GiB (median, min-max)    MiB/s (median)');
    for (const variant of variants) {
      const cpu = samples[variant].map((s) => (s.cpuS * 1024) / mib);
      const rate = samples[variant].map((s) => mib / (s.ms / 1000));
      const range = `${Math.min(...cpu).toFixed(2)}-${Math.max(...cpu).toFixed(2)}`;
      console.log(
        `${variant.padEnd(16)} ${median(cpu).toFixed(2)} (${range})`.padEnd(48) +
          median(rate).toFixed(0),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'child') await child(args[0], Number(args[1]), args[2], args[3], args[4]);
else {
  const variants = (args[1] ?? 'events,direct').split(',');
  await parent(Number(mode ?? 256), Number(args[0] ?? 5), variants);
}
