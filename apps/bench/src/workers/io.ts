// How workers talk to the harness: one JSON argument in, one JSON line out on stdout.
import type { ConnectOptions } from '@cftp/client';
import { selfUsage } from '../usage.js';

/** The worker's parameters: `process.argv[2]` as JSON, shaped as the harness sent it. */
export function workerArgs<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('usage: node WORKER.js \'{"json": "parameters"}\'');
  return JSON.parse(raw) as T;
}

/** Prints the result line, with the worker's own CPU time and peak RSS. */
export function report(result: object): void {
  process.stdout.write(`${JSON.stringify({ ...result, usage: selfUsage() })}\n`);
}

/** A short message for an error of any kind. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** Where a CFTP worker connects, and the certificate it pins (absent: plaintext). */
export interface CftpTarget {
  host: string;
  port: number;
  fingerprint?: string | undefined;
}

/** `connect()` options for a target: TLS pinned to its fingerprint, or plaintext. */
export function connectOptions(target: CftpTarget): ConnectOptions {
  return {
    host: target.host,
    port: target.port,
    ...(target.fingerprint === undefined ? {} : { tls: { fingerprint: target.fingerprint } }),
  };
}
