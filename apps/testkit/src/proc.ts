// What a process holds, read from /proc (Linux): resident memory, open descriptors, and
// the TCP sockets it has listening. Tests use it to show that nothing leaks or piles up.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcessUsage {
  /** Resident set size. */
  rssKiB: number;
  /** Peak resident set size since start. */
  peakRssKiB: number;
  /** Open file descriptors. */
  fds: number;
}

export function processUsage(pid: number): ProcessUsage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return {
    rssKiB: field('VmRSS'),
    peakRssKiB: field('VmHWM'),
    fds: readdirSync(`/proc/${pid}/fd`).length,
  };
}

/** What each open descriptor of a process points at (`socket:[123]`, a path...), for diagnostics. */
export function openFiles(pid: number): string[] {
  const targets: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      targets.push(`${fd} -> ${readlinkSync(`/proc/${pid}/fd/${fd}`)}`);
    } catch {
      // closed while we looked
    }
  }
  return targets;
}

/** Socket inodes among a process's descriptors. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match !== null) inodes.add(match[1]!);
    } catch {
      // closed while we looked
    }
  }
  return inodes;
}

/** TCP sockets in state LISTEN (0A) that belong to `pid`, IPv4 and IPv6. */
export function listeningSockets(pid: number): number {
  const mine = socketInodes(pid);
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      if (columns[3] === '0A' && mine.has(columns[9] ?? '')) count++;
    }
  }
  return count;
}
