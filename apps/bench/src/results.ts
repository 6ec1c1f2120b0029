// The results model: one row per scenario × system, the targets of issue #7 checked against
// them, and the markdown table printed at the end of a run.
import type { MachineInfo } from './machine.js';
import type { Summary } from './stats.js';

export type Unit = 'MiB/s' | 'files/s' | 'ms' | 's' | 'KiB' | 'MiB';

/** A system under test: CFTP, a ceiling (what Node and the machine can do), or a peer. */
export type System =
  | 'cftp'
  | 'cftp --insecure-plaintext'
  | 'ceiling'
  | 'ftp-srv + basic-ftp'
  | 'vsftpd + curl'
  | 'vsftpd + lftp'
  | 'vsftpd + basic-ftp'
  | 'rsync daemon'
  | 'vsftpd + lftp mirror'
  | 'cftp (S3)'
  | 'aws-sdk (S3)';

export interface TargetCheck {
  /** What the target says, e.g. `≥ 1000 MiB/s`. */
  text: string;
  met: boolean;
}

export interface Row {
  /** Scenario id, the same for every system that runs it, e.g. `get-large`. */
  scenario: string;
  /** What the table calls it, e.g. `get 1 GiB`. */
  title: string;
  system: System;
  unit: Unit;
  /** The headline figure over several runs. */
  value: Summary;
  /** Other figures of the same runs (peak RSS in MiB, CPU seconds, ratios, errors). */
  details: Record<string, number>;
  notes: string[];
  targets: TargetCheck[];
}

export interface Skipped {
  system: string;
  reason: string;
}

export interface BenchResults {
  mode: 'quick' | 'full';
  startedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  /** 1-minute load average before and after the run (after includes the bench's own load). */
  loadAverage: { before: number; after: number };
  /**
   * CPU time that processes outside the bench used during the run (machine busy time minus
   * the bench's own, children included): anything above a few % skews the figures.
   */
  otherProcesses: { cpuSeconds: number; shareOfMachine: number };
  rows: Row[];
  skipped: Skipped[];
}

/** Labels of the detail figures, in the order the table shows them. */
const DETAIL_LABELS: Array<[key: string, label: (value: number) => string]> = [
  ['inProcessMiBps', (v) => `in-process ${v.toFixed(0)} MiB/s`],
  ['ratioToCeiling', (v) => `${v.toFixed(2)}× file→socket→file`],
  ['ratioToSdk', (v) => `${v.toFixed(2)}× the AWS SDK`],
  ['serverPeakRssMiB', (v) => `server RSS ${v.toFixed(1)} MiB`],
  ['clientPeakRssMiB', (v) => `client RSS ${v.toFixed(1)} MiB`],
  ['serverCpuSeconds', (v) => `server CPU ${v.toFixed(2)} s`],
  ['clientCpuSeconds', (v) => `client CPU ${v.toFixed(2)} s`],
  ['serverCpuPerGiB', (v) => `server ${v.toFixed(2)} CPU-s/GiB`],
  ['clientCpuPerGiB', (v) => `client ${v.toFixed(2)} CPU-s/GiB`],
  ['receiverCpuPerGiB', (v) => `receiver ${v.toFixed(2)} CPU-s/GiB`],
  ['entries', (v) => `${v} entries`],
  ['sessions', (v) => `${v} sessions`],
  ['errors', (v) => `${v} errors`],
  ['serverBaseRssMiB', (v) => `server RSS ${v.toFixed(1)} MiB before`],
  ['serverRssDeltaMiB', (v) => `+${v.toFixed(1)} MiB with them`],
];

