// Resource figures of other processes, read from /proc (Linux): resident memory (VmRSS,
// VmHWM), CPU seconds (utime + stime, plus reaped children), and a sampler that follows a
// whole process tree (vsftpd forks one process per session).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** Clock ticks per second for /proc/PID/stat; 100 on every Linux this runs on. */
export const CLOCK_TICKS = 100;

export interface MemoryStatus {
  rssKiB: number;
  /** Peak resident set size since start or since the last `resetPeakRss`. */
  hwmKiB: number;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process has gone
  }
}

export function readMemory(pid: number): MemoryStatus | undefined {
  const status = readText(`/proc/${pid}/status`);
  if (status === undefined) return undefined;
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match === null ? 0 : Number(match[1]);
  };
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
}

/**
 * Resets VmHWM to the current RSS (`echo 5 > /proc/PID/clear_refs`, Linux ≥ 4.0), so the
 * next read gives the peak of one run. Returns false where that is not allowed.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface CpuTimes {
  /** utime + stime of the process itself, seconds. */
  self: number;
  /** Plus cutime + cstime: children it has waited for. */
  withChildren: number;
}

export function readCpu(pid: number): CpuTimes | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14–17.
  const tick = (n: number) => Number(fields[n - 3] ?? 0) / CLOCK_TICKS;
  const self = tick(14) + tick(15);
  return { self, withChildren: self + tick(16) + tick(17) };
}

/** The process and all its live descendants. */
export function processTree(pid: number): number[] {
  const result: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    result.push(next);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${next}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      const children = readText(`/proc/${next}/task/${task}/children`);
      if (children === undefined) continue;
      for (const child of children.trim().split(' ')) if (child !== '') queue.push(Number(child));
    }
  }
  return result;
}

/**
 * CPU seconds used by a process tree so far: every live member's own time plus what it has
 * reaped from children, so a session process that ends moves into its parent's count.
 */
export function treeCpuSeconds(pid: number): number {
  let total = 0;
  for (const member of processTree(pid)) total += readCpu(member)?.withChildren ?? 0;
  return total;
}

export function treeRssKiB(pid: number): number {
  let total = 0;
  for (const member of processTree(pid)) total += readMemory(member)?.rssKiB ?? 0;
  return total;
}

/** Polls a process tree's summed RSS and CPU every `intervalMs` until stopped. */
export class TreeSampler {
  peakRssKiB = 0;
  lastCpuSeconds = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 20,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const rss = treeRssKiB(this.pid);
    if (rss > this.peakRssKiB) this.peakRssKiB = rss;
    const cpu = treeCpuSeconds(this.pid);
    if (cpu > 0) this.lastCpuSeconds = cpu;
  }

  stop(): { peakRssKiB: number; cpuSeconds: number } {
    clearInterval(this.timer);
    this.sample();
    return { peakRssKiB: this.peakRssKiB, cpuSeconds: this.lastCpuSeconds };
  }
}
