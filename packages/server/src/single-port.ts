// Single-port mode (docs/protocol.md §5.5): data connections arrive on the control port. This
// module tells the two apart from their first bytes, and hands a data connection to the
// transfer whose one-time token it presents.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import {
  DATA_PREAMBLE_BYTES,
  DATA_PREAMBLE_MAGIC,
  DataChannelError,
  SINGLE_PORT_FEATURE,
} from '@cftp/protocol';
import { normalizeAddress } from './address.js';

/** What the first bytes of a connection on the one port made of it. */
export type Routed =
  | { readonly kind: 'control' }
  | { readonly kind: 'data'; readonly token: Buffer }
  | { readonly kind: 'drop'; readonly reason: string };

const MAGIC = Buffer.from(DATA_PREAMBLE_MAGIC);

/**
 * Reads just enough of a new connection to route it (§5.5). A first byte other than the
 * magic's `C` is a control connection, and every byte read is put back for the session. A
 * data connection must complete the 40-byte preamble before `timeoutMs`; payload bytes that
 * came with it are put back too. Nothing beyond the preamble and one socket read is held,
 * and a connection that stalls or lies is destroyed: it resolves as `drop`.
 */
export function demultiplex(socket: Socket, timeoutMs: number): Promise<Routed> {
  return new Promise((resolve) => {
    let buffered: Buffer = Buffer.alloc(0);
    const finish = (routed: Routed, rest?: Buffer) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.pause();
      if (routed.kind === 'drop') socket.destroy();
      else if (rest !== undefined && rest.byteLength > 0) socket.unshift(rest);
      resolve(routed);
    };
    const onData = (chunk: Buffer) => {
      buffered = buffered.byteLength === 0 ? chunk : Buffer.concat([buffered, chunk]);
      if (buffered[0] !== MAGIC[0]) {
        finish({ kind: 'control' }, buffered);
        return;
      }
      const seen = Math.min(buffered.byteLength, MAGIC.byteLength);
      if (!buffered.subarray(0, seen).equals(MAGIC.subarray(0, seen))) {
        finish({ kind: 'drop', reason: 'neither a control frame nor a data preamble' });
        return;
      }
      if (buffered.byteLength < DATA_PREAMBLE_BYTES) return;
      const token = Buffer.from(buffered.subarray(MAGIC.byteLength, DATA_PREAMBLE_BYTES));
      finish({ kind: 'data', token }, buffered.subarray(DATA_PREAMBLE_BYTES));
    };
    const onEnd = () => finish({ kind: 'drop', reason: 'closed before its first bytes' });
    const timer = setTimeout(
      () => finish({ kind: 'drop', reason: `no complete first bytes within ${timeoutMs} ms` }),
      Math.max(0, timeoutMs),
    );
    timer.unref();
    socket.on('error', () => {}); // a reset here is just a dropped connection
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.resume();
  });
}

/** A transfer waiting for its data connection (data-channel.ts). */
export interface PendingData {
  /** The control connection's remote address: the only address the token is good from. */
  readonly peer: string;
  /** The token presented from the right address: here is the connection. */
  claim(socket: Socket): void;
  /** The token presented from another address: the transfer fails (EDATAAUTH). */
  refuse(error: DataChannelError): void;
}

/**
 * The tokens of a single-port server's transfers that wait for their data connection. Keyed
 * by the token's SHA-256, so a lookup reveals nothing that helps guess a token; the token
 * itself is then compared in constant time (§5.1).
 */
export class TokenRegistry {
  private readonly pending = new Map<string, { token: Buffer; waiter: PendingData }>();

  get size(): number {
    return this.pending.size;
  }

  /** Registers `token`; the returned function withdraws it (transfer ended or timed out). */
  register(token: Buffer, waiter: PendingData): () => void {
    const key = keyOf(token);
    this.pending.set(key, { token, waiter });
    return () => {
      if (this.pending.get(key)?.waiter === waiter) this.pending.delete(key);
    };
  }

  /**
   * A data connection presented `token`. One connection per token: the token is withdrawn
   * whatever happens next. False when no transfer waits for it (unknown, used, expired).
   */
  present(token: Buffer, socket: Socket): boolean {
    const key = keyOf(token);
    const entry = this.pending.get(key);
    if (entry === undefined || !timingSafeEqual(entry.token, token)) return false;
    this.pending.delete(key);
    if (normalizeAddress(socket.remoteAddress) !== normalizeAddress(entry.waiter.peer)) {
      socket.destroy();
      entry.waiter.refuse(
        new DataChannelError('EDATAAUTH', 'data connection from another address'),
      );
      return true;
    }
    entry.waiter.claim(socket);
    return true;
  }
}

function keyOf(token: Buffer): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The features a server lists in `welcome` (§4): `single-port` only when it runs so. */
export function welcomeFeatures(base: readonly string[], singlePort: boolean): string[] {
  return singlePort ? [...base, SINGLE_PORT_FEATURE] : [...base];
}

/**
 * A single-port server cannot serve a client that would connect to `ready.port` (§5.5): the
 * `EVERSION` message for one whose `hello` lacks the feature, or undefined.
 */
export function singlePortRefusal(
  features: readonly string[],
  singlePort: boolean,
): string | undefined {
  if (!singlePort || features.includes(SINGLE_PORT_FEATURE)) return undefined;
  return `this server takes data connections on its control port only (feature "${SINGLE_PORT_FEATURE}", protocol 1.1); this client does not support it: upgrade the client`;
}
