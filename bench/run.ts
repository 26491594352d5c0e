// `npm run bench`: iamc against its peers in one process, on one workload (bench/workloads.ts),
// with the same requests (fixed seed) and a warm-up for every engine:
//
//   iamc runtime               loadBundle(bytes).check(request)  (iamc/runtime/node: native SHA-256 at load)
//   floor                      a Map lookup of the action, a trie walk over the resource's segments
//   iamc reference evaluator   iamc's own naive evaluator, which scans every statement
//   cedar-wasm                 @cedar-policy/cedar-wasm, preparsed policy set, statefulIsAuthorized
//   casbin                     RBAC with deny-override, keyMatch
//
// For each N (IAMC_BENCH_SIZES, default 10,1000,10000,100000) it compiles the workload with iamc
// (in a worker thread, so a compile past its cap can be stopped), loads the bundle, sets each peer
// up, sends every engine the same 3,000 requests (plus a few edge cases) and drops an engine whose
// allow/deny differs from iamc's on any of them, then times the rest in one benny suite and with a
// median/p99 sampler. A peer whose setup or single check passes its cap is recorded as
// "skipped (cap)" and not tried at larger N. IAMC_BENCH_MILLION=1 adds an iamc compile alone at
// N = 1,000,000.
//
// Writes bench/results/latest.json, latest.md and latency.svg, and prints the tables.
//
// Needs `node --expose-gc --no-turbo-inline-js-wasm-calls` (the second avoids a V8 crash in Node
// 20 on calls into cedar-wasm); started without them, it restarts itself with them.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import b from "benny";
import { compileWorkspace } from "../compiler/compile.js";
import type { AwsWorkspace, Request } from "../compiler/ir.js";
import { evaluateIr } from "../compiler/reference/evaluate.js";
import type { Authorizer } from "../runtime/index.js";
import { loadBundle } from "../runtime/node.js";
import { cedarWasm, setupCedar } from "./peers/cedar.js";
import { setupCasbin } from "./peers/casbin.js";
import { setupFloor, type PeerEngine } from "./peers/floor.js";
import { latencySvg, type PlotSeries } from "./plot.js";
import { PRINCIPAL, standardManifest, standardRequests, VARIANT_WORKLOADS, type BenchRequest, type Workload } from "./workloads.js";
import { workspaceFromManifest } from "./workspace.js";
import { measureDslParse, type DslParseResult } from "./dsl-parse.js";
import { latency, median } from "./latency.js";

const REQUIRED_FLAGS = ["--expose-gc", "--no-turbo-inline-js-wasm-calls"];

// ---------------------------------------------------------------------------------------------
// Settings.

const env = (name: string, fallback: number): number => {
  const v = process.env[name];
  const x = v === undefined || v === "" ? fallback : Number(v);
  if (!Number.isFinite(x)) throw new Error(`${name}=${v} is not a number`);
  return x;
};

const SETTINGS = {
  sizes: (process.env.IAMC_BENCH_SIZES ?? "10,1000,10000,100000").split(",").map((s) => Number(s.trim().replace(/_/g, ""))),
  requests: 3000,
  seed: 42,
  /** A peer stops past this setup time (s). */
  setupCapS: env("IAMC_BENCH_SETUP_CAP_S", 60),
  /** A peer stops past this time for one check (ms). */
  checkCapMs: env("IAMC_BENCH_CHECK_CAP_MS", 50),
  /** iamc's compile (in a worker) is stopped past this (s); so is building its input. */
  compileCapS: env("IAMC_BENCH_COMPILE_CAP_S", 180),
  /**
   * iamc compiles (each in a fresh worker, cold as a CLI run is) and loads per N; the tables
   * give the median. One sample of either varied by ±15% from run to run on this machine.
   */
  compileRuns: env("IAMC_BENCH_COMPILE_RUNS", 3),
  /** The compile-alone run at N = 1,000,000 (IAMC_BENCH_MILLION=1). */
  million: process.env.IAMC_BENCH_MILLION === "1",
  millionCapS: env("IAMC_BENCH_MILLION_CAP_S", 900),
  /** Heap limit of the compile worker (MB); past it the worker dies, the run goes on. */
  workerHeapMb: env("IAMC_BENCH_WORKER_HEAP_MB", 12288),
  /** benny: longest time per case (s). */
  bennyMaxTimeS: env("IAMC_BENCH_MAX_TIME_S", 2),
  /** The median/p99 sampler's time budget per engine and N (ms). */
  latencyBudgetMs: env("IAMC_BENCH_LATENCY_BUDGET_MS", 1500),
  /** Statement counts for the variant workloads (conditions, wildcards, roles); empty to skip. */
  variantSizes: (process.env.IAMC_BENCH_VARIANT_SIZES ?? "1000,10000").split(",").filter((s) => s.trim() !== "").map((s) => Number(s.trim().replace(/_/g, ""))),
  /** Cap on an iamc compile of a variant workload (s). */
  variantCompileCapS: env("IAMC_BENCH_VARIANT_COMPILE_CAP_S", 120),
  /** Requests the reference evaluator checks per variant (it scans every statement). */
  variantReferenceRequests: env("IAMC_BENCH_VARIANT_REFERENCE_REQUESTS", 100),
};

