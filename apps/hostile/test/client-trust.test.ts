// Trust only after a real hello (issue 11, point 6): `cftp client` over TLS pointed at an
// HTTPS server, at a TLS service that answers garbage, or one that says nothing, fails
// within 5 s with "HOST:PORT is not a CFTP server" and pins nothing in known_hosts; so do a
// welcome of version 2 and one without `sha256`. The same without TLS. And the control:
// an honest (if hostile-built) TLS server is pinned, so the known_hosts check can fail.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useClientSuite } from '../src/client-suite.js';
import type { Greeting, HostileOptions } from '../src/hostile-server/index.js';
import { startWebServer } from '../src/hostile-server/index.js';
import { makeSandbox, type Sandbox } from '../src/run-client.js';

const suite = useClientSuite();

/** The client's own hello bound (issue 11: "within 5 s"), plus a margin for a busy machine. */
const HELLO_BOUND_MS = 5_000 + 20_000;

const knownHosts = (sandbox: Sandbox) => join(sandbox.home, '.config', 'cftp', 'known_hosts');

const GARBAGE: Greeting = {
  kind: 'bytes',
  bytes: Buffer.from('SSH-2.0-OpenSSH_9.6\r\n\u0000\u0000\u0000garbage'),
  when: 'connect',
  after: 'hold',
};
const SILENCE: Greeting = { kind: 'silence' };

async function expectNotCftp(port: number, tls: boolean): Promise<void> {
  const sandbox = await makeSandbox();
  const args = ['client', ...(tls ? [] : ['--insecure-plaintext']), '127.0.0.1', String(port)];
  const { problems, story } = await suite.run(
    { args, sandbox, input: 'ls\n', boundMs: HELLO_BOUND_MS },
    {
      exit: 'failure',
      says: [new RegExp(`127\\.0\\.0\\.1:${port} is not a CFTP server`)],
      partials: 'none',
    },
  );
  expect(problems, story).toEqual([]);
  expect(existsSync(knownHosts(sandbox)), 'known_hosts was written').toBe(false);
}

async function expectRefusedWelcome(options: HostileOptions, says: RegExp): Promise<void> {
  const server = await suite.hostile({ tls: true, ...options });
  const sandbox = await makeSandbox();
  const { problems, story } = await suite.run(
    {
      args: ['client', '127.0.0.1', String(server.port)],
      sandbox,
      input: 'ls\n',
      boundMs: HELLO_BOUND_MS,
    },
    { exit: 'failure', says: [says], partials: 'none' },
  );
  expect(problems, story).toEqual([]);
  expect(existsSync(knownHosts(sandbox)), 'known_hosts was written').toBe(false);
}

describe.concurrent('over TLS, nothing is pinned before a valid welcome', () => {
  it('an HTTPS server is not a CFTP server', async () => {
    const web = await startWebServer(true);
    try {
      await expectNotCftp(web.port, true);
    } finally {
      await web.close();
    }
  });

  it('a TLS service that answers garbage is not a CFTP server', async () => {
    const server = await suite.hostile({ tls: true, greeting: GARBAGE });
    await expectNotCftp(server.port, true);
  });

  it('a TLS service that says nothing is not a CFTP server', async () => {
    const server = await suite.hostile({ tls: true, greeting: SILENCE });
    await expectNotCftp(server.port, true);
  });

  it('a welcome of version 2: EVERSION', async () => {
    await expectRefusedWelcome({ welcome: { version: 2 } }, /EVERSION/);
  });

  it('a welcome without sha256: refused', async () => {
    await expectRefusedWelcome({ welcome: { features: ['fs', 'resume'] } }, /sha256/);
  });

  it('control: a valid welcome is pinned and the session works', async () => {
    const server = await suite.hostile({ tls: true, files: { 'good.txt': 'good\n' } });
    const sandbox = await makeSandbox();
    const { problems, story } = await suite.run(
      { args: ['client', '127.0.0.1', String(server.port)], sandbox, input: 'ls\n' },
      { exit: 0, says: [/good\.txt/], partials: 'none' },
    );
    expect(problems, story).toEqual([]);
    expect(existsSync(knownHosts(sandbox)), 'known_hosts was not written').toBe(true);
  });
});

describe.concurrent('in plaintext', () => {
  it('an HTTP server is not a CFTP server', async () => {
    const web = await startWebServer(false);
    try {
      await expectNotCftp(web.port, false);
    } finally {
      await web.close();
    }
  });

  it('a service that answers garbage is not a CFTP server', async () => {
    const server = await suite.hostile({ greeting: GARBAGE });
    await expectNotCftp(server.port, false);
  });

  it('a service that says nothing is not a CFTP server', async () => {
    const server = await suite.hostile({ greeting: SILENCE });
    await expectNotCftp(server.port, false);
  });
});
