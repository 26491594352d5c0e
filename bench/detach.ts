// `npm run bench:detach`: iamc's check and the floor's, before and after one ArrayBuffer in the
// process is detached.
//
// V8 compiles a typed-array read without a detached-buffer check while no ArrayBuffer in the
// isolate has ever been detached (the "array buffer detaching" protector). The first detach (a
// transfer to a worker, a WebAssembly memory growing, `ArrayBuffer.prototype.transfer`) turns
// that off for good, and every typed-array read pays a check from then on. iamc's tables are
// typed arrays; the floor's are Maps and strings. In `npm run bench` cedar-wasm's memory grows
// before anything is timed, so that run measures every engine in the detached state, as a
// gateway that runs WebAssembly or transfers buffers would be. This measures the difference.
//
// Sizes: IAMC_BENCH_SIZES (default 10,1000,10000). Each figure is the median over five rounds
// that alternate iamc and the floor, each round the median ns of ~600 batches of 64 checks.
import { compileWorkspace } from "../compiler/compile.js";
import { loadBundle } from "../runtime/node.js";
import { latency, median } from "./latency.js";
import { setupFloor } from "./peers/floor.js";
import { standardManifest, standardRequests, type BenchRequest } from "./workloads.js";
import { workspaceFromManifest } from "./workspace.js";

const sizes = (process.env.IAMC_BENCH_SIZES ?? "10,1000,10000").split(",").map((s) => Number(s.trim().replace(/_/g, "")));
const ROUNDS = 5;
/** Per round and engine: about 600 batches of 64 checks at the rough time (under 10 µs: batches of 64). */
const ROUGH_NS = 500;
const ROUND_BUDGET_MS = 20;

type Check = (request: BenchRequest) => unknown;

interface Subject {
  readonly n: number;
  readonly requests: readonly BenchRequest[];
  readonly iamc: Check;
  readonly floor: Check;
}

/** iamc and the floor on one size: warmed, then ROUNDS alternating rounds. */
function measure(s: Subject): { iamc: number; floor: number } {
  for (let pass = 0; pass < 5; pass++) {
    for (const r of s.requests) {
      s.iamc(r);
      s.floor(r);
    }
  }
  const iamc: number[] = [];
  const floor: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    iamc.push(latency(s.iamc, s.requests, ROUGH_NS, ROUND_BUDGET_MS).median);
    floor.push(latency(s.floor, s.requests, ROUGH_NS, ROUND_BUDGET_MS).median);
  }
  return { iamc: median(iamc), floor: median(floor) };
}

const subjects: Subject[] = sizes.map((n) => {
  const manifest = standardManifest(n);
  const { bundle } = compileWorkspace(workspaceFromManifest(manifest));
  if (bundle === undefined) throw new Error(`the N=${n} workload did not compile`);
  const authorizer = loadBundle(bundle);
  const floor = setupFloor(manifest);
  // Parsed from JSON, as a gateway receives them (flat strings), like the main bench's.
  const requests = JSON.parse(JSON.stringify(standardRequests(n, 3000, 42))) as BenchRequest[];
  return { n, requests, iamc: (r) => authorizer.check(r), floor: (r) => floor.check(r) };
});

const before = subjects.map(measure);
const buffer = new ArrayBuffer(8);
structuredClone(buffer, { transfer: [buffer] });
if (buffer.byteLength !== 0) throw new Error("the buffer was not detached");
const after = subjects.map(measure);

const ns = (x: number) => Math.round(x).toLocaleString("en-US");
console.log("| N | iamc | floor | iamc ÷ floor | iamc, detached | floor, detached | iamc ÷ floor, detached |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
subjects.forEach((s, i) => {
  const b = before[i]!;
  const a = after[i]!;
  console.log(`| ${s.n.toLocaleString("en-US")} | ${ns(b.iamc)} | ${ns(b.floor)} | ${(b.iamc / b.floor).toFixed(2)} | ${ns(a.iamc)} | ${ns(a.floor)} | ${(a.iamc / a.floor).toFixed(2)} |`);
});
