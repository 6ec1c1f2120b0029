// Accounts and encryption through the built binary (docs/security.md; docs/protocol.md §4.1
// TLS, §4.2 login, §5.3 data channels): real server and client processes over loopback.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { certificateFingerprint } from '@cftp/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeTempDir,
  type RunningServer,
  removeTempDirs,
  runCli,
  startServer,
  writeRandomFile,
} from './helpers.js';

const PASSWORD = 'correct horse battery staple';

/** Runs `cftp client [user@]127.0.0.1 PORT` with TLS, trusting through `knownHosts`. */
function client(
  port: number,
  lines: string[],
  options: {
    cwd: string;
    knownHosts: string;
    user?: string;
    password?: string;
    args?: string[];
    host?: string;
  },
) {
  const address = options.host ?? '127.0.0.1';
  const host = options.user === undefined ? address : `${options.user}@${address}`;
  return runCli(
    ['client', host, String(port), '--known-hosts', options.knownHosts, ...(options.args ?? [])],
    {
      cwd: options.cwd,
      input: lines.map((line) => `${line}\n`).join(''),
      ...(options.password === undefined ? {} : { env: { CFTP_PASSWORD: options.password } }),
    },
  );
}

async function fingerprintIn(state: string): Promise<string> {
  const pem = await readFile(join(state, 'server-cert.pem'), 'utf8');
  return certificateFingerprint(Buffer.from(new X509Certificate(pem).raw));
}

/** Ports listening on `127.0.0.2` right now (from /proc/net/tcp: `0200007F:PORT`, state 0A). */
function listeningOn127002(): number[] {
  const ports: number[] = [];
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const columns = line.trim().split(/\s+/);
    const [address, port] = (columns[1] ?? '').split(':');
    if (address === '0200007F' && columns[3] === '0A') ports.push(Number.parseInt(port!, 16));
  }
  return ports;
}

/**
 * A recording TCP relay between a client on 127.0.0.3 and a server on 127.0.0.2: the
 * "network" an eavesdropper would see. The server announces data ports inside TLS, so the
 * relay cannot read them; instead, before it forwards each chunk from the server, it opens a
 * relay listener on 127.0.0.3 for every new port the server listens on (the server opens a
 * data listener before it sends `ready`, §5), so the data channels cross the relay too.
 */
async function recordingRelay(target: number): Promise<{
  port: number;
  bytes: () => Buffer;
  dataChannels: () => number;
  close: () => void;
}> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const listeners: Server[] = [];
  const relayed = new Set<number>([target]);
  let dataChannels = 0;
  const followNewPorts = async () => {
    for (const port of listeningOn127002()) {
      if (relayed.has(port)) continue;
      relayed.add(port);
      await listen(port, port, () => {
        dataChannels++;
      });
    }
  };
  const listen = (port: number, to: number, onConnection?: () => void) =>
    new Promise<Server>((resolve, reject) => {
      const relay = createServer((incoming) => {
        onConnection?.();
        const outgoing = netConnect({ host: '127.0.0.2', port: to });
        for (const socket of [incoming, outgoing]) {
          sockets.add(socket);
          socket.on('error', () => {
            incoming.destroy();
            outgoing.destroy();
          });
        }
        incoming.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          outgoing.write(chunk);
        });
        // Pause the server's side while new data ports get their relay listeners.
        outgoing.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          outgoing.pause();
          followNewPorts().then(
            () => {
              incoming.write(chunk);
              outgoing.resume();
            },
            () => outgoing.destroy(),
          );
        });
        incoming.on('end', () => outgoing.end());
        outgoing.on('end', () => incoming.end());
      });
      relay.once('error', reject);
      relay.listen(port, '127.0.0.3', () => {
        listeners.push(relay);
        resolve(relay);
      });
    });
  const control = await listen(0, target);
  const address = control.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    bytes: () => Buffer.concat(chunks),
    dataChannels: () => dataChannels,
    close: () => {
      for (const socket of sockets) socket.destroy();
      for (const listener of listeners) listener.close();
    },
  };
}

