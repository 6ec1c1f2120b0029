// Smoke test of the bench harness: the built `dist/main.js --quick` as a real process, then
// the structure of what it wrote. No timing thresholds: speed is measured by the bench,
// never asserted by a test.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResults, Row } from '../src/results.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Every scenario CFTP runs in --quick mode (list sizes: 1000 only). */
const CFTP_SCENARIOS = [
  'get-large',
  'put-large',
  'put-many',
  'get-many',
  'list-1000',
  'connect',
  'sessions',
  'idle-server',
  'idle-session',
];
/** CFTP without TLS (`--insecure-plaintext`), where encryption costs most. */
const PLAINTEXT_SCENARIOS = ['get-large', 'put-large', 'connect'];
const CEILINGS = [
  'ceiling-socket',
  'ceiling-tls',
  'ceiling-file',
  'ceiling-file-fsync',
  'ceiling-sha256',
];
/** What every FTP peer runs (when it is installed). */
const PEER_SCENARIOS = ['get-large', 'put-large', 'put-many', 'get-many', 'list-1000', 'connect'];

let dir: string;
let stdout = '';
let stderr = '';
let exitCode: number | null = null;
let results: BenchResults;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cftp-bench-test-'));
  const out = join(dir, 'results.json');
  const child = spawn(process.execPath, [MAIN, '--quick', '--runs', '1', '--out', out], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  exitCode = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  results = JSON.parse(await readFile(out, 'utf8')) as BenchResults;
  // An outer bound, not a measure: about 20 s on a quiet 2-core machine, and a busy one
  // (other suites on both cores) has taken over 120 s. The harness guards each child itself.
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rowsOf(system: string): Map<string, Row> {
  return new Map(results.rows.filter((r) => r.system === system).map((r) => [r.scenario, r]));
}

describe('npm run bench -- --quick', () => {
  it('exits 0 and prints a markdown table with the machine', () => {
    expect(exitCode, stderr).toBe(0);
    expect(stdout).toMatch(/^## CFTP bench \(quick\)/);
    expect(stdout).toContain(
      '| scenario | system | median | min | max | unit | × vsftpd | details | target |',
    );
    expect(stdout).toContain(`Node ${process.version}`);
    expect(stdout).toMatch(/\| get 32 MiB \| cftp \|/);
  });

  it('writes the machine, mode and machine load into the JSON', () => {
    expect(results.mode).toBe('quick');
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.nodeVersion).toBe(process.version);
    expect(results.machine.cpuModel.length).toBeGreaterThan(0);
    expect(Number.isFinite(results.loadAverage.before)).toBe(true);
    expect(results.otherProcesses.cpuSeconds).toBeGreaterThanOrEqual(0);
    expect(results.durationSeconds).toBeGreaterThan(0);
  });

  it('has every ceiling and every CFTP scenario, with TLS and without', () => {
    // The TLS ceiling needs openssl for its throwaway certificate; without it, a note says so.
    const tlsSkipped = results.skipped.some((s) => s.system === 'ceiling (TLS socket)');
    const ceilings = CEILINGS.filter((id) => !(tlsSkipped && id === 'ceiling-tls'));
    expect([...rowsOf('ceiling').keys()].sort()).toEqual([...ceilings].sort());
    if (!tlsSkipped) {
      expect(rowsOf('ceiling').get('ceiling-tls')!.details.receiverCpuPerGiB).toBeGreaterThan(0);
    }
    expect([...rowsOf('cftp').keys()].sort()).toEqual([...CFTP_SCENARIOS].sort());
    expect([...rowsOf('cftp --insecure-plaintext').keys()].sort()).toEqual(
      [...PLAINTEXT_SCENARIOS].sort(),
    );
  });

  it('has the ftp-srv peer, and vsftpd or a note saying why not', () => {
    expect([...rowsOf('ftp-srv + basic-ftp').keys()].sort()).toEqual([...PEER_SCENARIOS].sort());
    const vsftpd = results.rows.filter((r) => r.system.startsWith('vsftpd'));
    if (vsftpd.length === 0) {
      expect(results.skipped.some((s) => s.system === 'vsftpd')).toBe(true);
    } else {
      expect(new Set(vsftpd.map((r) => r.scenario))).toEqual(new Set(PEER_SCENARIOS));
    }
  });

  it('has finite positive figures for every run, and no errors', () => {
    for (const row of results.rows) {
      const where = `${row.scenario} / ${row.system}`;
      expect(row.value.samples.length, where).toBeGreaterThan(0);
      // Memory per idle session may round to nothing; every other figure is a real rate or time.
      const floor = row.scenario === 'idle-session' ? 0 : Number.MIN_VALUE;
      for (const value of [row.value.min, row.value.median, row.value.max, ...row.value.samples]) {
        expect(Number.isFinite(value) && value >= floor, `${where}: ${value}`).toBe(true);
      }
      expect(row.value.min).toBeLessThanOrEqual(row.value.median);
      expect(row.value.median).toBeLessThanOrEqual(row.value.max);
      for (const [key, value] of Object.entries(row.details)) {
        if (key === 'errors') expect(value, `${where}: errors`).toBe(0);
        else expect(Number.isFinite(value) && value >= 0, `${where}: ${key} = ${value}`).toBe(true);
      }
    }
  });

  it('reports resources and the ceiling ratio for CFTP large files', () => {
    for (const scenario of ['get-large', 'put-large']) {
      const row = rowsOf('cftp').get(scenario)!;
      expect(row.details.serverPeakRssMiB).toBeGreaterThan(0);
      expect(row.details.clientPeakRssMiB).toBeGreaterThan(0);
      expect(row.details.ratioToCeiling).toBeGreaterThan(0);
      expect(row.details.inProcessMiBps).toBeGreaterThan(0);
      expect(row.details.serverCpuPerGiB).toBeGreaterThan(0);
      expect(row.details.clientCpuPerGiB).toBeGreaterThan(0);
    }
    expect(rowsOf('cftp').get('idle-server')!.unit).toBe('MiB');
    expect(rowsOf('cftp').get('sessions')!.details.errors).toBe(0);
  });

  it('checks no targets in --quick mode', () => {
    for (const row of results.rows) expect(row.targets).toEqual([]);
  });
});
