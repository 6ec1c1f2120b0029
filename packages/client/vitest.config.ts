import { defineProject } from 'vitest/config';
import { maxWorkers } from '../../vitest.shared.config.js';

export default defineProject({
  test: {
    maxWorkers,
    name: 'client',
    include: ['test/**/*.test.{ts,tsx}'],
    // The files share no global state, so one worker module cache serves them all: this
    // saves a worker start per file.
    isolate: false,
    testTimeout: 30_000,
  },
});