afterAll(removeTempDirs);

describe('docs/security.md: accounts (--users) over TLS', () => {
  let work: string;
  let root: string;
  let aliceRoot: string;
  let users: string;
  let state: string;
  let server: RunningServer;

  beforeAll(async () => {
    work = await makeTempDir();
    root = join(work, 'root');
    aliceRoot = join(work, 'alice');
    state = join(work, 'state');
    users = join(work, 'users.json');
    await mkdir(root);
    await mkdir(aliceRoot);
    await writeFile(join(root, 'secret.txt'), 'only for the main root\n');
    await writeFile(join(aliceRoot, 'mine.txt'), 'alice\n');
    const env = { CFTP_PASSWORD: PASSWORD };
    const added = await runCli(['server', 'adduser', users, 'alice', '--user-root', aliceRoot], {
      env,
    });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const readonly = await runCli(['server', 'adduser', users, 'reader', '--permissions', 'read'], {
      env,
    });
    expect(readonly.code).toBe(0);
    const stored = await readFile(users, 'utf8');
    expect(stored).not.toContain(PASSWORD); // scrypt hashes only
    expect(stored).toMatch(/"password": "scrypt\$32768\$8\$1\$/);
    server = await startServer(root, ['--users', users, '--state', state]);
    return async () => {
      await server.stop();
    };
  });

  it('§4.2: a wrong password and an unknown user get the same EAUTH, both after the delay', async () => {
    const knownHosts = join(work, 'kh-auth');
    const cwd = await makeTempDir();
    const started = [performance.now(), 0, 0];
    const wrong = await client(server.port, ['ls'], {
      cwd,
      knownHosts,
      user: 'alice',
      password: 'not it',
    });
    started[1] = performance.now();
    const unknown = await client(server.port, ['ls'], {
      cwd,
      knownHosts,
      user: 'mallory',
      password: PASSWORD,
    });
    started[2] = performance.now();
    expect(wrong.code).toBe(3);
    expect(unknown.code).toBe(3);
    const last = (text: string) => text.trim().split('\n').at(-1);
    expect(last(wrong.stderr)).toBe('error: wrong user name or password (EAUTH)');
    expect(last(unknown.stderr)).toBe(last(wrong.stderr));
    expect(started[1]! - started[0]!).toBeGreaterThanOrEqual(1000);
    expect(started[2]! - started[1]!).toBeGreaterThanOrEqual(1000);
    // No user at all: the server asks for one, nothing runs.
    const anonymous = await client(server.port, ['ls'], { cwd, knownHosts });
    expect(anonymous.code).toBe(3);
    expect(anonymous.stderr).toMatch(/requires a user name .*\(EAUTH\)/);
    expect(server.stderr()).toMatch(/"user":"mallory".*"msg":"login failed"/);
  });

  it('a read-only user can list and get, but cannot write, delete, rename or mkdir', async () => {
    const cwd = await makeTempDir();
    const knownHosts = join(work, 'kh-reader');
    await writeFile(join(cwd, 'upload.txt'), 'new\n');
    const options = { cwd, knownHosts, user: 'reader', password: PASSWORD };
    const read = await client(server.port, ['ls', 'get secret.txt'], options);
    expect(read.stderr).not.toMatch(/error/);
    expect(read.code).toBe(0);
    expect(await readFile(join(cwd, 'secret.txt'), 'utf8')).toBe('only for the main root\n');
    for (const command of [
      'put upload.txt',
      'rm secret.txt',
      'rename secret.txt x.txt',
      'mkdir d',
    ]) {
      const refused = await client(server.port, [command], options);
      expect(refused.code, command).toBe(1);
      expect(refused.stderr, command).toMatch(/\(EACCES\)\n$/);
    }
    expect(await readFile(join(root, 'secret.txt'), 'utf8')).toBe('only for the main root\n');
  });

  it('a user sees only their own root and cannot leave it', async () => {
    const cwd = await makeTempDir();
    const options = { cwd, knownHosts: join(work, 'kh-alice'), user: 'alice', password: PASSWORD };
    const listed = await client(server.port, ['ls'], options);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('mine.txt');
    expect(listed.stdout).not.toContain('secret.txt');
    for (const path of ['../root/secret.txt', '/../secret.txt', `${root}/secret.txt`]) {
      const escaped = await client(server.port, [`get ${path}`], options);
      expect(escaped.code, path).toBe(1);
      expect(escaped.stderr, path).toMatch(/\((EBADNAME|ENOENT)\)\n$/);
    }
    await writeFile(join(cwd, 'up.txt'), 'uploaded by alice\n');
    const put = await client(server.port, ['put up.txt'], options);
    expect(put.code).toBe(0);
    expect(await readFile(join(aliceRoot, 'up.txt'), 'utf8')).toBe('uploaded by alice\n');
  });

  it('§4.1, §5.3: the password, the names and the file bytes never cross the network in clear', async () => {
    const cwd = await makeTempDir();
    const marker = Buffer.from('PLAINTEXT-MARKER-0123456789-'.repeat(40_000));
    await writeFile(join(cwd, 'clear-name-upload.bin'), marker);
    const behind = await startServer(root, [
      '--users',
      users,
      '--state',
      state,
      '--host',
      '127.0.0.2',
    ]);
    const relay = await recordingRelay(behind.port);
    try {
      const result = await client(
        relay.port,
        ['put clear-name-upload.bin', 'get clear-name-upload.bin down.bin', 'ls'],
        {
          cwd,
          knownHosts: join(work, 'kh-relay'),
          user: 'alice',
          password: PASSWORD,
          host: '127.0.0.3',
        },
      );
      expect(result.stderr).not.toMatch(/error/);
      expect(result.code).toBe(0);
      expect(await readFile(join(cwd, 'down.bin'))).toStrictEqual(marker);
    } finally {
      relay.close();
      await behind.stop();
    }
    // put, get and ls: three data channels went through the relay.
    expect(relay.dataChannels()).toBe(3);
    const seen = relay.bytes();
    expect(seen.byteLength).toBeGreaterThan(2 * marker.byteLength);
    expect(seen.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(seen.includes(Buffer.from('clear-name-upload'))).toBe(false);
    expect(seen.includes(Buffer.from('"login"'))).toBe(false);
    expect(seen.includes(Buffer.from('PLAINTEXT-MARKER'))).toBe(false);
    expect(seen[0]).toBe(0x16); // a TLS handshake record from the first byte
  });
});

describe('docs/security.md: TLS trust and plaintext', () => {
  it('pins the fingerprint on first use and refuses a server whose certificate changed', async () => {
    const work = await makeTempDir();
    const root = await makeTempDir();
    await writeRandomFile(join(root, 'f.bin'), 1000);
    const knownHosts = join(work, 'known_hosts');
    const cwd = await makeTempDir();
    const first = await startServer(root, ['--state', join(work, 'a')]);
    const oldFingerprint = await fingerprintIn(join(work, 'a'));
    try {
      const trusting = await client(first.port, ['ls'], { cwd, knownHosts });
      expect(trusting.code).toBe(0);
      expect(trusting.stderr).toContain(`fingerprint is ${oldFingerprint}`);
      expect(await readFile(knownHosts, 'utf8')).toBe(
        `127.0.0.1:${first.port} ${oldFingerprint}\n`,
      );
      const again = await client(first.port, ['ls'], { cwd, knownHosts });
      expect(again.code).toBe(0);
      expect(again.stderr).toBe('');
      expect(again.stdout).toContain('f.bin');
    } finally {
      await first.stop();
    }
    // Another key behind an address pinned to the old one (as after a restart on the same port).
    const second = await startServer(root, ['--state', join(work, 'b')]);
    try {
      await writeFile(knownHosts, `127.0.0.1:${second.port} ${oldFingerprint}\n`);
      const refused = await client(second.port, ['ls'], { cwd, knownHosts });
      expect(refused.code).toBe(3);
      expect(refused.stdout).not.toContain('f.bin');
      expect(refused.stderr).toMatch(/certificate of 127\.0\.0\.1:\d+ has CHANGED/);
      expect(refused.stderr).toContain(knownHosts);
      expect(refused.stderr).toMatch(/\(ETLS\)\n$/);
      // --fingerprint pins up front, for scripts; the right one works without known_hosts.
      const pinned = await client(second.port, ['ls'], {
        cwd,
        knownHosts: join(work, 'unused'),
        args: ['--fingerprint', oldFingerprint],
      });
      expect(pinned.code).toBe(3);
      const right = await client(second.port, ['ls'], {
        cwd,
        knownHosts: join(work, 'unused'),
        args: ['--fingerprint', await fingerprintIn(join(work, 'b'))],
      });
      expect(right.code).toBe(0);
    } finally {
      await second.stop();
    }
  });

  it('serves an operator-supplied --cert/--key, and passwd replaces a password', async () => {
    const work = await makeTempDir();
    const root = await makeTempDir();
    const cwd = await makeTempDir();
    await writeFile(join(root, 'f.txt'), 'x');
    // A key pair made by a first server, then handed to another as --cert/--key.
    const maker = await startServer(root, ['--state', join(work, 'made')]);
    await maker.stop();
    const fingerprint = await fingerprintIn(join(work, 'made'));
    const users = join(work, 'users.json');
    const env = { CFTP_PASSWORD: 'first' };
    expect((await runCli(['server', 'adduser', users, 'carol'], { env })).code).toBe(0);
    const changed = await runCli(['server', 'passwd', users, 'carol'], {
      env: { CFTP_PASSWORD: 'second' },
    });
    expect(changed.stdout).toBe(`changed the password of carol in ${users}\n`);
    const server = await startServer(root, [
      '--cert',
      join(work, 'made', 'server-cert.pem'),
      '--key',
      join(work, 'made', 'server-key.pem'),
      '--users',
      users,
    ]);
    try {
      const login = (password: string) =>
        client(server.port, ['ls'], {
          cwd,
          knownHosts: join(work, 'unused'),
          user: 'carol',
          password,
          args: ['--fingerprint', fingerprint],
        });
      const fresh = await login('second');
      expect(fresh.stderr).toBe('');
      expect(fresh.stdout).toContain('f.txt');
      expect((await login('first')).code).toBe(3);
    } finally {
      await server.stop();
    }
  });

  it('plaintext needs --insecure-plaintext on both sides; a mismatch is a clear ETLS', async () => {
    const work = await makeTempDir();
    const root = await makeTempDir();
    const cwd = await makeTempDir();
    const tls = await startServer(root, ['--state', join(work, 'state')]);
    try {
      const plain = await runCli(
        ['client', '--insecure-plaintext', '127.0.0.1', String(tls.port)],
        {
          cwd,
          input: 'ls\n',
        },
      );
      expect(plain.code).toBe(3);
      expect(plain.stderr).toMatch(/requires TLS .*\(ETLS\)\n$/);
    } finally {
      await tls.stop();
    }
    // Read once the process has gone, so the whole of stderr is in.
    expect(tls.stderr()).toMatch(/WARNING: no --users file: anyone who can reach/);
    const plaintext = await startServer(root, ['--insecure-plaintext']);
    try {
      const secure = await client(plaintext.port, ['ls'], {
        cwd,
        knownHosts: join(work, 'kh'),
      });
      expect(secure.code).toBe(3);
      // A plaintext hello tells a CFTP server without TLS from anything else (issue 14).
      expect(secure.stderr).toMatch(/serves CFTP without TLS .*--insecure-plaintext.*\(ETLS\)\n$/);
    } finally {
      await plaintext.stop();
    }
    expect(plaintext.stderr()).toMatch(/WARNING: --insecure-plaintext/);
  });
});
