// The packed install (issue 15 §3): `scripts/pack.sh` packs every publishable package, npm
// installs the tarballs into an empty folder, and the installed code runs there, on the
// pinned Node 24 and on the oldest Node line that `engines` claims (scripts/oldest-node.sh):
// a program using @cftp/server and @cftp/client over TLS, `npx cftp --version`, and an
// installed `cftp get` from an installed `cftp server`. Nothing here imports the workspace.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CONSUMER = fileURLToPath(new URL('fixtures/library-consumer.mjs', import.meta.url));

/** Guards against a hung process, not waits: npm install may take a minute on a busy machine. */
const INSTALL_MS = 360_000;
const RUN_MS = 60_000;
// Every step spawns npm, tsc, npx or cftp: give each test room for a machine at 4x load.
vi.setConfig({ testTimeout: 4 * RUN_MS });

interface Done {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; rejects only when it outlives `deadlineMs`. */
function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; deadlineMs?: number },
): Promise<Done> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${command} ${args.join(' ')}: still running after ${options.deadlineMs} ms`),
      );
    }, options.deadlineMs ?? RUN_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function expectSuccess(done: Done, what: string): string {
  if (done.code !== 0) {
    throw new Error(`${what} exited ${done.code}\nstdout: ${done.stdout}\nstderr: ${done.stderr}`);
  }
  return done.stdout;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

let work: string;
let tarballs: string[];
let oldestNode: string;
/** A Node older than `engines` allows (Node 20, scripts/oldest-node.sh --unsupported). */
let unsupportedNode: string;
const version = JSON.parse(await readFile(join(REPO, 'apps/cli/package.json'), 'utf8')) as {
  version: string;
  engines: { node: string };
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cftp-package-'));
  const env = { ...process.env };
  // The same script as `npm run pack`; the suite has just built, so no second build here.
  const packs = join(work, 'tarballs');
  expectSuccess(
    await run('bash', ['scripts/pack.sh', '--no-build', '--out', packs], {
      cwd: REPO,
      env,
      deadlineMs: INSTALL_MS,
    }),
    'scripts/pack.sh',
  );
  tarballs = (await readdir(packs)).map((name) => join(packs, name)).sort();
  oldestNode = expectSuccess(
    await run('bash', ['scripts/oldest-node.sh'], { cwd: REPO, env, deadlineMs: INSTALL_MS }),
    'scripts/oldest-node.sh',
  ).trim();
  unsupportedNode = expectSuccess(
    await run('bash', ['scripts/oldest-node.sh', '--unsupported'], { cwd: REPO, env }),
    'scripts/oldest-node.sh --unsupported',
  ).trim();
}, 2 * INSTALL_MS);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('npm run pack', () => {
  it('writes the CLI as `cftp` and the libraries, each with README, LICENSE, types and real ranges', async () => {
    const names = tarballs.map((file) => file.slice(file.lastIndexOf('/') + 1));
    expect(names).toEqual(
      expect.arrayContaining([
        `cftp-${version.version}.tgz`,
        `cftp-protocol-${version.version}.tgz`,
        `cftp-server-${version.version}.tgz`,
        `cftp-client-${version.version}.tgz`,
        `cftp-tui-${version.version}.tgz`,
        `cftp-transfer-${version.version}.tgz`,
      ]),
    );
    for (const tarball of tarballs) {
      const list = expectSuccess(
        await run('tar', ['-tzf', tarball], { cwd: work, env: process.env }),
        'tar -t',
      )
        .split('\n')
        .filter((line) => line !== '');
      expect(list).toEqual(
        expect.arrayContaining(['package/README.md', 'package/LICENSE', 'package/package.json']),
      );
      // Only built files besides those three: no sources, tests, maps or build info.
      const others = list.filter(
        (f) => !['package/README.md', 'package/LICENSE', 'package/package.json'].includes(f),
      );
      expect(
        others.every((f) => f.startsWith('package/dist/') && /\.(js|d\.ts)$/.test(f)),
        others.join(' '),
      ).toBe(true);
      const manifest = JSON.parse(
        expectSuccess(
          await run('tar', ['-xzOf', tarball, 'package/package.json'], {
            cwd: work,
            env: process.env,
          }),
          'tar -x',
        ),
      ) as Record<string, unknown> & { dependencies?: Record<string, string> };
      expect(manifest.private, tarball).toBeUndefined();
      expect(manifest.license).toBe('MIT');
      expect(manifest.engines).toEqual({ node: '>=22.12.0' });
      expect(manifest.repository).toMatchObject({ type: 'git' });
      for (const range of Object.values(manifest.dependencies ?? {})) {
        expect(range).not.toMatch(/^workspace:/);
      }
      if (manifest.name === 'cftp') {
        expect(manifest.bin).toEqual({ cftp: './dist/main.js' });
        expect(manifest.dependencies?.['@cftp/client']).toBe(`^${version.version}`);
      } else {
        expect(manifest.types).toBe('./dist/index.d.ts');
        expect(manifest.exports).toMatchObject({
          '.': { types: './dist/index.d.ts', default: './dist/index.js' },
        });
        expect(list).toContain('package/dist/index.d.ts');
      }
    }
  });
});

/** Each supported Node line: the pinned one this suite runs on, and the oldest in `engines`. */
const LINES = [
  { name: 'the pinned Node 24', major: 24, node: () => process.execPath },
  { name: 'the oldest supported Node (22.12)', major: 22, node: () => oldestNode },
];

describe.each(LINES)('installed with npm, on $name', ({ major, node }) => {
  let folder: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    folder = await mkdtemp(join(work, `install-${major}-`));
    await writeFile(
      join(folder, 'package.json'),
      `${JSON.stringify({ name: 'cftp-install-check', private: true, type: 'module' })}\n`,
    );
    // That Node first on PATH: npm runs on it (so --engine-strict judges every package's
    // engines against it), and so does the `#!/usr/bin/env node` of the installed `cftp`.
    env = {
      ...process.env,
      PATH: `${dirname(node())}${delimiter}${process.env.PATH ?? ''}`,
      HOME: folder,
      XDG_CONFIG_HOME: join(folder, '.config'),
      npm_config_update_notifier: 'false',
    };
    delete env.CI;
    expect(
      expectSuccess(await run('node', ['--version'], { cwd: folder, env }), 'node --version'),
    ).toMatch(new RegExp(`^v${major}\\.`));
    expectSuccess(
      await run(
        'npm',
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          '--engine-strict',
          '--loglevel=error',
          ...tarballs,
        ],
        { cwd: folder, env: { ...env, HOME: process.env.HOME }, deadlineMs: INSTALL_MS },
      ),
      'npm install',
    );
  }, 2 * INSTALL_MS);

  it('installed the packed libraries, not namesakes from the registry', async () => {
    for (const name of ['protocol', 'transfer', 'server', 'client', 'tui']) {
      const manifest = JSON.parse(
        await readFile(join(folder, 'node_modules/@cftp', name, 'package.json'), 'utf8'),
      ) as { version: string; repository: { directory: string } };
      expect(manifest).toMatchObject({
        version: version.version,
        repository: { directory: `packages/${name}` },
      });
    }
  });

  // The installed files are the same on every line, and tsc runs on the pinned Node: checking
  // the types once is enough.
  if (major === 24) {
    it('the libraries type-check in a strict TypeScript program that imports them (types from the exports map)', async () => {
      // The README examples of @cftp/server and @cftp/client, against the installed .d.ts files,
      // with every declaration file checked too (skipLibCheck off, TypeScript's default).
      const typed = [
        "import { connect, type TransferResult } from '@cftp/client';",
        "import { CftpError } from '@cftp/protocol';",
        "import { createServer } from '@cftp/server';",
        "const server = createServer({ root: '.', host: '127.0.0.1', tls: { key: 'k', cert: 'c' } });",
        'const { port }: { port: number } = await server.listen(0);',
        "server.on('operation', (e) => console.log(e.operation, e.path, e.outcome));",
        "const client = await connect({ host: '127.0.0.1', port, tls: { fingerprint: 'SHA256:x' } });",
        "const result: TransferResult = await client.get('a', './a', { onProgress: (p) => console.log(p.bytes) });",
        "const code: string = new CftpError('ENOENT', 'gone').code;",
        'console.log(result.digest, result.algorithm, code);',
        '// @ts-expect-error: not in the public API; proves that the real types were read',
        'await client.noSuchMethod();',
        'export {};',
      ];
      // @cftp/tui's types name Ink's, whose own .d.ts need @types/react: the package depends on it,
      // so a program type-checks the installed TUI with every declaration file checked too.
      const typedTui = [
        "import { runTui } from '@cftp/tui';",
        "const exit: Promise<number> = runTui({ host: '127.0.0.1', port: 2121 });",
        '// @ts-expect-error: a port is a number',
        "void runTui({ port: '2121' });",
        'console.log(exit);',
        'export {};',
      ];
      const options = (skipLibCheck: boolean) => ({
        target: 'es2023',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck,
        types: ['node'],
        typeRoots: [join(REPO, 'node_modules/@types')],
      });
      // One program (one tsc start) holds both files; the @ts-expect-error lines still prove
      // that each file's types were read.
      await writeFile(join(folder, 'typed.ts'), `${typed.join('\n')}\n`);
      await writeFile(join(folder, 'typed-tui.ts'), `${typedTui.join('\n')}\n`);
      const config = join(folder, 'tsconfig.typed.json');
      await writeFile(
        config,
        JSON.stringify({ compilerOptions: options(false), files: ['typed.ts', 'typed-tui.ts'] }),
      );
      expectSuccess(
        await run(join(REPO, 'node_modules/.bin/tsc'), ['-p', config], {
          cwd: folder,
          env: process.env,
        }),
        'tsc on the installed packages',
      );
    });
  }

  // npm only warns about `engines` when it installs; the command itself must refuse an older
  // Node with a sentence, not fail to link a module (Node 20 has no `glob` in fs/promises).
  if (major === 24) {
    it('on a Node older than `engines` (Node 20), the installed `cftp` names the Node it needs and exits 2', async () => {
      const oldEnv = {
        ...env,
        PATH: `${dirname(unsupportedNode)}${delimiter}${process.env.PATH ?? ''}`,
      };
      const running = expectSuccess(
        await run('node', ['--version'], { cwd: folder, env: oldEnv }),
        'node --version',
      ).trim();
      expect(running).toMatch(/^v20\./);
      const minimum = version.engines.node.replace(/^>=/, '');
      const cftp = join(folder, 'node_modules/.bin/cftp');
      for (const args of [['--version'], ['get', '--insecure-plaintext', '127.0.0.1:1:/a', 'a']]) {
        const done = await run(cftp, args, { cwd: folder, env: oldEnv });
        expect(done).toEqual({
          code: 2,
          stdout: '',
          stderr: `cftp: needs Node.js ${minimum} or later; this is Node.js ${running.slice(1)}\n`,
        });
      }
    });
  }

  it('`npx cftp --version` prints the package version', async () => {
    const out = expectSuccess(
      await run('npx', ['--no', '--', 'cftp', '--version'], { cwd: folder, env }),
      'npx',
    );
    expect(out.trim()).toBe(version.version);

    // Read from the installed package.json at run time, not a copy in the code: another
    // version there is what it prints.
    const manifestFile = join(folder, 'node_modules/cftp/package.json');
    const manifest = await readFile(manifestFile, 'utf8');
    const other = `${version.version}-check.7`;
    await writeFile(
      manifestFile,
      manifest.replace(`"version": "${version.version}"`, `"version": "${other}"`),
    );
    try {
      const again = await run('npx', ['--no', '--', 'cftp', '--version'], { cwd: folder, env });
      expect(expectSuccess(again, 'npx').trim()).toBe(other);
    } finally {
      await writeFile(manifestFile, manifest);
    }
  });

  it('an installed `cftp get` downloads from an installed `cftp server`, then a program using the libraries moves a file over TLS', async () => {
    const state = join(folder, 'state');
    const root = join(folder, 'served');
    const downloads = join(folder, 'downloads');
    await mkdir(root);
    await mkdir(downloads);
    const content = Buffer.alloc(2 * 1024 * 1024 + 3);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31 + (i >> 9)) & 0xff;
    await writeFile(join(root, 'file.bin'), content);

    const cftp = join(folder, 'node_modules/.bin/cftp');
    const server = spawn(
      cftp,
      ['server', '0', '--host', '127.0.0.1', '--root', root, '--state', state],
      {
        cwd: folder,
        env,
        stdio: 'pipe',
      },
    );
    try {
      const { port, fingerprint } = await serverReady(server);
      const got = await run(
        cftp,
        ['get', `127.0.0.1:${port}:/file.bin`, '--fingerprint', fingerprint],
        {
          cwd: downloads,
          env,
        },
      );
      expectSuccess(got, 'cftp get');
      expect(sha256(await readFile(join(downloads, 'file.bin')))).toBe(sha256(content));

      // The library program, with the certificate that `cftp server` made and printed.
      await copyFile(CONSUMER, join(folder, 'consumer.mjs'));
      const lib = join(folder, 'lib');
      await mkdir(lib);
      const out = expectSuccess(
        await run('node', ['consumer.mjs', state, fingerprint, lib], { cwd: folder, env }),
        'library consumer',
      );
      const seen = JSON.parse(out.trim()) as Record<string, string | number>;
      expect(seen.onServer).toBe(seen.sent);
      expect(seen.downloaded).toBe(seen.sent);
      expect(seen.putReported).toBe(seen.sent);
      expect(seen.getReported).toBe(seen.sent);
      expect(seen.bytes).toBe(3 * 1024 * 1024 + 17);
      expect(seen.wrongFingerprint).toBe('ETLS');
      expect(seen.tuiExport).toBe('function');
    } finally {
      await stop(server);
    }
  });
});

