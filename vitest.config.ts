import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 30_000,
    // Property and conformance suites are CPU-bound; two workers match the machines we run on.
    maxWorkers: 2,
  },
});
