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
