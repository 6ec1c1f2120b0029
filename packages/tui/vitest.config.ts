import { defineProject } from 'vitest/config';
import { maxWorkers } from '../../vitest.shared.config.js';

export default defineProject({
  test: {
    maxWorkers,
    name: 'tui',
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
  },
});
