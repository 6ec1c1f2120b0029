// Sizes and run counts of a full run and of --quick (the CI smoke run).
import { GiB, MiB } from './stats.js';

export interface BenchConfig {
  quick: boolean;
  /** One large file, get and put; the ceilings move the same amount. */
  largeBytes: number;
  largeRuns: number;
  smallFiles: number;
  smallFileBytes: number;
  smallRuns: number;
  /** Requests in flight for the many-files client (the server allows 16 per session). */
  concurrency: number;
  /** How the CFTP many-files client moves them (see workers/cftp-many-files.ts). */
  manyFilesStrategy: string;
  listSizes: number[];
  /** Timed runs of each latency scenario (connect, list), after `latencyWarmup` untimed. */
  latencyRuns: number;
  latencyWarmup: number;
  sessions: number;
  sessionBytes: number;
  sessionRuns: number;
  idleSessions: number;
  idleRuns: number;
  /** Run the peers (ftp-srv, vsftpd) too. */
  peers: boolean;
  /** Scenario ids to run; all when undefined. */
  only: Set<string> | undefined;
  /** Write V8 CPU profiles of the CFTP server processes here. */
  profileDir: string | undefined;
}

export function benchConfig(quick: boolean): BenchConfig {
  return {
    quick,
    largeBytes: quick ? 32 * MiB : GiB,
    largeRuns: 3,
    smallFiles: quick ? 100 : 1000,
    smallFileBytes: 4096,
    smallRuns: quick ? 2 : 3,
    concurrency: 8,
    manyFilesStrategy: 'auto',
    listSizes: quick ? [1000] : [1000, 10_000],
    latencyRuns: quick ? 10 : 30,
    latencyWarmup: 3,
    sessions: quick ? 20 : 200,
    sessionBytes: MiB,
    sessionRuns: quick ? 1 : 3,
    idleSessions: quick ? 20 : 200,
    idleRuns: quick ? 1 : 3,
    peers: true,
    only: undefined,
    profileDir: undefined,
  };
}

/** Every scenario id, in the order they run. */
export const SCENARIOS = [
  'ceiling-socket',
  'ceiling-tls',
  'ceiling-file',
  'ceiling-file-fsync',
  'ceiling-sha256',
  'get-large',
  'put-large',
  'put-many',
  'get-many',
  'list',
  'connect',
  'sessions',
  'idle-session',
  'sync-floor-commit',
  'sync-floor-walk',
  'sync-first',
  'sync-nochange',
  'sync-1pct-changed',
  'sync-1pct-deleted',
  'sync-checksum',
  's3-put-large',
  's3-get-large',
] as const;
export type ScenarioId = (typeof SCENARIOS)[number];
