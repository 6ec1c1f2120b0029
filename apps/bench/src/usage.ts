// A process's own CPU time and peak memory, as child processes report them to the harness.

export interface ProcessUsage {
  /** User + system CPU seconds, all threads. */
  cpuSeconds: number;
  /** Peak resident set size (getrusage ru_maxrss). */
  peakRssKiB: number;
}

export function selfUsage(): ProcessUsage {
  const usage = process.resourceUsage();
  return { cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, peakRssKiB: usage.maxRSS };
}

/** Environment variable naming the file that `usage-probe.js` writes at exit. */
export const USAGE_FILE_ENV = 'CFTP_BENCH_USAGE_FILE';
