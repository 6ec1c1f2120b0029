// V8's minor garbage collection, for the engines' `collectGarbage` option: every socket read
// gets a fresh buffer, and without a nudge V8 lets ~64 MiB of dead ones pile up before it
// collects. See Reclaimer in @cftp/protocol and docs/performance.md ("Memory").
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options?: { type?: 'major' | 'minor' }) => void;

let collect: Collect | undefined;

/** A function that runs a minor collection (cheap: young objects only). */
export function minorGc(): () => void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  }
  const run = collect;
  return () => run({ type: 'minor' });
}
