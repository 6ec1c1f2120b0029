// Accounts in the engine: the LOGIN state (docs/protocol.md §4.2), the failure delay and the
// per-address limit, and per-account storage and permissions through the `authenticate` hook.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Authenticate, LocalStorage } from '../src/index.js';
import { useFixture } from './fixture.js';

const fx = useFixture();

const authenticate =
  (home?: string): Authenticate =>
  (user, password) => {
    if (user !== 'alice' || password !== 'right') return null;
    return {
      user,
      ...(home === undefined ? {} : { storage: new LocalStorage(home) }),
      authorize: (_session, operation) => operation !== 'delete',
    };
  };

describe('docs/protocol.md §4.2 login', () => {
  it('says login: true in welcome and serves nothing but login and quit before it', async () => {
    const { port } = await fx.start({ authenticate: authenticate(), loginFailureDelayMs: 1 });
    const control = await fx.rawControl(port);
    const welcome = await control.hello();
    expect(welcome.login).toBe(true);
    for (const [id, request] of [
      [2, { type: 'list', id: 2, path: '' }],
      [3, { type: 'get', id: 3, path: 'x' }],
      [4, { type: 'mkdir', id: 4, path: 'd' }],
    ] as const) {
      control.send(request);
      expect(await control.errorCode(id)).toBe('EAUTH');
    }
    control.send({ type: 'login', id: 5, user: 'alice', password: 'right' });
    expect(await control.expect(5, 'ok')).toMatchObject({ type: 'ok', id: 5 });
    control.send({ type: 'login', id: 6, user: 'alice', password: 'right' });
    expect(await control.errorCode(6)).toBe('EPROTO');
  });

  it('answers an unknown user and a wrong password alike, each after the delay', async () => {
    const delayMs = 300;
    const { port } = await fx.start({
      authenticate: authenticate(),
      loginFailureDelayMs: delayMs,
    });
    const control = await fx.rawControl(port);
    await control.hello();
    const replies = [];
    for (const [id, user, password] of [
      [2, 'alice', 'wrong'],
      [3, 'nobody', 'right'],
    ] as const) {
      const started = performance.now();
      control.send({ type: 'login', id, user, password });
      const reply = await control.reply(id);
      expect(performance.now() - started).toBeGreaterThanOrEqual(delayMs - 5);
      replies.push({ ...reply, id: 0 });
    }
    expect(replies[0]).toMatchObject({ type: 'error', code: 'EAUTH' });
    expect(replies[1]).toStrictEqual(replies[0]);
  });

  it('closes the connection and refuses the address after too many failures', async () => {
    const { port, server } = await fx.start({
      authenticate: authenticate(),
      loginFailureDelayMs: 1,
      maxLoginFailuresPerAddress: 2,
    });
    const failures: boolean[] = [];
    server.on('loginFailed', (failure) => failures.push(failure.blocked));
    const control = await fx.rawControl(port);
    await control.hello();
    control.send({ type: 'login', id: 2, user: 'alice', password: 'a' });
    expect(await control.errorCode(2)).toBe('EAUTH');
    control.send({ type: 'login', id: 3, user: 'alice', password: 'b' });
    expect(await control.errorCode(3)).toBe('EAUTH');
    await control.closed;
    // Even the right password is refused from that address now.
    const again = await fx.rawControl(port);
    await again.hello();
    again.send({ type: 'login', id: 2, user: 'alice', password: 'right' });
    expect(await again.errorCode(2)).toBe('EAUTH');
    await again.closed;
    expect(failures).toEqual([false, true]);
  });

  it("serves the account's own storage under its own permissions", async () => {
    const home = await fx.tempDir();
    const root = await fx.tempDir();
    await writeFile(join(home, 'mine.txt'), 'x');
    await writeFile(join(root, 'other.txt'), 'y');
    const { port } = await fx.start({
      root,
      authenticate: authenticate(home),
      loginFailureDelayMs: 1,
    });
    const control = await fx.rawControl(port);
    await control.hello();
    control.send({ type: 'login', id: 2, user: 'alice', password: 'right' });
    await control.expect(2, 'ok');
    control.send({ type: 'stat', id: 3, path: 'mine.txt' });
    expect(await control.expect(3, 'ok')).toMatchObject({ entry: { name: 'mine.txt' } });
    control.send({ type: 'stat', id: 4, path: 'other.txt' });
    expect(await control.errorCode(4)).toBe('ENOENT');
    control.send({ type: 'delete', id: 5, path: 'mine.txt' });
    expect(await control.errorCode(5)).toBe('EACCES');
  });
});
