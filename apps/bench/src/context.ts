// What every scenario gets: the configuration, the fixtures, and where results go.
import type { BenchConfig, ScenarioId } from './config.js';
import type { Fixtures } from './fixtures.js';
import type { Row, Skipped } from './results.js';

export interface BenchContext {
  config: BenchConfig;
  fixtures: Fixtures;
  rows: Row[];
  skipped: Skipped[];
  /** Progress for the person waiting (stderr), never part of the results. */
  log(message: string): void;
  wants(id: ScenarioId): boolean;
}

export function kibToMib(kib: number): number {
  return kib / 1024;
}

/** Median of a list of numbers (details are medians of their runs too). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
