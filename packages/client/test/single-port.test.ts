// The client in single-port mode (docs/protocol.md §5.5): it lists the feature, connects every
// data connection to the control connection's own address and port with the preamble, and
// refuses a `ready` whose port does not fit the mode.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rejectionOf, useFixture, writeRandom } from './helpers.js';

const fx = useFixture();

describe('docs/protocol.md §5.5 single-port, client side', () => {
  it('gets, puts, lists and batches through the control port only', async () => {
    const { port, root } = await fx.startServer({ singlePort: true });
    const local = await fx.tempDir();
    const content = await writeRandom(join(root, 'down.bin'), 1_000_003);
    const upload = await writeRandom(join(local, 'up.bin'), 700_001);
    await writeFile(join(root, 'small.txt'), 'small');
    const client = await fx.connect(port);
    expect(client.server?.features).toContain('single-port');

    await client.get('down.bin', join(local, 'down.bin'));
    expect((await readFile(join(local, 'down.bin'))).equals(content)).toBe(true);
    await client.put(join(local, 'up.bin'), 'up.bin');
    expect((await readFile(join(root, 'up.bin'))).equals(upload)).toBe(true);
    expect((await client.list('')).map((entry) => entry.name).sort()).toEqual([
      'down.bin',
      'small.txt',
      'up.bin',
    ]);
    await client.getMany([
      { remote: 'small.txt', local: join(local, 'small.txt') },
      { remote: 'down.bin', local: join(local, 'again.bin') },
    ]);
    expect(await readFile(join(local, 'small.txt'), 'utf8')).toBe('small');
    expect((await readFile(join(local, 'again.bin'))).equals(content)).toBe(true);
  });

  it('fails a request with EPROTO when a classic server announces port 0', async () => {
    const port = await fx.startFake((message, session) => {
      if (message.type === 'get') {
        session.send({ type: 'ready', id: message.id, port: 0, token: 'ab'.repeat(32), size: 1 });
      }
    });
    const client = await fx.connect(port);
    const failure = await rejectionOf(client.get('x', join(await fx.tempDir(), 'x')));
    expect(failure.code).toBe('EPROTO');
  });
});
