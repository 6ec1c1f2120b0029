import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'hostile',
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
