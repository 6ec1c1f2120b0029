// One vitest run over every package and app (each has its own vitest.config.ts).
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    // vitest's default is one worker less than the cores: a single worker on a 2-core machine,
    // so every file ran after the other. The e2e and hostile files spend most of their time
    // waiting on the `cftp` processes they start, so two files at once keep both cores busy.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
