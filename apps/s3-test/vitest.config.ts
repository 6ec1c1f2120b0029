import { defineProject } from 'vitest/config';
import { maxWorkers } from '../../vitest.shared.config.js';

// The store (a real Ceph RADOS Gateway) is started once for the project by global-setup.ts
// and stopped after it. Timeouts are outer bounds for a machine at 4x load.
export default defineProject({
  test: {
    maxWorkers,
    name: 's3',
    include: ['test/**/*.test.ts'],
    // The files share no module state (each works under its own key prefix, with its own
    // server processes), so one worker's module cache, AWS SDK included, serves them all.
    isolate: false,
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
