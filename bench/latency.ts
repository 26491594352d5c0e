// The check-time sampler shared by the bench scripts (run.ts, detach.ts).
import type { BenchRequest } from "./workloads.js";

export interface Latency {
  readonly median: number;
  readonly p99: number;
  /** Timed batches, and checks per batch: both are of per-check times averaged over a batch. */
  readonly samples: number;
  readonly batch: number;
}

/** The median of a few timings (the upper middle one of an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Median and p99 of per-check time, from batches timed with the high-resolution clock, in about
 * `budgetMs` (31 to 3,000 batches) given a rough per-check time.
 */
export function latency(check: (r: BenchRequest) => unknown, requests: readonly BenchRequest[], roughNs: number, budgetMs: number): Latency {
  // Per-check times under a few µs are below what one clock read can time well: time batches.
  // The thresholds are wide so an engine keeps one batch size across N.
  const batch = roughNs < 10_000 ? 64 : roughNs < 200_000 ? 8 : 1;
  const rounds = Math.max(31, Math.min(3000, Math.floor((budgetMs * 1e6) / (roughNs * batch))));
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const offset = (round * batch) % (requests.length - batch);
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) check(requests[offset + i]!);
    samples.push(Number(process.hrtime.bigint() - start) / batch);
  }
  samples.sort((x, y) => x - y);
  return { median: samples[Math.floor(samples.length / 2)]!, p99: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))]!, samples: rounds, batch };
}
