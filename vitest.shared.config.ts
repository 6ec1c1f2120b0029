// Settings every vitest project must share: vitest takes `maxWorkers` from each project's
// own config (the root config's value does not reach file-based projects), and projects
// in one run must agree on it.
import { availableParallelism } from 'node:os';

/**
 * vitest's default is one worker less than the cores: a single worker on a 2-core machine,
 * so every file ran after the other. The e2e and hostile files spend much of their time
 * waiting on the `cftp` processes they start, so two files at once keep both cores busy.
 */
export const maxWorkers = Math.max(2, availableParallelism() - 1);
