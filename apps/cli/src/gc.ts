// V8's minor garbage collection, for the engines' `collectGarbage` option: every socket read
// gets a fresh buffer, and without a nudge V8 lets ~64 MiB of dead ones pile up before it
// collects. See Reclaimer in @cftp/protocol and docs/performance.md ("Memory").
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options?: { type?: 'major' | 'minor' }) => void;

let collect: Collect | undefined;

function collector(): Collect {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  }
  return collect;
}

/** A function that runs a minor collection (cheap: young objects only). */
export function minorGc(): () => void {
  const run = collector();
  return () => run({ type: 'minor' });
}

/**
 * Either kind, for the S3 storage: minor ones as it reads from the store, a major one when
 * it drops the part buffers of finished uploads (old objects: a minor one cannot free them).
 */
export function garbageCollector(): (type: 'minor' | 'major') => void {
  const run = collector();
  return (type) => run({ type });
}

/**
 * Whether V8's young generation may grow past its starting size (V8 reads
 * `--semi-space-growth-factor` each time it would grow it, so this works at run time; 2 is
 * V8's default). `cftp server` turns growth off first thing: a server on local storage makes
 * little garbage per byte it moves, yet during a 1 GiB download V8 grew the young generation
 * to 16 MiB, most of the server's RSS growth; kept small, the server peaked about 10 MiB
 * lower there and 20–30 MiB lower with 200 sessions, at no measured cost in speed or CPU
 * (docs/performance.md). S3 storage turns it back on: the SDK allocates far more, and with a
 * small young generation the server's S3 gets hit mark-compact storms more often.
 */
export function youngGenerationGrows(grows: boolean): void {
  setFlagsFromString(`--semi-space-growth-factor=${grows ? 2 : 1}`);
}
