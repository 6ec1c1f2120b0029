import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES } from '@cftp/protocol';
import { type CftpServer, createServer, type OperationEvent } from '@cftp/server';
import { InvalidArgumentError } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MetricsEndpoint, startMetricsEndpoint } from '../src/metrics.js';
import { formatHostPort, parseMetricsAddress } from '../src/metrics-address.js';
import {
  CODE_LABELS,
  codeLabel,
  directionOf,
  OPERATION_LABELS,
  operationLabel,
  outcomeLabel,
} from '../src/metrics-labels.js';

describe('metrics labels come from closed sets', () => {
  it.each(OPERATION_LABELS)('operation %s keeps its name', (op) => {
    expect(operationLabel(op)).toBe(op);
  });

  it.each([['/etc/passwd'], ['getmany'], ['GET'], [''], [undefined], [42], ['x'.repeat(10_000)]])(
    'anything else (%j) is "other"',
    (value) => {
      expect(operationLabel(value)).toBe('other');
    },
  );

  it('every protocol error code keeps its name; anything else is "other"', () => {
    for (const code of ERROR_CODES) expect(codeLabel(code)).toBe(code);
    for (const value of ['ENOPE', 'enoent', 'ok', '../x', '', null, 7]) {
      expect(codeLabel(value)).toBe('other');
    }
    expect(CODE_LABELS).toHaveLength(ERROR_CODES.length + 1);
  });

  it.each([
    ['ok', 'ok'],
    ['ECANCELED', 'canceled'],
    ['ENOENT', 'error'],
    ['ESHUTDOWN', 'error'],
    ['whatever', 'error'],
    [undefined, 'error'],
  ])('outcome %j is %s', (outcome, label) => {
    expect(outcomeLabel(outcome)).toBe(label);
  });

  it('only get and put move file data, out and in', () => {
    expect(directionOf('put')).toBe('in');
    expect(directionOf('get')).toBe('out');
    for (const op of ['list', 'stat', 'mkdir', 'rename', 'other', undefined]) {
      expect(directionOf(op)).toBeUndefined();
    }
  });
});

describe('--metrics HOST:PORT', () => {
  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['localhost:65535', { host: 'localhost', port: 65535 }],
    ['metrics.internal:9100', { host: 'metrics.internal', port: 9100 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    ['[::]:1', { host: '::', port: 1 }],
  ])('%s', (text, address) => {
    expect(parseMetricsAddress(text)).toEqual(address);
  });

  it.each([
    ['9464', /no port/],
    [':9464', /no host/],
    ['127.0.0.1', /no port/],
    ['127.0.0.1:', /"" is not a port/],
    ['127.0.0.1:65536', /is not a port from 0 to 65535/],
    ['127.0.0.1:-1', /is not a port/],
    ['127.0.0.1:80x', /is not a port/],
    ['::1:9464', /IPv6 address in brackets/],
    ['[::1:9464', /missing "]"/],
    ['[127.0.0.1]:9464', /not an IPv6 address/],
    ['[::1]9464', /expected ":PORT"/],
    ['bad host:9464', /not a host name or address/],
    ['-x:9464', /not a host name or address/],
  ])('%s is refused', (text, message) => {
    expect(() => parseMetricsAddress(text)).toThrow(InvalidArgumentError);
    expect(() => parseMetricsAddress(text)).toThrow(message);
  });

  it('prints IPv6 hosts in brackets', () => {
    expect(formatHostPort('::1', 80)).toBe('[::1]:80');
    expect(formatHostPort('127.0.0.1', 80)).toBe('127.0.0.1:80');
  });
});

describe('the metrics listener', () => {
  let root: string;
  let server: CftpServer;
  let endpoint: MetricsEndpoint;
  let base: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cftp-metrics-'));
    server = createServer({ root, sweepOnStart: false });
    endpoint = await startMetricsEndpoint(server, { host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${endpoint.address.port}`;
  });

  afterEach(async () => {
    await endpoint.close();
    await rm(root, { recursive: true, force: true });
  });

  it('/healthz is 503 while starting, 200 while serving, 503 while stopping', async () => {
    expect(endpoint.url).toBe(`${base}/metrics`);
    const health = async () => {
      const response = await fetch(`${base}/healthz`);
      return [response.status, await response.text()];
    };
    expect(await health()).toEqual([503, 'starting\n']);
    endpoint.serving();
    expect(await health()).toEqual([200, 'ok\n']);
    endpoint.stopping();
    expect(await health()).toEqual([503, 'shutting down\n']);
  });

  it('answers only GET and HEAD, only on /metrics and /healthz', async () => {
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics/x`)).status).toBe(404);
    const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await head.text()).toBe('');
    expect((await fetch(`${base}/metrics?debug=1`)).status).toBe(200);
  });

  it('never turns a path, a user name or an unknown code into a label', async () => {
    const session = { id: 1, remoteAddress: '127.0.0.1', remotePort: 1, user: 'mallory"}' };
    const forged = {
      session,
      operation: 'exfiltrate',
      path: '/etc/passwd',
      bytes: 5,
      durationMs: 3,
      outcome: 'E_SECRET_/etc',
    } as unknown as OperationEvent;
    server.emit('operation', forged);
    server.emit('operation', { ...forged, operation: 'put', outcome: 'ok' });
    server.emit('loginFailed', { session, user: 'mallory"} 1\nx', blocked: false });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('cftp_transfers_total{op="other",outcome="error"} 1');
    expect(text).toContain('cftp_transfers_total{op="put",outcome="ok"} 1');
    expect(text).toContain('cftp_errors_total{code="other"} 1');
    expect(text).toContain('cftp_errors_total{code="EAUTH"} 1');
    expect(text).toContain('cftp_login_failures_total 1');
    expect(text).toContain('cftp_transfer_bytes_total{direction="in"} 5');
    expect(text).toContain('cftp_transfer_duration_seconds_count 1');
    for (const leaked of ['passwd', 'mallory', 'exfiltrate', 'SECRET']) {
      expect(text).not.toContain(leaked);
    }
  });
});
