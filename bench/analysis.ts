// How the analysis commands scale: `diff` between the standard workload and the same with one
// statement added, `access` of its principal and `who` for one request, at N statements.
// Run with `npm run bench:analysis` (IAMC_BENCH_ANALYSIS_MAX=100000 to include 100,000).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { accessOf, diffTables, whoMay } from "../compiler/analysis/index.js";
import { compile } from "../compiler/compile.js";
import { inspectBundle, type TableInspector } from "../runtime/index.js";
import { PRINCIPAL, standardManifest } from "./workloads.js";

interface Row {
  readonly statements: number;
  readonly diffMs: number;
  readonly accessMs: number;
  readonly whoMs: number;
  readonly actionRegions: number;
  readonly resourceRegions: number;
}

async function table(dir: string, manifest: unknown): Promise<TableInspector> {
  await writeFile(join(dir, "iamc.json"), JSON.stringify(manifest));
  const { bundle, diagnostics } = await compile(dir);
  if (bundle === undefined) throw new Error(`the workload does not compile: ${diagnostics[0]?.message}`);
  return inspectBundle(bundle);
}

async function measure(n: number): Promise<Row> {
  const root = await mkdtemp(join(tmpdir(), "iamc-bench-analysis-"));
  try {
    const manifest = standardManifest(n) as { policies: { document: { Statement: unknown[] } }[] };
    const edited = structuredClone(manifest);
    edited.policies[0]!.document.Statement.push({ Effect: "Allow", Action: "svc1:NewThing", Resource: "arn:aws:svc1:::newbucket/*" });
    await mkdir(join(root, "a"));
    await mkdir(join(root, "b"));
    const before = await table(join(root, "a"), manifest);
    const after = await table(join(root, "b"), edited);
    let started = performance.now();
    const diff = diffTables(before, after);
    const diffMs = performance.now() - started;
    if (diff.added.length !== 1 || diff.removed.length !== 0) throw new Error(`unexpected diff: ${diff.added.length} added, ${diff.removed.length} removed`);
    // `who` first, on the table `diff` did not prepare: it pays for decoding the automata.
    started = performance.now();
    whoMay(after, "svc1:Get1", "arn:aws:svc1:::bucket1/x");
    const whoMs = performance.now() - started;
    started = performance.now();
    accessOf(after, { principal: PRINCIPAL });
    const accessMs = performance.now() - started;
    return { statements: n, diffMs, accessMs, whoMs, actionRegions: diff.stats.actionRegions, resourceRegions: diff.stats.resourceRegions };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const max = Number(process.env.IAMC_BENCH_ANALYSIS_MAX ?? 10_000);
const rows: Row[] = [];
for (const n of [10, 1_000, 10_000, 100_000].filter((n) => n <= max)) {
  rows.push(await measure(n));
  process.stderr.write(`analysis: ${n} statements done\n`);
}
const fmt = (ms: number) => (ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`);
console.log("| statements | action × resource regions (both tables) | diff | access | who |");
console.log("| ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(`| ${r.statements.toLocaleString("en-US")} | ${r.actionRegions.toLocaleString("en-US")} × ${r.resourceRegions.toLocaleString("en-US")} | ${fmt(r.diffMs)} | ${fmt(r.accessMs)} | ${fmt(r.whoMs)} |`);
}