function formatNumber(value: number, unit: Unit): string {
  if (unit === 'ms') return value < 10 ? value.toFixed(2) : value.toFixed(1);
  if (unit === 's') return value.toFixed(2);
  return value < 100 ? value.toFixed(1) : value.toFixed(0);
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

export function formatDetails(row: Row): string {
  const parts: string[] = [];
  for (const [key, label] of DETAIL_LABELS) {
    const value = row.details[key];
    if (value !== undefined && Number.isFinite(value)) parts.push(label(value));
  }
  return [...parts, ...row.notes].join('; ');
}

export function formatTargets(row: Row): string {
  return row.targets.map((t) => `${t.text}: **${t.met ? 'met' : 'missed'}**`).join('<br>');
}

export function machineLine(machine: MachineInfo): string {
  return (
    `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB RAM, ` +
    `Node ${machine.nodeVersion}, ${machine.os}`
  );
}

/**
 * The row's median over vsftpd's in the same scenario (same run, same files), or empty when
 * vsftpd did not run it. For ms rows lower is better, so the ratio is vsftpd's over ours:
 * above 1 always means ahead of vsftpd.
 */
export function ratioToVsftpd(row: Row, rows: readonly Row[]): number | undefined {
  if (row.system.startsWith('vsftpd')) return undefined;
  const peer = rows.find((r) => r.scenario === row.scenario && r.system.startsWith('vsftpd'));
  if (peer === undefined || peer.value.median <= 0 || row.value.median <= 0) return undefined;
  return row.unit === 'ms'
    ? peer.value.median / row.value.median
    : row.value.median / peer.value.median;
}

function ratioCell(row: Row, rows: readonly Row[]): string {
  const ratio = ratioToVsftpd(row, rows);
  return ratio === undefined ? '' : `${ratio.toFixed(2)}×`;
}

/** The markdown report: machine, load, then one table row per scenario × system. */
export function renderMarkdown(results: BenchResults): string {
  const lines = [
    `## CFTP bench (${results.mode}), ${results.startedAt}`,
    '',
    `Machine: ${machineLine(results.machine)}.`,
    `Load average (1 min): ${results.loadAverage.before.toFixed(2)} before the run. ` +
      `Run took ${results.durationSeconds.toFixed(0)} s; other processes used ` +
      `${results.otherProcesses.cpuSeconds.toFixed(1)} CPU-s meanwhile ` +
      `(${(100 * results.otherProcesses.shareOfMachine).toFixed(1)} % of the machine).`,
    '',
    '| scenario | system | median | min | max | unit | × vsftpd | details | target |',
    '| --- | --- | ---: | ---: | ---: | --- | ---: | --- | --- |',
  ];
  for (const row of results.rows) {
    const { min, median, max } = row.value;
    lines.push(
      `| ${cell(row.title)} | ${row.system} | ${formatNumber(median, row.unit)} | ` +
        `${formatNumber(min, row.unit)} | ${formatNumber(max, row.unit)} | ${row.unit} | ` +
        `${ratioCell(row, results.rows)} | ` +
        `${cell(formatDetails(row))} | ${formatTargets(row)} |`,
    );
  }
  if (results.skipped.length > 0) {
    lines.push('', 'Skipped:');
    for (const skip of results.skipped) lines.push(`- ${skip.system}: ${skip.reason}`);
  }
  if (results.mode === 'quick') lines.push('', '--quick: small sizes, no targets checked.');
  return `${lines.join('\n')}\n`;
}

const SCENARIO_ORDER = [
  'ceiling-socket',
  'ceiling-tls',
  'ceiling-file',
  'ceiling-file-fsync',
  'ceiling-sha256',
  'get-large',
  'put-large',
  'put-many',
  'get-many',
  'list-1000',
  'list-10000',
  'connect',
  'sessions',
  'idle-server',
  'idle-session',
  'sync-floor-commit',
  'sync-first',
  'sync-floor-walk',
  'sync-nochange',
  'sync-checksum',
  'sync-1pct-changed',
  'sync-1pct-deleted',
  's3-put-large',
  's3-get-large',
];
const SYSTEM_ORDER: System[] = [
  'ceiling',
  'cftp',
  'cftp --insecure-plaintext',
  'ftp-srv + basic-ftp',
  'vsftpd + curl',
  'vsftpd + lftp',
  'vsftpd + basic-ftp',
  'rsync daemon',
  'vsftpd + lftp mirror',
  'aws-sdk (S3)',
  'cftp (S3)',
];

/** Rows grouped by scenario, CFTP first and its peers below it. */
export function sortRows(rows: Row[]): Row[] {
  const rank = (list: readonly string[], value: string) => {
    const index = list.indexOf(value);
    return index < 0 ? list.length : index;
  };
  return [...rows].sort(
    (a, b) =>
      rank(SCENARIO_ORDER, a.scenario) - rank(SCENARIO_ORDER, b.scenario) ||
      rank(SYSTEM_ORDER, a.system) - rank(SYSTEM_ORDER, b.system),
  );
}
