import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 30_000,
    // Property and conformance suites are CPU-bound; two workers match the machines we run on.
    maxWorkers: 2,
    // The JSON report is what .ci/run counts (CI reads a plain "N passed, N failed" line).
    reporters: ["default", ["json", { outputFile: ".vitest-report.json" }]],
  },
});
