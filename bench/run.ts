// `npm run bench`: iamc's runtime against iamc's own reference evaluator (the naive baseline that
// looks at every statement), on the standard workload at growing statement counts. Writes
// bench/results/latest.json and prints a markdown table.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import b from "benny";
import { compileWorkspace } from "../compiler/compile.js";
import { evaluateIr } from "../compiler/reference/evaluate.js";
import type { AwsWorkspace, Request } from "../compiler/ir.js";
import { loadBundle } from "../runtime/index.js";
import { standardManifest, standardRequests } from "./workloads.js";
import { workspaceFromManifest } from "./workspace.js";

const SIZES = (process.env.IAMC_BENCH_SIZES ?? "10,1000,10000,100000").split(",").map(Number);
const REFERENCE_LIMIT = 10_000; // the naive evaluator scans every statement: past this it takes too long

interface Row {
  statements: number;
  compileMs: number;
  statementsPerSecond: number;
  bundleBytes: number;
  loadMs: number;
  heapBytes: number;
  checkNsMedian: number;
  checkNsP99: number;
  checksPerSecond: number;
  referenceNsPerCheck: number | null;
}

/** Median and p99 of per-check time, from batches timed with the high-resolution clock. */
function latency(check: (r: Request) => unknown, requests: readonly Request[]): { median: number; p99: number } {
  const batch = 64;
  const samples: number[] = [];
  for (let round = 0; round < 3000; round++) {
    const offset = (round * batch) % (requests.length - batch);
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) check(requests[offset + i]!);
    samples.push(Number(process.hrtime.bigint() - start) / batch);
  }
  samples.sort((x, y) => x - y);
  return { median: samples[Math.floor(samples.length / 2)]!, p99: samples[Math.floor(samples.length * 0.99)]! };
}

async function measure(n: number): Promise<Row> {
  const workspace = workspaceFromManifest(standardManifest(n)) as AwsWorkspace;
  const t0 = performance.now();
  const { bundle, diagnostics } = compileWorkspace(workspace);
  const compileMs = performance.now() - t0;
  if (bundle === undefined) throw new Error(JSON.stringify(diagnostics));
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t1 = performance.now();
  const authz = loadBundle(bundle);
  const loadMs = performance.now() - t1;
  globalThis.gc?.();
  const heapBytes = process.memoryUsage().heapUsed - heapBefore;
  const requests = standardRequests(n, 4096) as Request[];
  for (const r of requests) authz.check(r); // warm-up

  let checksPerSecond = 0;
  let referenceNsPerCheck: number | null = null;
  let k = 0;
  await b.suite(
    `check, ${n} statements`,
    b.add("iamc runtime", () => { authz.check(requests[k++ & 4095]!); }),
    ...(n <= REFERENCE_LIMIT ? [b.add("iamc reference evaluator", () => { evaluateIr(workspace, requests[k++ & 4095]!); })] : []),
    b.cycle(),
    b.complete((summary) => {
      for (const result of summary.results) {
        if (result.name === "iamc runtime") checksPerSecond = result.ops;
        else referenceNsPerCheck = 1e9 / result.ops;
      }
    }),
  );
  const { median, p99 } = latency((r) => authz.check(r), requests);
  return {
    statements: n, compileMs, statementsPerSecond: (n / compileMs) * 1000, bundleBytes: bundle.length, loadMs,
    heapBytes, checkNsMedian: median, checkNsP99: p99, checksPerSecond, referenceNsPerCheck,
  };
}

const rows: Row[] = [];
for (const n of SIZES) rows.push(await measure(n));

const fmt = (x: number, digits = 0) => x.toLocaleString("en-US", { maximumFractionDigits: digits });
console.log("\n| statements | compile ms | statements/s | bundle bytes | load ms | heap after load | check ns median | p99 | checks/s | reference ns/check |");
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(`| ${fmt(r.statements)} | ${fmt(r.compileMs, 1)} | ${fmt(r.statementsPerSecond)} | ${fmt(r.bundleBytes)} | ${fmt(r.loadMs, 1)} | ${fmt(r.heapBytes)} | ${fmt(r.checkNsMedian)} | ${fmt(r.checkNsP99)} | ${fmt(r.checksPerSecond)} | ${r.referenceNsPerCheck === null ? "(skipped)" : fmt(r.referenceNsPerCheck)} |`);
}
const out = fileURLToPath(new URL("../../bench/results/latest.json", import.meta.url));
writeFileSync(out, JSON.stringify({ node: process.version, date: new Date().toISOString(), rows }, null, 2) + "\n");
console.log(`\nwrote ${out}`);
