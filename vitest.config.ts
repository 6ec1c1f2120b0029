// One vitest run over every package and app (each has its own vitest.config.ts, which takes
// the shared settings from vitest.shared.config.ts).
import { defineConfig } from 'vitest/config';
import LongProjectsFirst from './vitest.sequencer.js';
import { maxWorkers } from './vitest.shared.config.js';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    maxWorkers,
    sequence: { sequencer: LongProjectsFirst },
  },
});
