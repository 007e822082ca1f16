import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end suites start real processes; two cores run two files at a time.
    maxWorkers: 2,
    setupFiles: ['test/setup-files.ts'],
    projects: [
      // Pure logic, no server, no store.
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**'],
          // Files share their worker's module cache (no test changes globals; each file closes
          // what it opened): a new process per file cost about a third of the suite's time.
          isolate: false,
          globalSetup: ['test/global-setup.ts'],
        },
      },
      // The route and operation engine suites again on PostgreSQL (test/support/stores.ts reads
      // MOONCDN_TEST_STORE), so a behaviour cannot differ between the stores unseen. The store
      // suites themselves run on both in one pass.
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['test/api/**/*.test.ts', 'test/operations/**/*.test.ts'],
          env: { MOONCDN_TEST_STORE: 'postgres' },
          // As for sqlite: the same files share their worker's modules there already.
          isolate: false,
        },
      },
    ],
  },
});
