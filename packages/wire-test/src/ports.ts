// Ports a test names itself: one nobody listens on, or one to listen on later (a restart, a
// --data-ports range, another program's port). A port of the kernel's ephemeral range, once
// freed, may go to any port-0 listener or outgoing connection of a parallel test; a port
// outside that range is only ever taken by name. Chosen at random and checked by binding, so
// that two tests picking at once almost never meet.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { HOST } from './wire.js';

/** Below this, binding needs privileges and well-known services live. */
const LOWEST_PORT = 1024;
const HIGHEST_PORT = 65535;

/** The ports the kernel hands out by itself (port 0, outgoing connections). */
export function ephemeralPortRange(): { low: number; high: number } {
  try {
    const text = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    const [low, high] = text.trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low! <= high!) {
      return { low: low!, high: high! };
    }
  } catch {
    // Not Linux: fall back below.
  }
  // Linux's default low end up to the IANA range's end (macOS, Windows): covers all three.
  return { low: 32768, high: 65535 };
}

function bind(port: number, host: string): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(undefined));
    probe.listen({ host, port, exclusive: true }, () => resolve(probe));
  });
}

function close(probe: Server): Promise<void> {
  return new Promise((resolve) => probe.close(() => resolve()));
}

/**
 * `size` consecutive ports outside the ephemeral range that nobody listened on a moment ago
 * (all bound at once on `host`, then released).
 */
export async function freeFixedPortRange(
  size: number,
  host = HOST,
): Promise<{ low: number; high: number }> {
  const ephemeral = ephemeralPortRange();
  // Where a range may start: below the ephemeral range, or above it.
  const spans = [
    { first: LOWEST_PORT, last: ephemeral.low - size },
    { first: ephemeral.high + 1, last: HIGHEST_PORT - size + 1 },
  ].filter((span) => span.first <= span.last);
  const starts = spans.reduce((n, span) => n + span.last - span.first + 1, 0);
  if (starts === 0) throw new Error(`no ${size} ports outside the ephemeral range`);
  for (let attempt = 0; attempt < 100; attempt++) {
    let pick = Math.floor(Math.random() * starts);
    let low = 0;
    for (const span of spans) {
      const count = span.last - span.first + 1;
      if (pick < count) {
        low = span.first + pick;
        break;
      }
      pick -= count;
    }
    const held: Server[] = [];
    for (let port = low; port < low + size; port++) {
      const probe = await bind(port, host);
      if (probe === undefined) break;
      held.push(probe);
    }
    await Promise.all(held.map(close));
    if (held.length === size) return { low, high: low + size - 1 };
  }
  throw new Error(`no ${size} free consecutive ports found outside the ephemeral range`);
}

/** A port outside the ephemeral range that nobody listened on a moment ago. */
export async function freeFixedPort(host = HOST): Promise<number> {
  return (await freeFixedPortRange(1, host)).low;
}
