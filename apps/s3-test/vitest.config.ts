import { defineProject } from 'vitest/config';
import { maxWorkers } from '../../vitest.shared.config.js';

// The store (a real Ceph RADOS Gateway) is started once for the project by global-setup.ts
// and stopped after it. Timeouts are outer bounds for a machine at 4x load.
export default defineProject({
  test: {
    maxWorkers,
    name: 's3',
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