// ---------------------------------------------------------------------------------------------
// The compile worker: this same file, run in a worker thread.

interface CompileJob {
  readonly n: number;
  /** A variant workload's name; the standard workload when absent. */
  readonly workload?: string;
}

type CompileMessage =
  | { readonly type: "compiling"; readonly buildMs: number }
  | { readonly type: "done"; readonly compileMs: number; readonly bundle: Uint8Array }
  | { readonly type: "failed"; readonly compileMs: number; readonly note: string };

function compileJob(job: CompileJob): void {
  const port = parentPort!;
  const t0 = performance.now();
  const variant = VARIANT_WORKLOADS.find((w) => w.name === job.workload);
  const workspace = workspaceFromManifest(variant === undefined ? standardManifest(job.n) : variant.manifest(job.n));
  port.postMessage({ type: "compiling", buildMs: performance.now() - t0 } satisfies CompileMessage);
  const t1 = performance.now();
  const { bundle, diagnostics } = compileWorkspace(workspace);
  const compileMs = performance.now() - t1;
  if (bundle === undefined) {
    const note = diagnostics.map((d) => `${d.code} ${d.message}`).slice(0, 2).join("; ");
    port.postMessage({ type: "failed", compileMs, note } satisfies CompileMessage);
    return;
  }
  const copy = new Uint8Array(bundle); // its own ArrayBuffer, to transfer
  port.postMessage({ type: "done", compileMs, bundle: copy } satisfies CompileMessage, [copy.buffer]);
}

type CompileOutcome =
  | { readonly ok: true; readonly compileMs: number; readonly buildMs: number; readonly bundle: Uint8Array }
  | { readonly ok: false; readonly note: string; readonly compileMs?: number; readonly buildMs?: number };

/**
 * Compiles the standard workload at N `runs` times, each in a fresh worker; the outcome of the
 * last, with the median compile time (or the first failure: a compile past its cap is not tried again).
 */
async function compileMedian(n: number, capS: number, runs: number): Promise<CompileOutcome & { compileRunsMs?: number[] }> {
  const compileRunsMs: number[] = [];
  for (;;) {
    const outcome = await compileCapped(n, capS);
    if (!outcome.ok) return outcome;
    compileRunsMs.push(outcome.compileMs);
    if (compileRunsMs.length >= Math.max(1, runs)) return { ...outcome, compileMs: median(compileRunsMs), compileRunsMs };
  }
}

/** Compiles a workload (the standard one by default) at N in a worker; stops it past `capS` (per phase). */
function compileCapped(n: number, capS: number, workload?: string): Promise<CompileOutcome> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { n, ...(workload === undefined ? {} : { workload }) } satisfies CompileJob,
      resourceLimits: { maxOldGenerationSizeMb: SETTINGS.workerHeapMb },
    });
    let settled = false;
    let buildMs: number | undefined;
    let phase = "building the workspace";
    const finish = (outcome: CompileOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(outcome);
    };
    const arm = () =>
      setTimeout(() => finish({ ok: false, note: `skipped (cap): ${phase} passed ${capS} s`, ...(buildMs === undefined ? {} : { buildMs }) }), capS * 1000);
    let timer = arm();
    worker.on("message", (m: CompileMessage) => {
      if (m.type === "compiling") {
        buildMs = m.buildMs;
        phase = "compile";
        clearTimeout(timer);
        timer = arm();
      } else if (m.type === "done") finish({ ok: true, compileMs: m.compileMs, buildMs: buildMs ?? 0, bundle: m.bundle });
      else finish({ ok: false, note: `failed: ${m.note}`, compileMs: m.compileMs, ...(buildMs === undefined ? {} : { buildMs }) });
    });
    worker.on("error", (e) => finish({ ok: false, note: `failed (${phase}): ${(e as Error & { code?: string }).code ?? ""} ${e.message}`.trim() }));
    worker.on("exit", (code) => finish({ ok: false, note: `failed (${phase}): worker exited with code ${code}` }));
  });
}

// ---------------------------------------------------------------------------------------------
// Measuring.

/**
 * Requests as a gateway receives them: parsed from JSON text, so their strings are flat, not the
 * rope strings that building them with template literals leaves (every engine gets the same).
 */
function asReceived<T>(requests: T[]): T[] {
  return JSON.parse(JSON.stringify(requests)) as T[];
}

/** Median time (ns) of a few single checks, after a collection and three untimed calls. */
function probe(check: (r: BenchRequest) => unknown, requests: readonly BenchRequest[]): number {
  gc();
  for (let i = 0; i < 3; i++) check(requests[i]!);
  const times: number[] = [];
  for (let i = 3; i < 8; i++) {
    const start = process.hrtime.bigint();
    check(requests[i % requests.length]!);
    times.push(Number(process.hrtime.bigint() - start));
  }
  times.sort((x, y) => x - y);
  return times[2]!;
}

function gc(): void {
  globalThis.gc?.();
  globalThis.gc?.();
}

