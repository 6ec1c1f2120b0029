import { defineProject } from 'vitest/config';
import { maxWorkers } from '../../vitest.shared.config.js';

// Outer bounds for a machine at 4x load, above testkit's 90 s process guard
// (PROCESS_GUARD_MS); tests that run long on purpose (fuzz, soak) set their own.
export default defineProject({
  test: {
    maxWorkers,
    name: 'hostile',
    // The files share no module state (each starts its own processes and folders), so one
    // worker's module cache serves them all: measured on e2e, 333 → 272 CPU-s.
    isolate: false,
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
