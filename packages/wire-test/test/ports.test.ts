// Ports named by tests: outside the kernel's ephemeral range, consecutive, and free to bind.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralPortRange, freeFixedPort, freeFixedPortRange, HOST } from '../src/index.js';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: HOST, port, exclusive: true }, () => resolve(server));
  });
}

const close = (server: Server) => new Promise((resolve) => server.close(resolve));

describe('ports outside the ephemeral range', () => {
  it('reads the ephemeral range from the kernel where it can', () => {
    const range = ephemeralPortRange();
    let text: string | undefined;
    try {
      text = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    } catch {
      text = undefined;
    }
    const expected = text?.trim().split(/\s+/).map(Number) ?? [32768, 65535];
    expect([range.low, range.high]).toEqual(expected);
  });

  it('gives consecutive ports outside the ephemeral range that can be listened on', async () => {
    const ephemeral = ephemeralPortRange();
    for (const size of [1, 2, 64]) {
      const { low, high } = await freeFixedPortRange(size);
      expect(high - low + 1).toBe(size);
      expect(low).toBeGreaterThanOrEqual(1024);
      expect(high).toBeLessThanOrEqual(65535);
      expect(high < ephemeral.low || low > ephemeral.high).toBe(true);
      const servers: Server[] = [];
      try {
        for (let port = low; port <= high; port++) servers.push(await listen(port));
      } finally {
        await Promise.all(servers.map(close));
      }
    }
    const port = await freeFixedPort();
    expect(port < ephemeral.low || port > ephemeral.high).toBe(true);
  });
});
