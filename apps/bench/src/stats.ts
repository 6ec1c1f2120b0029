// Several runs of one measurement, summarised as min / median / max.

export interface Summary {
  min: number;
  median: number;
  max: number;
  /** Every run, in the order measured. */
  samples: number[];
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples to summarise');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { min: sorted[0]!, median, max: sorted.at(-1)!, samples: [...samples] };
}

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** Bytes moved in `ms` milliseconds, as MiB/s. */
export function mibPerSecond(bytes: number, ms: number): number {
  return bytes / MiB / (Math.max(ms, 1e-3) / 1000);
}

/** `1 GiB`, `32 MiB`, `4 KiB`: sizes as the table shows them. */
export function formatSize(bytes: number): string {
  if (bytes >= GiB && bytes % GiB === 0) return `${bytes / GiB} GiB`;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= KiB && bytes % KiB === 0) return `${bytes / KiB} KiB`;
  return `${bytes} B`;
}
