// A/B of two built checkouts of CFTP on one machine, in one run (issue 12): LIST of a big
// folder and many small files each way, with each tree's own `cftp server` (TLS) and its own
// bench workers (@cftp/client), the trees alternating within every round. Prints medians of
// the figure (ms per listing, files/s) and of CPU-seconds per operation on each side: the
// server's from /proc/PID/stat around the work, the client's from its own resourceUsage. On a
// loaded machine, read the CPU columns.
//   node apps/bench/scripts/ab-trees.mjs BASE_TREE NEW_TREE [rounds=5] [entries=10000] [files=1000]
// BASE_TREE, NEW_TREE: repository roots with `turbo run build` done (e.g. a copy of main).
import { execFileSync, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [baseTree, newTree, roundsArg, entriesArg, filesArg] = process.argv.slice(2);
if (baseTree === undefined || newTree === undefined) {
  console.error('usage: node ab-trees.mjs BASE_TREE NEW_TREE [rounds] [entries] [files]');
  process.exit(2);
}
const trees = { base: resolve(baseTree), new: resolve(newTree) };
const rounds = Number(roundsArg ?? 5);
const entries = Number(entriesArg ?? 10_000);
const files = Number(filesArg ?? 1000);
const work = mkdtempSync(join(tmpdir(), 'cftp-ab-'));
const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString());

function smallFileName(i) {
  return `f${String(i).padStart(5, '0')}.bin`;
}

function serverCpu(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

async function startServer(tree, root, state) {
  const child = spawn(
    process.execPath,
    [
      join(tree, 'apps/cli/dist/main.js'),
      'server',
      '0',
      '--root',
      root,
      '--host',
      '127.0.0.1',
      '--state',
      state,
      '--quiet',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  const port = await new Promise((ok, fail) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /:(\d+), root/.exec(out);
      if (m) ok(Number(m[1]));
    });
    child.on('exit', () => fail(new Error(`server exited: ${out}`)));
  });
  const der = new X509Certificate(readFileSync(join(state, 'server-cert.pem'))).raw;
  const fingerprint = `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
  return { child, port, fingerprint };
}

function worker(tree, name, args) {
  const out = execFileSync(
    process.execPath,
    [join(tree, `apps/bench/dist/workers/${name}.js`), JSON.stringify(args)],
    { maxBuffer: 1 << 26 },
  );
  return JSON.parse(out.toString().trim().split('\n').at(-1));
}

const root = join(work, 'root');
mkdirSync(join(root, 'big'), { recursive: true });
mkdirSync(join(root, 'small'), { recursive: true });
for (let i = 0; i < entries; i++) writeFileSync(join(root, 'big', `entry-${i}.txt`), 'x');
const local = join(work, 'local');
mkdirSync(local);
const payload = Buffer.alloc(4096, 7);
for (let i = 0; i < files; i++) writeFileSync(join(local, smallFileName(i)), payload);

const samples = [];
const listRuns = 10;
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['base', 'new'] : ['new', 'base'];
  for (const variant of order) {
    const tree = trees[variant];
    const state = join(work, `state-${variant}`);
    const server = await startServer(tree, root, state);
    const target = { host: '127.0.0.1', port: server.port, fingerprint: server.fingerprint };
    try {
      let before = serverCpu(server.child.pid);
      const listed = worker(tree, 'cftp-latency', {
        ...target,
        mode: 'list',
        path: 'big',
        runs: listRuns,
        warmup: 2,
      });
      let after = serverCpu(server.child.pid);
      const sorted = [...listed.samplesMs].sort((a, b) => a - b);
      samples.push({
        variant,
        what: 'list',
        figure: sorted[Math.floor(sorted.length / 2)],
        serverCpu: (after - before) / (listRuns + 2),
        clientCpu: listed.usage.cpuSeconds / (listRuns + 2),
      });
      for (const mode of ['put', 'get']) {
        const got = join(work, 'got');
        rmSync(got, { recursive: true, force: true });
        mkdirSync(got);
        before = serverCpu(server.child.pid);
        const moved = worker(tree, 'cftp-many-files', {
          ...target,
          mode,
          count: files,
          localDir: mode === 'put' ? local : got,
          remoteDir: 'small',
          concurrency: 8,
          strategy: 'auto',
        });
        after = serverCpu(server.child.pid);
        if (moved.errors > 0) throw new Error(`${variant} ${mode}: ${moved.firstError}`);
        samples.push({
          variant,
          what: `${mode}-many`,
          figure: (moved.files / moved.ms) * 1000,
          serverCpu: after - before,
          clientCpu: moved.usage.cpuSeconds,
        });
      }
      rmSync(join(work, 'got'), { recursive: true, force: true });
    } finally {
      server.child.kill();
    }
    execFileSync('sync');
  }
}
rmSync(work, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(
  `${rounds} rounds; list ${entries} entries (ms, CPU-s per listing); ${files} × 4 KiB (files/s, CPU-s per run); load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
);
console.log('| what | tree | figure | server CPU-s | client CPU-s |');
console.log('| --- | --- | ---: | ---: | ---: |');
for (const what of ['list', 'put-many', 'get-many']) {
  for (const variant of ['base', 'new']) {
    const rows = samples.filter((s) => s.what === what && s.variant === variant);
    const m = (k) => median(rows.map((r) => r[k]));
    console.log(
      `| ${what} | ${variant} | ${m('figure').toFixed(1)} | ${m('serverCpu').toFixed(4)} | ${m('clientCpu').toFixed(4)} |`,
    );
  }
}
