// Human-readable figures for the CLI's summaries.

const MiB = 1024 * 1024;

/** `get a.txt: 1048576 bytes in 0.012 s (83.3 MiB/s)` */
export function transferSummary(verb: string, name: string, bytes: number, ms: number): string {
  const seconds = ms / 1000;
  const rate = seconds > 0 ? bytes / MiB / seconds : 0;
  return `${verb} ${name}: ${bytes} bytes in ${seconds.toFixed(3)} s (${rate.toFixed(1)} MiB/s)`;
}
