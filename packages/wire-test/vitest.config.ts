import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'wire-test',
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
  },
});
