// What machine a run was on: the figures only mean something next to it.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { CLOCK_TICKS, readCpu } from './proc.js';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  nodeVersion: string;
  os: string;
}

export function machineInfo(): MachineInfo {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    nodeVersion: process.version,
    os: `${type()} ${release()}`,
  };
}

export function loadAverage(): number {
  return loadavg()[0] ?? 0;
}

/** CPU seconds all processes of the machine have used since boot (/proc/stat). */
export function machineBusySeconds(): number {
  const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu  user nice system idle iowait irq softirq steal ...
  const [user, nice, system, , , irq, softirq, steal] = first
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const ticks = [user, nice, system, irq, softirq, steal].reduce<number>(
    (sum, v) => sum + (v ?? 0),
    0,
  );
  return ticks / CLOCK_TICKS;
}

/** CPU seconds of this process and of every child it has reaped (the whole bench). */
export function benchCpuSeconds(): number {
  return readCpu(process.pid)?.withChildren ?? 0;
}
