// `cftp server --metrics HOST:PORT` (docs/server.md, "Metrics"): a separate HTTP listener with
// `/metrics` in the Prometheus text format and `/healthz` for load balancers and orchestrators.
// Every CFTP metric is fed by the engine's events only, so the engine knows nothing of it;
// a private registry keeps these metrics apart from anything else in the process.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CftpServer, OperationEvent } from '@cftp/server';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { formatHostPort, type MetricsAddress } from './metrics-address.js';
import {
  codeLabel,
  DIRECTION_LABELS,
  directionOf,
  OPERATION_LABELS,
  OTHER,
  OUTCOME_LABELS,
  operationLabel,
  outcomeLabel,
} from './metrics-labels.js';

/**
 * prom-client's default metrics include three gauges named like counters, which
 * `promtool check metrics` rejects ("non-counter metrics should not have _total suffix").
 * They are the sums of `nodejs_active_handles`, `nodejs_active_requests` and
 * `nodejs_active_resources` (per type, kept), so nothing is lost by leaving them out.
 */
const MISNAMED_DEFAULT_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** From a quick `stat` to a large file over a slow link. */
const DURATION_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/** A scrape is a few KiB; a client that holds a connection open longer is dropped. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * A registry with Node's default process metrics and the `cftp_*` metrics, wired to
 * `server`'s events. Labels come from closed sets only (metrics-labels.ts).
 */
export function createServerMetrics(server: CftpServer): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);

  new Gauge({
    name: 'cftp_sessions_active',
    help: 'Control connections open now (handshake, login or logged in).',
    registers: [registry],
    // Read at scrape time from the engine, so the gauge cannot drift from a missed event.
    collect() {
      this.set(server.sessionCount);
    },
  });
  const sessions = new Counter({
    name: 'cftp_sessions_total',
    help: 'Control connections accepted as sessions since start.',
    registers: [registry],
  });
  const transfers = new Counter({
    name: 'cftp_transfers_total',
    help: 'Operations finished since start, by operation and outcome (ok, canceled, error).',
    labelNames: ['op', 'outcome'] as const,
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'cftp_transfer_bytes_total',
    help: 'File bytes moved by get and put, failed or cancelled ones included: in = put, out = get.',
    labelNames: ['direction'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'cftp_transfer_duration_seconds',
    help: 'Duration of get and put operations, from request to final reply, any outcome.',
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const loginFailures = new Counter({
    name: 'cftp_login_failures_total',
    help: 'Failed logins (wrong user name or password).',
    registers: [registry],
  });
  const errors = new Counter({
    name: 'cftp_errors_total',
    help: 'Errors the server reported, by code: failed operations, EAUTH, EBUSY refusals, ETLS.',
    labelNames: ['code'] as const,
    registers: [registry],
  });

  // Every series exists from the start at 0, so `rate()` and alerts see the first increase.
  for (const op of [...OPERATION_LABELS, OTHER]) {
    for (const outcome of OUTCOME_LABELS) transfers.inc({ op, outcome }, 0);
  }
  for (const direction of DIRECTION_LABELS) bytes.inc({ direction }, 0);

  server.on('session', () => sessions.inc());
  server.on('loginFailed', () => {
    loginFailures.inc();
    errors.inc({ code: 'EAUTH' });
  });
  server.on('refused', () => errors.inc({ code: 'EBUSY' }));
  server.on('tlsError', () => errors.inc({ code: 'ETLS' }));
  server.on('operation', (event: OperationEvent) => {
    transfers.inc({ op: operationLabel(event.operation), outcome: outcomeLabel(event.outcome) });
    if (event.outcome !== 'ok') errors.inc({ code: codeLabel(event.outcome) });
    const direction = directionOf(event.operation);
    if (direction === undefined) return;
    duration.observe(event.durationMs / 1000);
    // A failed or cancelled transfer reports the bytes it moved before it stopped.
    if (Number.isSafeInteger(event.bytes) && event.bytes > 0) bytes.inc({ direction }, event.bytes);
  });
  return registry;
}

export type Health = 'starting' | 'serving' | 'stopping';

export interface MetricsEndpoint {
  /** Where the listener is bound (port 0 is resolved). */
  readonly address: AddressInfo;
  /** `http://HOST:PORT/metrics`, for the start-up notice. */
  readonly url: string;
  /** `/healthz` answers 200 from now on: the CFTP listener accepts sessions. */
  serving(): void;
  /** `/healthz` answers 503 from now on: the server is shutting down. */
  stopping(): void;
  /** Stops the listener and drops its connections. */
  close(): Promise<void>;
}

function answer(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Binds the metrics listener; `/healthz` says 503 until `serving()` is called. */
export async function startMetricsEndpoint(
  server: CftpServer,
  where: MetricsAddress,
): Promise<MetricsEndpoint> {
  const registry = createServerMetrics(server);
  let health: Health = 'starting';
  const listener = createServer(async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      answer(request, response, 405, 'method not allowed: use GET or HEAD\n');
      return;
    }
    // Only the path decides; a query string (`?x=1`) is ignored, as Prometheus may add one.
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      try {
        answer(request, response, 200, await registry.metrics(), registry.contentType);
      } catch (error) {
        answer(request, response, 500, `metrics unavailable: ${(error as Error).message}\n`);
      }
    } else if (path === '/healthz') {
      if (health === 'serving') answer(request, response, 200, 'ok\n');
      else
        answer(request, response, 503, `${health === 'starting' ? 'starting' : 'shutting down'}\n`);
    } else {
      answer(request, response, 404, 'not found: try /metrics or /healthz\n');
    }
  });
  listener.requestTimeout = REQUEST_TIMEOUT_MS;
  listener.headersTimeout = REQUEST_TIMEOUT_MS;
  listener.listen({ host: where.host, port: where.port });
  await once(listener, 'listening');
  const address = listener.address() as AddressInfo;
  return {
    address,
    url: `http://${formatHostPort(address.address, address.port)}/metrics`,
    serving() {
      health = 'serving';
    },
    stopping() {
      health = 'stopping';
    },
    close() {
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      listener.closeAllConnections();
      return closed;
    },
  };
}
