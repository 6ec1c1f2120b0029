// Measures many small files through the built `cftp` command (run `turbo run build` first):
// N files of S bytes uploaded (a) by N sequential `put` commands, (b) by `put -r` of their
// folder, (c) by `mput *`, and downloaded (d) by N sequential `get`s and (e) by `get -r`.
// Prints files/s for each. A measurement, not a test: it asserts nothing.
//
//   node apps/cli/scripts/small-files.ts [count=1000] [bytes=4096]
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const count = Number(process.argv[2] ?? 1000);
const size = Number(process.argv[3] ?? 4096);

function run(args: string[], cwd: string, input = ''): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdin.end(input);
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`cftp ${args.join(' ')}: exit ${code} ${stderr}`)),
    );
  });
}

async function startServer(root: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [CLI, 'server', '0', '--root', root, '--host', '127.0.0.1', '--quiet'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve) => lines.once('line', resolve));
  const port = Number(/:(\d+),/.exec(line)?.[1]);
  return { port, child };
}

async function measure(label: string, what: () => Promise<void>): Promise<void> {
  const started = performance.now();
  await what();
  const seconds = (performance.now() - started) / 1000;
  const line = `${label.padEnd(44)} ${seconds.toFixed(2).padStart(7)} s  ${Math.round(
    count / seconds,
  )
    .toString()
    .padStart(6)} files/s`;
  process.stdout.write(`${line}\n`);
}

const base = await mkdtemp(join(tmpdir(), 'cftp-small-files-'));
try {
  const root = join(base, 'root');
  const files = join(base, 'files');
  await mkdir(root);
  await mkdir(files);
  const names = Array.from({ length: count }, (_, i) => `f${String(i).padStart(5, '0')}.bin`);
  for (const name of names) await writeFile(join(files, name), randomBytes(size));
  const server = await startServer(root);
  const client = ['client', '127.0.0.1', String(server.port)];
  process.stdout.write(`${count} files of ${size} bytes, one client session each way:\n`);

  await measure(`(a) ${count} sequential put commands`, async () => {
    await run([...client, '-c', 'mkdir seq'], base);
    await run(client, files, `cd seq\n${names.map((n) => `put ${n}`).join('\n')}\n`);
  });
  await measure('(b) put -r files', () => run([...client, '-c', 'put -r files'], base));
  await measure('(c) mput *', () => run([...client, '-c', 'mkdir m; cd m; mput *'], files));

  const down = join(base, 'down');
  await mkdir(down);
  await measure(`(d) ${count} sequential get commands`, () =>
    run(client, down, `cd files\n${names.map((n) => `get ${n}`).join('\n')}\n`),
  );
  await measure('(e) get -r files', () => run([...client, '-c', 'get -r files tree'], down));
  const got = await readdir(join(down, 'tree'));
  if (got.length !== count) throw new Error(`get -r brought ${got.length} files, not ${count}`);
  server.child.kill('SIGTERM');
} finally {
  await rm(base, { recursive: true, force: true });
}
