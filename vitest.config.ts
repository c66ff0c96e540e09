import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Registry, kpt and pre-commit tests spawn real processes; two cores.
    maxWorkers: 2,
  },
});
