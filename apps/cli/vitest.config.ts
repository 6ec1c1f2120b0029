import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cli',
    include: ['test/**/*.test.{ts,tsx}'],
    // The files share no global state, so one worker module cache serves them all: this
    // saves a worker start per file.
    isolate: false,
    testTimeout: 30_000,
  },
});