/** A few requests the standard mix never makes: the `svc1:*` private deny, nested secrets, edges of `bucket{i}/*`. */
function edgeRequests(n: number): BenchRequest[] {
  const out: BenchRequest[] = [];
  const add = (i: number, path: string) => {
    if (i < n) out.push({ principal: PRINCIPAL, action: `svc${i % 50}:Get${i}`, resource: `arn:aws:svc${i % 50}:::bucket${path}` });
  };
  add(1, "1/private/x"); // explicit deny (svc1:* on */private/*)
  add(51, "51/a/private/b"); // explicit deny, nested
  add(3, "3/private/x"); // allow: the private deny is svc1 only
  add(1, "1/a/b/secret/c"); // explicit deny, nested secret
  add(1, "1/"); // allow: `bucket1/*` matches an empty rest
  add(1, "1"); // implicit deny: no `/`
  add(1, "11/x"); // implicit deny: bucket11 is not bucket1/*
  add(7, "7/secretary/x"); // allow: not /secret/
  return out;
}

// ---------------------------------------------------------------------------------------------
// Engines.

interface EngineState {
  readonly name: string;
  /** Set once the engine passed a cap: it is not tried at larger N. */
  stopped?: string;
  last?: { n: number; setupMs: number; medianNs: number };
}

interface EngineRow {
  engine: string;
  statements: number;
  status: "ok" | "skipped" | "aborted" | "failed";
  note?: string;
  setupMs?: number;
  probeNs?: number;
  equivalence?: { requests: number; agree: number; firstMismatch?: string };
  checkNsMedian?: number;
  checkNsP99?: number;
  latencySamples?: number;
  latencyBatch?: number;
  checksPerSecond?: number;
  bennyMarginPercent?: number;
}

interface IamcRow {
  statements: number;
  status: "ok" | "skipped" | "failed";
  note?: string;
  workspaceBuildMs?: number;
  /** The median of compileRunsMs. */
  compileMs?: number;
  compileRunsMs?: number[];
  statementsPerSecond?: number;
  bundleBytes?: number;
  /** The median of loadRunsMs. */
  loadMs?: number;
  loadRunsMs?: number[];
  heapAfterLoadBytes?: number;
  heapDeltaBytes?: number;
  arrayBuffersDeltaBytes?: number;
  decisions?: { allow: number; explicitDeny: number; implicitDeny: number };
}

const IAMC = "iamc runtime";
/** iamc loaded with learnSpellings: false: every action the bundle does not list pays the walk, as a first request for it does. */
const IAMC_UNLEARNED = "iamc runtime, no learned spellings";
const FLOOR = "floor (Map + segment trie)";
const REFERENCE = "iamc reference evaluator";
const CEDAR = "cedar-wasm";
const CASBIN = "casbin";

/** How a peer is set up at N (may throw: the row is then "failed" with the message). */
type Setup = (manifest: unknown, n: number) => PeerEngine | Promise<PeerEngine>;

const PEERS: { name: string; setup: Setup }[] = [
  { name: FLOOR, setup: (m) => setupFloor(m) },
  {
    name: REFERENCE,
    setup: (m) => {
      const workspace = workspaceFromManifest(m) as AwsWorkspace;
      return { name: REFERENCE, check: (r) => evaluateIr(workspace, r as Request) === "Allow" };
    },
  },
  { name: CEDAR, setup: (m) => setupCedar(m) },
  { name: CASBIN, setup: (m) => setupCasbin(m) },
];

const states = new Map<string, EngineState>([IAMC, IAMC_UNLEARNED, ...PEERS.map((p) => p.name)].map((name) => [name, { name }]));
const engineRows: EngineRow[] = [];
const iamcRows: IamcRow[] = [];

const fmt = (x: number | undefined, digits = 0): string => (x === undefined ? "–" : x.toLocaleString("en-US", { maximumFractionDigits: digits }));
const log = (text: string) => console.log(text);

