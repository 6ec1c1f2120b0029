import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'transfer',
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
  },
});
