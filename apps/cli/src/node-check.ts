// Whether the Node that runs `cftp` is one its package supports (`engines.node` in
// package.json). main.ts asks before anything else loads: on an older Node the command's
// modules fail to link (Node 20 lacks `glob` in node:fs/promises), and npm only warns about
// `engines` at install time, so without this check such a user gets a SyntaxError.

/** `>=22.12.0` → [22, 12, 0]; undefined for any other form (then nothing is refused). */
function minimumOf(engines: string): number[] | undefined {
  const match = /^>=\s*v?(\d+)\.(\d+)\.(\d+)$/.exec(engines.trim());
  return match === null ? undefined : match.slice(1).map(Number);
}

/**
 * Why `running` (a `process.versions.node`, e.g. `20.20.2`) cannot run a package whose
 * `engines.node` is `engines`, or undefined when it can.
 */
export function nodeProblem(running: string, engines: string): string | undefined {
  const minimum = minimumOf(engines);
  const version = /^(\d+)\.(\d+)\.(\d+)/.exec(running)?.slice(1).map(Number);
  if (minimum === undefined || version === undefined) return undefined;
  for (let i = 0; i < 3; i++) {
    if (version[i]! > minimum[i]!) return undefined;
    if (version[i]! < minimum[i]!) {
      return `needs Node.js ${minimum.join('.')} or later; this is Node.js ${running}`;
    }
  }
  return undefined;
}