async function measureSize(n: number): Promise<void> {
  log(`\n=== N = ${fmt(n)} statements ===`);
  const requests = asReceived(standardRequests(n, SETTINGS.requests, SETTINGS.seed));
  const edges = asReceived(edgeRequests(n));
  const verify = [...requests, ...edges];
  const iamcState = states.get(IAMC)!;

  // iamc: compile (capped, in a worker), load, decisions.
  let authz: Authorizer | undefined;
  let unlearned: Authorizer | undefined;
  const iamcRow: IamcRow = { statements: n, status: "ok" };
  iamcRows.push(iamcRow);
  if (iamcState.stopped !== undefined) {
    Object.assign(iamcRow, { status: "skipped", note: iamcState.stopped });
  } else {
    const outcome = await compileMedian(n, SETTINGS.compileCapS, SETTINGS.compileRuns);
    if (!outcome.ok) {
      Object.assign(iamcRow, { status: outcome.note.startsWith("skipped") ? "skipped" : "failed", note: outcome.note, compileMs: outcome.compileMs, workspaceBuildMs: outcome.buildMs });
      iamcState.stopped = `${outcome.note.startsWith("skipped") ? "skipped (cap)" : "not run"}: at N=${fmt(n)}, ${outcome.note.replace(/^(skipped \(cap\)|failed): /, "")}`;
      log(`iamc compile: ${outcome.note}`);
    } else {
      const { bundle, compileMs, compileRunsMs, buildMs } = outcome;
      gc();
      const before = process.memoryUsage();
      const t1 = performance.now();
      authz = loadBundle(bundle);
      const loadRunsMs = [performance.now() - t1];
      gc();
      const after = process.memoryUsage();
      // More loads, timed only (the heap is measured around the first, which the checks use).
      for (let run = 1; run < SETTINGS.compileRuns; run++) {
        const t = performance.now();
        loadBundle(bundle);
        loadRunsMs.push(performance.now() - t);
      }
      const loadMs = median(loadRunsMs);
      unlearned = loadBundle(bundle, { learnSpellings: false });
      Object.assign(iamcRow, {
        workspaceBuildMs: buildMs, compileMs, compileRunsMs, statementsPerSecond: (n / compileMs) * 1000, bundleBytes: bundle.length, loadMs, loadRunsMs,
        heapAfterLoadBytes: after.heapUsed, heapDeltaBytes: after.heapUsed - before.heapUsed, arrayBuffersDeltaBytes: after.arrayBuffers - before.arrayBuffers,
      });
      log(`iamc: compile ${fmt(compileMs, 1)} ms (median of ${compileRunsMs?.map((ms) => fmt(ms, 1)).join(", ")}; ${fmt(iamcRow.statementsPerSecond)} statements/s), bundle ${fmt(bundle.length)} bytes, load ${fmt(loadMs, 1)} ms (median of ${loadRunsMs.map((ms) => fmt(ms, 1)).join(", ")})`);
    }
  }

  const iamcRowFor = (): EngineRow => ({ engine: IAMC, statements: n, status: "ok" });
  if (authz === undefined) {
    const note = iamcState.stopped ?? iamcRow.note ?? "iamc did not compile";
    engineRows.push({ ...iamcRowFor(), status: "skipped", note });
    for (const peer of PEERS) {
      const st = states.get(peer.name)!;
      engineRows.push({ engine: peer.name, statements: n, status: "skipped", note: st.stopped ?? "not verified: no iamc decisions at this N (iamc compile skipped)" });
    }
    return;
  }

  const iamc = authz;
  const truth = verify.map((r) => iamc.check(r));
  iamcRow.decisions = {
    allow: truth.filter((d) => d === "Allow").length,
    explicitDeny: truth.filter((d) => d === "ExplicitDeny").length,
    implicitDeny: truth.filter((d) => d === "ImplicitDeny").length,
  };
  const allowed = truth.map((d) => d === "Allow");

  // Timed engines: the raw call of each (iamc's check returns a Decision, peers a boolean).
  const timed: { row: EngineRow; fn: (r: BenchRequest) => unknown }[] = [];
  const iamcEngineRow: EngineRow = { ...iamcRowFor(), setupMs: iamcRow.loadMs!, equivalence: { requests: verify.length, agree: verify.length } };
  engineRows.push(iamcEngineRow);
  timed.push({ row: iamcEngineRow, fn: (r) => iamc.check(r) });
  if (unlearned !== undefined) {
    const other = unlearned;
    const agree = verify.filter((r, i) => other.check(r) === truth[i]).length;
    const row: EngineRow = { engine: IAMC_UNLEARNED, statements: n, status: "ok", setupMs: iamcRow.loadMs!, equivalence: { requests: verify.length, agree } };
    engineRows.push(row);
    if (agree === verify.length) timed.push({ row, fn: (r) => other.check(r) });
    else Object.assign(row, { status: "aborted", note: `aborted: disagrees with iamc on ${verify.length - agree}/${verify.length} requests` });
  }

  for (const peer of PEERS) {
    const st = states.get(peer.name)!;
    const row: EngineRow = { engine: peer.name, statements: n, status: "ok" };
    engineRows.push(row);
    if (st.stopped !== undefined) {
      Object.assign(row, { status: "skipped", note: st.stopped });
      continue;
    }
    // A peer that was already near its caps at a smaller N: predict (linearly) before paying for it.
    if (st.last !== undefined) {
      const scale = n / st.last.n;
      const setupGuess = st.last.setupMs * scale;
      const checkGuess = st.last.medianNs * scale;
      if (setupGuess > 2 * SETTINGS.setupCapS * 1000) {
        st.stopped = `skipped (cap): setup predicted ≈ ${fmt(setupGuess / 1000)} s > ${SETTINGS.setupCapS} s (linear from N=${fmt(st.last.n)})`;
      } else if (checkGuess > 2 * SETTINGS.checkCapMs * 1e6) {
        st.stopped = `skipped (cap): check predicted ≈ ${fmt(checkGuess / 1e6)} ms > ${SETTINGS.checkCapMs} ms (linear from N=${fmt(st.last.n)})`;
      }
      if (st.stopped !== undefined) {
        Object.assign(row, { status: "skipped", note: st.stopped });
        log(`${peer.name}: ${st.stopped}`);
        continue;
      }
    }
    let engine: PeerEngine;
    const t0 = performance.now();
    try {
      engine = await peer.setup(standardManifest(n), n);
    } catch (error) {
      Object.assign(row, { status: "failed", note: `setup failed: ${(error as Error).message}`.slice(0, 300) });
      log(`${peer.name}: ${row.note}`);
      continue;
    }
    row.setupMs = performance.now() - t0;
    if (row.setupMs > SETTINGS.setupCapS * 1000) {
      st.stopped = `skipped (cap): setup ${fmt(row.setupMs / 1000, 1)} s > ${SETTINGS.setupCapS} s at N=${fmt(n)}`;
      Object.assign(row, { status: "skipped", note: st.stopped });
      log(`${peer.name}: ${st.stopped}`);
      continue;
    }
    const check = (r: BenchRequest) => engine.check(r);
    try {
      row.probeNs = probe(check, requests);
    } catch (error) {
      Object.assign(row, { status: "failed", note: `check failed: ${(error as Error).message}`.slice(0, 300) });
      log(`${peer.name}: ${row.note}`);
      continue;
    }
    if (row.probeNs > SETTINGS.checkCapMs * 1e6) {
      st.stopped = `skipped (cap): one check ≈ ${fmt(row.probeNs / 1e6, 1)} ms > ${SETTINGS.checkCapMs} ms at N=${fmt(n)}`;
      Object.assign(row, { status: "skipped", note: st.stopped });
      log(`${peer.name}: ${st.stopped}`);
      continue;
    }
    // Equivalence: every request, allow/deny against iamc's.
    const t1 = performance.now();
    let agree = 0;
    let firstMismatch: string | undefined;
    for (let i = 0; i < verify.length; i++) {
      const r = verify[i]!;
      let got: boolean;
      try {
        got = engine.check(r);
      } catch (error) {
        firstMismatch ??= `${r.action} on ${r.resource}: threw ${(error as Error).message}`;
        continue;
      }
      if (got === allowed[i]) agree++;
      else firstMismatch ??= `${r.action} on ${r.resource}: iamc ${truth[i]}, ${peer.name} ${got ? "Allow" : "deny"}`;
    }
    row.equivalence = { requests: verify.length, agree, ...(firstMismatch === undefined ? {} : { firstMismatch }) };
    const equivalenceMs = performance.now() - t1;
    log(`${peer.name}: setup ${fmt(row.setupMs, 1)} ms, one check ≈ ${fmt(row.probeNs)} ns, equivalence ${agree}/${verify.length} (${fmt(equivalenceMs / 1000, 1)} s)`);
    if (firstMismatch !== undefined) {
      Object.assign(row, { status: "aborted", note: `aborted: disagrees with iamc on ${verify.length - agree}/${verify.length} requests, first: ${firstMismatch}` });
      continue;
    }
    timed.push({ row, fn: check });
  }

  // Warm-up for the fast engines (the equivalence pass warmed the others).
  for (const { fn, row } of timed) {
    if ((row.probeNs ?? 0) > 20_000) continue;
    for (let pass = 0; pass < 5; pass++) for (const r of requests) fn(r);
  }

  // One benny suite for every engine still standing.
  const len = requests.length;
  await b.suite(
    `check, ${n} statements`,
    ...timed.map(({ row, fn }) => {
      let k = 0;
      return b.add(row.engine, () => {
        fn(requests[k]!);
        k = k + 1 === len ? 0 : k + 1;
      }, { maxTime: SETTINGS.bennyMaxTimeS, minSamples: 5 });
    }),
    b.cycle(),
    b.complete((summary) => {
      for (const result of summary.results) {
        const t = timed.find((x) => x.row.engine === result.name);
        if (t !== undefined) {
          t.row.checksPerSecond = result.ops;
          t.row.bennyMarginPercent = result.margin;
        }
      }
    }),
  );

  for (const { row, fn } of timed) {
    const rough = row.checksPerSecond ? 1e9 / row.checksPerSecond : row.probeNs ?? 1000;
    const l = latency(fn, requests, rough, SETTINGS.latencyBudgetMs);
    Object.assign(row, { checkNsMedian: l.median, checkNsP99: l.p99, latencySamples: l.samples, latencyBatch: l.batch });
    const st = states.get(row.engine)!;
    st.last = { n, setupMs: row.setupMs ?? 0, medianNs: l.median };
    if (row.engine !== IAMC && l.median > SETTINGS.checkCapMs * 1e6) {
      st.stopped = `skipped (cap): check median ${fmt(l.median / 1e6, 1)} ms > ${SETTINGS.checkCapMs} ms at N=${fmt(n)}`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Variant workloads: conditions, mid-string wildcards, many principals sharing roles.

interface VariantRow {
  workload: string;
  engine: string;
  statements: number;
  status: "ok" | "not expressible" | "aborted" | "skipped";
  note?: string;
  setupMs?: number;
  compileMs?: number;
  bundleBytes?: number;
  verified?: string;
  checkNsMedian?: number;
  checkNsP99?: number;
}

const variantRows: VariantRow[] = [];

/**
 * One variant at N: iamc compiles and loads it in-process; the reference evaluator checks a
 * sample of the requests against it; each peer whose translation can express the workload must
 * agree on every request before it is timed. Timing is the median/p99 sampler only.
 */
async function measureVariant(workload: Workload, n: number): Promise<void> {
  log(`\n=== variant ${workload.name}, N = ${fmt(n)} ===`);
  const manifest = workload.manifest(n);
  const requests = asReceived(workload.requests(n, SETTINGS.requests, SETTINGS.seed));
  const row = (engine: string): VariantRow => ({ workload: workload.name, engine, statements: n, status: "ok" });

  const outcome = await compileCapped(n, SETTINGS.variantCompileCapS, workload.name);
  const iamcRow: VariantRow = { ...row(IAMC), ...(outcome.compileMs === undefined ? {} : { compileMs: outcome.compileMs }) };
  variantRows.push(iamcRow);
  if (!outcome.ok) {
    Object.assign(iamcRow, { status: "skipped", note: outcome.note });
    log(`iamc: ${outcome.note}`);
    return;
  }
  const bundle = outcome.bundle;
  log(`iamc: compile ${fmt(outcome.compileMs, 1)} ms, bundle ${fmt(bundle.length)} bytes`);
  const workspace = workspaceFromManifest(manifest) as AwsWorkspace;
  const t1 = performance.now();
  const iamc = loadBundle(bundle);
  Object.assign(iamcRow, { setupMs: performance.now() - t1, bundleBytes: bundle.length });
  const truth = requests.map((r) => iamc.check(r));
  const allowed = truth.map((d) => d === "Allow");
  const counts = ["Allow", "ExplicitDeny", "ImplicitDeny"].map((d) => truth.filter((x) => x === d).length).join(" / ");

  // The reference evaluator: a sample, because it scans every statement per check.
  const sample = requests.slice(0, SETTINGS.variantReferenceRequests);
  const referenceRow = row(REFERENCE);
  variantRows.push(referenceRow);
  const agreeRef = sample.filter((r, i) => evaluateIr(workspace, r as Request) === truth[i]).length;
  referenceRow.verified = `${agreeRef}/${sample.length}`;
  iamcRow.verified = `${agreeRef}/${sample.length} (reference), decisions ${counts}`;
  if (agreeRef !== sample.length) Object.assign(iamcRow, { status: "aborted", note: "iamc disagrees with its reference evaluator" });
  const refLatency = latency((r) => evaluateIr(workspace, r as Request), sample, probe((r) => evaluateIr(workspace, r as Request), sample), SETTINGS.latencyBudgetMs);
  Object.assign(referenceRow, { checkNsMedian: refLatency.median, checkNsP99: refLatency.p99 });

  const timed: { row: VariantRow; fn: (r: BenchRequest) => unknown }[] = [{ row: iamcRow, fn: (r) => iamc.check(r) }];
  for (const peer of PEERS) {
    if (peer.name === REFERENCE) continue;
    const peerRow = row(peer.name);
    variantRows.push(peerRow);
    let engine: PeerEngine;
    const t2 = performance.now();
    try {
      engine = await peer.setup(manifest, n);
    } catch (error) {
      Object.assign(peerRow, { status: "not expressible", note: `translation: ${(error as Error).message}`.slice(0, 200) });
      continue;
    }
    peerRow.setupMs = performance.now() - t2;
    const one = probe((r) => engine.check(r), requests);
    if (one > SETTINGS.checkCapMs * 1e6 || peerRow.setupMs > SETTINGS.setupCapS * 1000) {
      Object.assign(peerRow, { status: "skipped", note: `skipped (cap): setup ${fmt(peerRow.setupMs)} ms, one check ≈ ${fmt(one / 1e6, 1)} ms` });
      continue;
    }
    const agree = requests.filter((r, i) => engine.check(r) === allowed[i]).length;
    peerRow.verified = `${agree}/${requests.length}`;
    if (agree !== requests.length) {
      Object.assign(peerRow, { status: "aborted", note: `disagrees with iamc on ${requests.length - agree} requests` });
      continue;
    }
    timed.push({ row: peerRow, fn: (r) => engine.check(r) });
  }
  for (const { fn } of timed) for (let pass = 0; pass < 3; pass++) for (const r of requests) fn(r);
  for (const { row: r, fn } of timed) {
    const l = latency(fn, requests, probe(fn, requests), SETTINGS.latencyBudgetMs);
    Object.assign(r, { checkNsMedian: l.median, checkNsP99: l.p99 });
    log(`${r.engine}: median ${fmt(l.median)} ns, p99 ${fmt(l.p99)} ns`);
  }
}

function variantMarkdown(): string[] {
  if (variantRows.length === 0) return [];
  const out = ["", "## Variant workloads", ""];
  for (const w of VARIANT_WORKLOADS) out.push(`- **${w.name}**: ${w.description}.`);
  out.push("", "Peers run only where their translation can express the workload and agree with iamc on every request; the reference evaluator checks a sample.", "");
  out.push("| workload | N | engine | ns/check median | p99 | setup ms | compile ms | bundle bytes | verified | note |");
  out.push("|---|---:|---|---:|---:|---:|---:|---:|---|---|");
  for (const r of variantRows) {
    out.push(`| ${r.workload} | ${fmt(r.statements)} | ${r.engine} | ${fmt(r.checkNsMedian)} | ${fmt(r.checkNsP99)} | ${fmt(r.setupMs, 1)} | ${fmt(r.compileMs, 1)} | ${fmt(r.bundleBytes)} | ${r.verified ?? "–"} | ${(r.note ?? (r.status === "ok" ? "" : r.status)).replace(/\|/g, "\\|")} |`);
  }
  return out;
}

/** The 1,000,000-statement compile: the compile columns of an iamc row. */
type MillionResult = Pick<IamcRow, "statements" | "status" | "note" | "workspaceBuildMs" | "compileMs" | "statementsPerSecond" | "bundleBytes">;

async function measureMillion(): Promise<MillionResult> {
  const n = 1_000_000;
  log(`\n=== iamc compile alone, N = ${fmt(n)} (cap ${SETTINGS.millionCapS} s) ===`);
  const outcome = await compileCapped(n, SETTINGS.millionCapS);
  if (!outcome.ok) {
    log(`iamc compile: ${outcome.note}`);
    return { statements: n, status: outcome.note.startsWith("skipped") ? "skipped" : "failed", note: outcome.note, ...(outcome.buildMs === undefined ? {} : { workspaceBuildMs: outcome.buildMs }), ...(outcome.compileMs === undefined ? {} : { compileMs: outcome.compileMs }) };
  }
  log(`iamc compile: ${fmt(outcome.compileMs, 0)} ms, bundle ${fmt(outcome.bundle.length)} bytes`);
  return { statements: n, status: "ok", workspaceBuildMs: outcome.buildMs, compileMs: outcome.compileMs, statementsPerSecond: (n / outcome.compileMs) * 1000, bundleBytes: outcome.bundle.length };
}

// ---------------------------------------------------------------------------------------------
// Reporting.

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || a === 0 ? "–" : `×${fmt(b / a, 2)}`;
}

function markdown(million: MillionResult | undefined, meta: Record<string, unknown>, dsl: DslParseResult): string {
  const out: string[] = [];
  out.push(`# iamc benchmark`, "");
  out.push(`${meta.date} · Node ${meta.node} · ${meta.cpu} · flags ${(meta.execArgv as string[]).join(" ")} · requests: ${SETTINGS.requests} (seed ${SETTINGS.seed}) + edge cases · caps: peer setup ${SETTINGS.setupCapS} s, peer check ${SETTINGS.checkCapMs} ms, iamc compile ${SETTINGS.compileCapS} s`, "");
  out.push(`## Check latency, per engine and N`, "");
  out.push(`ns/check median and p99 from timed batches (batch = checks averaged per sample); checks/s from benny. Setup: iamc = load, floor = build, reference = IR build, cedar = translate + preparse, casbin = translate + newEnforcer.`, "");
  out.push("| engine | N | ns/check median | p99 | checks/s | setup ms | verified | note |");
  out.push("|---|---:|---:|---:|---:|---:|---:|---|");
  const names = [IAMC, IAMC_UNLEARNED, FLOOR, REFERENCE, CEDAR, CASBIN];
  for (const name of names) {
    for (const r of engineRows.filter((x) => x.engine === name)) {
      const verified = r.equivalence === undefined ? "–" : `${r.equivalence.agree}/${r.equivalence.requests}`;
      const note = r.status === "ok" ? (r.latencyBatch !== undefined && r.latencyBatch > 1 ? `batch ${r.latencyBatch}, ${r.latencySamples} samples` : `${r.latencySamples ?? 0} samples`) : (r.note ?? r.status);
      out.push(`| ${name} | ${fmt(r.statements)} | ${fmt(r.checkNsMedian)} | ${fmt(r.checkNsP99)} | ${fmt(r.checksPerSecond)} | ${fmt(r.setupMs, 1)} | ${verified} | ${note.replace(/\|/g, "\\|")} |`);
    }
  }
  out.push("", `## iamc build`, "", `Compile and load: the median of ${SETTINGS.compileRuns} runs (each compile cold, in a fresh worker; all runs in latest.json).`, "");
  out.push("| N | compile ms | statements/s | bundle bytes | load ms | heap after load | Δ heap (load) | Δ array buffers (load) | decisions (allow / explicit / implicit) | note |");
  out.push("|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
  for (const r of iamcRows) {
    const d = r.decisions === undefined ? "–" : `${r.decisions.allow} / ${r.decisions.explicitDeny} / ${r.decisions.implicitDeny}`;
    out.push(`| ${fmt(r.statements)} | ${fmt(r.compileMs, 1)} | ${fmt(r.statementsPerSecond)} | ${fmt(r.bundleBytes)} | ${fmt(r.loadMs, 1)} | ${fmt(r.heapAfterLoadBytes)} | ${fmt(r.heapDeltaBytes)} | ${fmt(r.arrayBuffersDeltaBytes)} | ${d} | ${r.note ?? ""} |`);
  }
  const g = growth();
  if (g !== undefined) {
    out.push("", `Growth of iamc, N=${fmt(g.from)} → N=${fmt(g.to)} (${fmt(g.to / g.from)}× the statements): check median ${g.median}, p99 ${g.p99}, bundle bytes ${g.bundle}, load ${g.load}, compile ${g.compile}.`);
    if (g.to !== 100_000 || g.from !== 10) out.push(`(The growth figure asked for is N=10 → N=100,000; this run measured N=${fmt(g.from)} → N=${fmt(g.to)}.)`);
  }
  out.push(...variantMarkdown());
  out.push("", `## DSL parse speed`, "", `A generated ${fmt(dsl.lines)}-line \`.iam\` workspace (bench/dsl-parse.ts), warm, median of runs: ${fmt(dsl.ms, 1)} ms, **${fmt(dsl.linesPerSecond)} lines/s** (lexing, parsing, the visitor and the located JSON tree).`);
  if (million !== undefined) {
    out.push("", `## iamc compile alone, N = 1,000,000`, "");
    out.push(million.status === "ok"
      ? `${fmt(million.compileMs)} ms, ${fmt(million.statementsPerSecond)} statements/s, bundle ${fmt(million.bundleBytes)} bytes (workspace build ${fmt(million.workspaceBuildMs)} ms, not counted).`
      : `${million.note}`);
  } else {
    out.push("", `(iamc compile alone at N = 1,000,000: not run; set IAMC_BENCH_MILLION=1.)`);
  }
  return out.join("\n") + "\n";
}

function growth(): { from: number; to: number; median: string; p99: string; bundle: string; load: string; compile: string } | undefined {
  const rows = engineRows.filter((r) => r.engine === IAMC && r.status === "ok");
  if (rows.length < 2) return undefined;
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const bi = (n: number) => iamcRows.find((r) => r.statements === n);
  return {
    from: first.statements, to: last.statements,
    median: ratio(first.checkNsMedian, last.checkNsMedian), p99: ratio(first.checkNsP99, last.checkNsP99),
    bundle: ratio(bi(first.statements)?.bundleBytes, bi(last.statements)?.bundleBytes),
    load: ratio(bi(first.statements)?.loadMs, bi(last.statements)?.loadMs),
    compile: ratio(bi(first.statements)?.compileMs, bi(last.statements)?.compileMs),
  };
}

// ---------------------------------------------------------------------------------------------
// Main.

async function main(): Promise<void> {
  const require = createRequire(import.meta.url);
  const meta = {
    node: process.version, v8: process.versions.v8, date: new Date().toISOString(), cpu: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    execArgv: process.execArgv,
    versions: { cedar: cedarWasm().getCedarSDKVersion(), casbin: (require("casbin/package.json") as { version: string }).version },
  };
  log(`iamc bench: sizes ${SETTINGS.sizes.join(", ")}; ${SETTINGS.requests} requests (seed ${SETTINGS.seed}); cedar-wasm ${meta.versions.cedar}, casbin ${meta.versions.casbin}`);
  for (const n of SETTINGS.sizes) await measureSize(n);
  for (const n of SETTINGS.variantSizes) for (const w of VARIANT_WORKLOADS) await measureVariant(w, n);
  log("\n=== DSL parse speed ===");
  const dsl = measureDslParse();
  log(`${fmt(dsl.lines)} lines in ${fmt(dsl.ms, 1)} ms: ${fmt(dsl.linesPerSecond)} lines/s`);
  const million = SETTINGS.million ? await measureMillion() : undefined;

  const g = growth();
  const results = {
    ...meta, settings: SETTINGS,
    workload: "bench/workloads.ts standardManifest(N) + standardRequests(N, 3000, 42), plus edge requests",
    engines: engineRows, iamc: iamcRows, variants: variantRows, dslParse: dsl,
    growth: g ?? null,
    million: million ?? null,
  };
  const dir = fileURLToPath(new URL("../../bench/results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(dir + "latest.json", JSON.stringify(results, null, 2) + "\n");
  const md = markdown(million, meta, dsl);
  writeFileSync(dir + "latest.md", md);
  const series: PlotSeries[] = [IAMC, FLOOR, REFERENCE, CEDAR, CASBIN].map((name) => ({
    name,
    points: engineRows.filter((r) => r.engine === name && r.status === "ok" && r.checkNsMedian !== undefined)
      .map((r) => ({ n: r.statements, median: r.checkNsMedian!, p99: r.checkNsP99 ?? 0 })),
  }));
  writeFileSync(dir + "latency.svg", latencySvg(series, SETTINGS.sizes));
  console.log("\n" + md);
  console.log(`wrote ${dir}latest.json, latest.md, latency.svg`);
}

if (!isMainThread) {
  compileJob(workerData as CompileJob);
} else if (process.env.IAMC_BENCH_CHILD !== "1" && REQUIRED_FLAGS.some((f) => !process.execArgv.includes(f))) {
  // Started without the flags (`node dist/bench/run.js`): run again with them.
  const missing = REQUIRED_FLAGS.filter((f) => !process.execArgv.includes(f));
  console.log(`(restarting with ${missing.join(" ")})`);
  const child = spawnSync(process.execPath, [...missing, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit", env: { ...process.env, IAMC_BENCH_CHILD: "1" },
  });
  process.exitCode = child.status ?? 1;
} else {
  await main();
}