/** Reads the port from the start line (stdout) and the fingerprint from stderr. */
function serverReady(server: ChildProcess): Promise<{ port: number; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    let port: number | undefined;
    let fingerprint: string | undefined;
    let stderr = '';
    const settle = () => {
      if (port !== undefined && fingerprint !== undefined) {
        clearTimeout(timer);
        resolve({ port, fingerprint });
      }
    };
    const timer = setTimeout(
      () => reject(new Error(`cftp server: not ready after ${RUN_MS} ms: ${stderr}`)),
      RUN_MS,
    );
    if (server.stdout === null || server.stderr === null) throw new Error('cftp server: no pipes');
    createInterface({ input: server.stdout }).on('line', (line) => {
      const match = /^cftp server listening on 127\.0\.0\.1:(\d+), root /.exec(line);
      if (match !== null) port = Number(match[1]);
      settle();
    });
    createInterface({ input: server.stderr }).on('line', (line) => {
      stderr += `${line}\n`;
      const match = /^cftp server fingerprint (SHA256:\S+)/.exec(line);
      if (match !== null) fingerprint = match[1];
      settle();
    });
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cftp server exited ${code} before it was ready: ${stderr}`));
    });
  });
}

async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  const late = setTimeout(() => server.kill('SIGKILL'), RUN_MS);
  await exited;
  clearTimeout(late);
}
