// The gateway under load, on loopback: requests/s and latency (p50, p99) of a toy upstream without
// iamc, behind withIamc (check, then explain), and behind Fastify with and without fastifyIamc; then
// the swap run: the bundle file is replaced every second (atomic rename) by a good bundle of the
// next revision, a tampered copy, a truncated copy, an older revision and an unsigned bundle, while
// every response is checked against the status (and decision) known in advance.
//
//   npm run bench:gateway          # tsc -p tsconfig.build.json && node dist/bench/gateway-load.js
//   IAMC_LOAD_SECONDS=10           # per run (1 to 60; default 10), after a 2 s warm-up
//
// Why the server runs in a child process: autocannon is itself CPU-bound JavaScript. In one
// process the load generator and the server take turns on one event loop (one core), and latency
// includes the generator's own work. Measured on the 2-core machine this was written on (10
// connections, 4 s): the bare node:http upstream gave ~21k requests/s (p99 ~1.0 ms) in one process
// and ~45k (p99 ~0.65 ms) with the server in a child; behind withIamc, ~14k against ~23k. In the
// child the server used ~1.0 core and autocannon 0.6 to 0.9, so the child-process numbers measure
// the server, not the sharing. So each server under test runs in a child (fork; IPC carries the
// port and the watcher's events) and autocannon runs here. Runs on a shared VM vary by ±30%
// between repeats; compare rows of one run, not runs of different days.
//
// Latency is recorded here from every response's own time (autocannon's histogram rounds to whole
// milliseconds, too coarse on loopback); requests/s is autocannon's per-second mean.
import { fork, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { compileWorkspace } from "../compiler/compile.js";
import { loadWorkspace } from "../compiler/load-workspace.js";
import { ed25519Signer, generateSigningKey } from "../compiler/signing.js";
import { fastifyIamc, withIamc, type IamcRequestListener, type MappingConfig } from "../gateway/http.js";
import type { WatchEvent } from "../runtime/node.js";

// ---------------------------------------------------------------------------------------------
// The request mix: examples/gateway's mapping over examples/company's bundle, on plain HTTP.

/** The toy upstream's whole answer: a response with this body came from the handler. */
export const UPSTREAM_BODY = '{"ok":true}';

/** One request of the mix and the answer it must get. */
export interface ExpectedRequest {
  readonly name: string;
  readonly method: "GET" | "PUT" | "DELETE";
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly status: 200 | 400 | 401 | 403;
  /** For 403: `x-iamc-decision`; for 400/401: `x-iamc-code`. */
  readonly decision?: "ImplicitDeny" | "ExplicitDeny";
  readonly code?: string;
}

const user = (name: string) => ({ "x-user": name });

/** Fixed and in order: each connection loops over it, so every run sends the same proportions. */
export const REQUEST_MIX: readonly ExpectedRequest[] = [
  { name: "dan reads his home folder", method: "GET", path: "/buckets/acme-home/objects/home/dan/notes.txt", headers: user("dan"), status: 200 },
  { name: "dan writes his home folder", method: "PUT", path: "/buckets/acme-home/objects/home/dan/todo.txt", headers: { ...user("dan"), "content-type": "text/plain" }, body: "remember the milk", status: 200 },
  { name: "dan lists his prefix", method: "GET", path: "/buckets/acme-home?prefix=home/dan/", headers: user("dan"), status: 200 },
  { name: "bob deletes in his home folder", method: "DELETE", path: "/buckets/acme-home/objects/home/bob/old.txt", headers: user("bob"), status: 200 },
  { name: "dan reads alice's folder", method: "GET", path: "/buckets/acme-home/objects/home/alice/notes.txt", headers: user("dan"), status: 403, decision: "ImplicitDeny" },
  { name: "mallory (unknown) reads", method: "GET", path: "/buckets/acme-home/objects/home/mallory/x", headers: user("mallory"), status: 403, decision: "ImplicitDeny" },
  { name: "alice reads app data over plain HTTP", method: "GET", path: "/buckets/acme-app-data/objects/teams/payments/ledger-2024-q1.csv", headers: user("alice"), status: 403, decision: "ExplicitDeny" },
  { name: "carol without MFA", method: "GET", path: "/buckets/acme-home/objects/home/carol/notes.txt", headers: user("carol"), status: 403, decision: "ExplicitDeny" },
  { name: "no caller", method: "GET", path: "/buckets/acme-home/objects/home/dan/notes.txt", headers: {}, status: 401, code: "IAMC7103" },
  { name: "a dot-segment path", method: "GET", path: "/buckets/acme-home/objects/home/dan/../alice/notes.txt", headers: user("dan"), status: 400, code: "IAMC7102" },
  { name: "dan reads his home folder again", method: "GET", path: "/buckets/acme-home/objects/home/dan/notes.txt", headers: user("dan"), status: 200 },
];

/** Why a response is wrong for its request, or undefined when it is right. */
export function wrongAnswer(expected: ExpectedRequest, status: number, body: string, headers: Readonly<Record<string, unknown>>): string | undefined {
  if (status !== expected.status) return `${expected.name}: status ${status}, wanted ${expected.status}`;
  const header = (name: string) => headers[name] ?? headers[Object.keys(headers).find((k) => k.toLowerCase() === name) ?? ""];
  if (status === 200 && body !== UPSTREAM_BODY) return `${expected.name}: 200 without the upstream's body`;
  if (expected.decision !== undefined && header("x-iamc-decision") !== expected.decision) {
    return `${expected.name}: decision ${String(header("x-iamc-decision"))}, wanted ${expected.decision}`;
  }
  if (expected.code !== undefined && header("x-iamc-code") !== expected.code) return `${expected.name}: code ${String(header("x-iamc-code"))}, wanted ${expected.code}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Bundles: a good one per revision, and the bad ones the swap run cycles through.

export interface SwapBundles {
  readonly publicKeyPem: string;
  /** Good bundles, signed, revisions FIRST_REVISION, +1, +2 … (same decisions). */
  readonly good: readonly Uint8Array[];
  /** Signed, revision 1: older than any good one. */
  readonly older: Uint8Array;
  /** Unsigned, a high revision: refused only for lacking a signature. */
  readonly unsigned: Uint8Array;
}

export const FIRST_REVISION = 100;

/** Compiles the workspace once and encodes `goodCount` good bundles and the bad ones, signed by a fresh key. */
export async function prepareBundles(workspaceDir: string, goodCount: number): Promise<SwapBundles> {
  const loaded = await loadWorkspace(workspaceDir);
  if (loaded.value === undefined) throw new Error(`cannot load ${workspaceDir}: ${loaded.diagnostics.map((d) => d.message).join("; ")}`);
  const key = generateSigningKey();
  const sign = ed25519Signer(key.privateKeyPem);
  const build = (revision: number) => ({ revision, createdAt: "2026-11-23T00:00:00.000Z" });
  const encode = (revision: number, signed: boolean) => {
    const { bundle } = compileWorkspace(loaded.value!, { build: build(revision), ...(signed ? { sign } : {}) });
    if (bundle === undefined) throw new Error(`cannot compile ${workspaceDir}`);
    return bundle;
  };
  return {
    publicKeyPem: key.publicKeyPem,
    good: Array.from({ length: goodCount }, (_, i) => encode(FIRST_REVISION + i, true)),
    older: encode(1, true),
    unsigned: encode(1_000_000, false),
  };
}

/** The order of the swaps; only "good" may load. */
export const SWAP_CYCLE = ["good", "tampered", "truncated", "older", "unsigned"] as const;
export type SwapKind = (typeof SWAP_CYCLE)[number];

export interface Swapper {
  /** How many files of each kind were put in place. */
  readonly written: Readonly<Record<SwapKind, number>>;
  stop(): Promise<void>;
}

/**
 * Replaces `livePath` every `everyMs` by the next bundle of the cycle: write beside it, then
 * rename over it, so a reader sees the old file or the new one, never half of one. Good bundles
 * start at good[1] (good[0] is what the server starts with).
 */
export function startSwapping(livePath: string, bundles: SwapBundles, everyMs: number): Swapper {
  const written: Record<SwapKind, number> = { good: 0, tampered: 0, truncated: 0, older: 0, unsigned: 0 };
  let step = 0;
  let latestGood = bundles.good[0]!;
  let pending: Promise<void> = Promise.resolve();
  const bytesFor = (kind: SwapKind): Uint8Array => {
    switch (kind) {
      case "good": {
        const next = bundles.good[written.good + 1];
        if (next === undefined) throw new Error("the swap run outlasted its good bundles: prepare more");
        return (latestGood = next);
      }
      case "tampered": {
        const copy = Uint8Array.from(latestGood);
        copy[copy.length >> 1]! ^= 0x01;
        return copy;
      }
      case "truncated": return latestGood.subarray(0, latestGood.length >> 1);
      case "older": return bundles.older;
      case "unsigned": return bundles.unsigned;
    }
  };
  const swap = async () => {
    const kind = SWAP_CYCLE[step++ % SWAP_CYCLE.length]!;
    const next = `${livePath}.next`;
    await writeFile(next, bytesFor(kind));
    await rename(next, livePath);
    written[kind]++;
  };
  const timer = setInterval(() => (pending = pending.then(swap)), everyMs);
  return {
    written,
    stop: async () => {
      clearInterval(timer);
      await pending;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The servers under test.

export type ServerKind = "node" | "node-iamc" | "node-iamc-explain" | "fastify" | "fastify-iamc";

export interface ServeConfig {
  readonly kind: ServerKind;
  readonly bundlePath: string;
  readonly publicKeyPem: string;
  readonly mapping: MappingConfig;
  /** How often the watcher looks at the bundle file. */
  readonly intervalMs: number;
}

/** What a running server reports: its watcher's events. */
export interface WatchCounts {
  readonly loaded: number;
  readonly rejected: number;
  readonly rejectedCodes: Readonly<Record<string, number>>;
}

export interface RunningServer {
  readonly url: string;
  counts(): WatchCounts;
  close(): Promise<void>;
}

/** The toy upstream: drains the request, answers UPSTREAM_BODY. */
function upstream(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.writeHead(200, { "content-type": "application/json", "content-length": String(UPSTREAM_BODY.length) }).end(UPSTREAM_BODY);
}

/** Starts one server under test on a free loopback port; resolves once its bundle serves. */
export async function startServer(config: ServeConfig): Promise<RunningServer> {
  const counts = { loaded: 0, rejected: 0, rejectedCodes: {} as Record<string, number> };
  const count = (event: WatchEvent) => {
    if (event.type === "loaded") counts.loaded++;
    else {
      counts.rejected++;
      counts.rejectedCodes[event.code] = (counts.rejectedCodes[event.code] ?? 0) + 1;
    }
  };
  const iamcOptions = {
    source: config.bundlePath, mapping: config.mapping, publicKeys: [config.publicKeyPem], intervalMs: config.intervalMs,
    explain: config.kind === "node-iamc-explain",
  };
  if (config.kind === "fastify" || config.kind === "fastify-iamc") {
    const { default: Fastify } = await import("fastify");
    const app = Fastify();
    // the plugin's watcher is its own (the app starts once it serves); the swap run uses node:http
    if (config.kind === "fastify-iamc") await app.register(fastifyIamc, iamcOptions);
    app.route({ method: ["GET", "PUT", "DELETE", "POST"], url: "/*", handler: async (_request, reply) => reply.type("application/json").send(UPSTREAM_BODY) });
    await app.listen({ port: 0, host: "127.0.0.1" });
    return {
      url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
      counts: () => counts,
      close: () => app.close(),
    };
  }
  let listener: (req: IncomingMessage, res: ServerResponse) => void = upstream;
  let guarded: IamcRequestListener | undefined;
  if (config.kind !== "node") {
    guarded = withIamc(upstream, iamcOptions);
    guarded.watcher?.on(count);
    await guarded.ready();
    listener = guarded;
  }
  const server: Server = createServer({ keepAliveTimeout: 30_000 }, listener);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => counts,
    close: async () => {
      guarded?.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The load.

export interface LoadResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Responses whose status, decision or body was not the one wanted (undefined: not checked). */
  readonly wrong: number | undefined;
  readonly wrongSamples: readonly string[];
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

/** Sends the mix for `seconds` over `connections`; with `check`, every response is compared to what it must be. */
export async function runLoad(url: string, seconds: number, connections: number, check: boolean): Promise<LoadResult> {
  let wrong = 0;
  const wrongSamples: string[] = [];
  const latencies: number[] = [];
  const requests = REQUEST_MIX.map((expected) => ({
    method: expected.method,
    path: expected.path,
    headers: expected.headers,
    ...(expected.body === undefined ? {} : { body: expected.body }),
    ...(check ? {
      onResponse: (status: number, body: string, _context: object, headers: Record<string, unknown> | undefined) => {
        const problem = wrongAnswer(expected, status, body, headers ?? {});
        if (problem === undefined) return;
        wrong++;
        if (wrongSamples.length < 5) wrongSamples.push(problem);
      },
    } : {}),
  }));
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(
      { url, connections, duration: seconds, pipelining: 1, timeout: 5, requests: requests as autocannon.Request[] },
      (error: unknown, finished: autocannon.Result) => (error ? fail(error) : done(finished)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) => latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    requests: latencies.length,
    requestsPerSecond: result.requests.average,
    latencyP50Ms: quantile(0.5),
    latencyP99Ms: quantile(0.99),
    wrong: check ? wrong : undefined,
    wrongSamples,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

// ---------------------------------------------------------------------------------------------
// The child: one server under test, driven over IPC.

type ToChild = { readonly type: "serve"; readonly config: ServeConfig } | { readonly type: "stop" };
type FromChild = { readonly type: "ready"; readonly url: string } | { readonly type: "stopped"; readonly counts: WatchCounts } | { readonly type: "failed"; readonly message: string };

function serveInChild(): void {
  let running: RunningServer | undefined;
  process.on("message", (message: ToChild) => {
    const reply = (m: FromChild) => process.send!(m);
    if (message.type === "serve") {
      startServer(message.config).then((server) => {
        running = server;
        reply({ type: "ready", url: server.url });
      }, (error: unknown) => reply({ type: "failed", message: String(error) }));
    } else {
      const counts = running?.counts() ?? { loaded: 0, rejected: 0, rejectedCodes: {} };
      void (running?.close() ?? Promise.resolve()).then(() => process.send!({ type: "stopped", counts } satisfies FromChild, () => process.exit(0)));
    }
  });
}

/** A server under test in a child process. */
async function startChild(config: ServeConfig): Promise<{ url: string; stop(): Promise<WatchCounts> }> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = () => new Promise<FromChild>((done, fail) => {
    child.once("message", (m: FromChild) => done(m));
    child.once("exit", (code) => fail(new Error(`the server process exited (${code})`)));
  });
  const ready = next();
  child.send({ type: "serve", config } satisfies ToChild);
  const first = await ready;
  if (first.type !== "ready") throw new Error(`the server did not start: ${first.type === "failed" ? first.message : first.type}`);
  return {
    url: first.url,
    stop: async () => {
      const stopped = next();
      child.send({ type: "stop" } satisfies ToChild);
      const last = await stopped;
      return last.type === "stopped" ? last.counts : { loaded: 0, rejected: 0, rejectedCodes: {} };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Main.

interface RunRow extends LoadResult {
  readonly run: string;
  readonly server: ServerKind;
  readonly swaps?: { readonly written: Readonly<Record<SwapKind, number>>; readonly loaded: number; readonly rejected: number; readonly rejectedCodes: Readonly<Record<string, number>> };
}

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "examples", "company", "iamc.json")) && existsSync(join(dir, "examples", "gateway", "mapping.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("examples/company and examples/gateway not found above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** IAMC_LOAD_SECONDS, bounded so a typo cannot hold the machine for an hour. */
function runSeconds(): number {
  const raw = Number(process.env.IAMC_LOAD_SECONDS ?? 10);
  return Number.isFinite(raw) ? Math.min(60, Math.max(1, Math.round(raw))) : 10;
}

const CONNECTIONS = 10;
const WARM_UP_SECONDS = 2;
const SWAP_EVERY_MS = 1000;
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function markdownTable(rows: readonly RunRow[]): string {
  const lines = [
    "| run | requests/s | p50 ms | p99 ms | requests | wrong | errors | non-2xx | swaps (loaded / rejected) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const r of rows) {
    const swaps = r.swaps
      ? `${r.swaps.written.good + r.swaps.written.tampered + r.swaps.written.truncated + r.swaps.written.older + r.swaps.written.unsigned} written: ${r.swaps.loaded} loaded / ${r.swaps.rejected} rejected (${Object.entries(r.swaps.rejectedCodes).map(([c, n]) => `${c}×${n}`).join(", ")})`
      : "—";
    lines.push(`| ${r.run} | ${fmt(r.requestsPerSecond)} | ${fmt(r.latencyP50Ms, 3)} | ${fmt(r.latencyP99Ms, 3)} | ${fmt(r.requests)} | ${r.wrong === undefined ? "—" : r.wrong} | ${r.errors} | ${fmt(r.non2xx)} | ${swaps} |`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const root = findRoot();
  const seconds = runSeconds();
  const mapping = JSON.parse(readFileSync(join(root, "examples", "gateway", "mapping.json"), "utf8")) as MappingConfig;
  const dir = await mkdtemp(join(tmpdir(), "iamc-gateway-load-"));
  try {
    // one good bundle per cycle of the swap run, and a spare
    const bundles = await prepareBundles(join(root, "examples", "company"), Math.ceil(seconds * 1000 / SWAP_EVERY_MS / SWAP_CYCLE.length) + 3);
    const livePath = join(dir, "live.iamc");
    await writeFile(livePath, bundles.good[0]!);
    const config = (kind: ServerKind, intervalMs = 1000): ServeConfig => ({ kind, bundlePath: livePath, publicKeyPem: bundles.publicKeyPem, mapping, intervalMs });
    const runs: readonly { run: string; kind: ServerKind; swap?: boolean }[] = [
      { run: "node:http, no iamc", kind: "node" },
      { run: "node:http + withIamc (check)", kind: "node-iamc" },
      { run: "node:http + withIamc (explain)", kind: "node-iamc-explain" },
      { run: "fastify, no iamc", kind: "fastify" },
      { run: "fastify + fastifyIamc (check)", kind: "fastify-iamc" },
      { run: "node:http + withIamc, bundle swapped every 1 s", kind: "node-iamc", swap: true },
    ];
    console.error(`gateway load: ${seconds} s per run after a ${WARM_UP_SECONDS} s warm-up, ${CONNECTIONS} connections, ${REQUEST_MIX.length} requests in the mix, servers in a child process`);
    const rows: RunRow[] = [];
    for (const { run, kind, swap } of runs) {
      // the swap run's watcher looks five times a second, so it sees every swap
      const child = await startChild(config(kind, swap ? 200 : 1000));
      const check = kind !== "node" && kind !== "fastify";
      await runLoad(child.url, WARM_UP_SECONDS, CONNECTIONS, false); // JIT, connections
      const swapper = swap ? startSwapping(livePath, bundles, SWAP_EVERY_MS) : undefined;
      const result = await runLoad(child.url, seconds, CONNECTIONS, check);
      await swapper?.stop();
      // let the watcher see the last swap before counting
      if (swapper) await new Promise((done) => setTimeout(done, 500));
      const counts = await child.stop();
      const row: RunRow = {
        run, server: kind, ...result,
        // the initial load is not a swap
        ...(swapper ? { swaps: { written: { ...swapper.written }, loaded: counts.loaded - 1, rejected: counts.rejected, rejectedCodes: counts.rejectedCodes } } : {}),
      };
      rows.push(row);
      console.error(`  ${run}: ${fmt(result.requestsPerSecond)} req/s, p99 ${fmt(result.latencyP99Ms, 3)} ms, wrong ${result.wrong ?? "—"}, errors ${result.errors}${result.wrongSamples.length ? ` (${result.wrongSamples.join("; ")})` : ""}`);
      if (swap) await writeFile(livePath, bundles.good[0]!); // nothing after this run, but leave the file sane
    }
    const out = {
      date: new Date().toISOString(), node: process.version, cpu: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
      settings: { seconds, connections: CONNECTIONS, swapEveryMs: SWAP_EVERY_MS, swapCycle: SWAP_CYCLE, mix: REQUEST_MIX.map(({ name, method, path, status, decision, code }) => ({ name, method, path, status, decision, code })) },
      runs: rows,
    };
    const results = resolve(root, "bench", "results");
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, "gateway.json"), JSON.stringify(out, null, 2) + "\n");
    console.log(markdownTable(rows));
    console.log(`\nwrote ${join(results, "gateway.json")}`);
    const failed = rows.some((r) => (r.wrong ?? 0) > 0 || r.errors > 0);
    if (failed) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const entry = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (entry && process.argv.includes("--serve")) serveInChild();
else if (entry) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
