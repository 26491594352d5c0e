// Correctness under load (never a speed assertion): autocannon sends examples/gateway's request
// mix to withIamc at low concurrency while the watched bundle file is swapped every 500 ms through
// good, tampered, truncated, older-revision and unsigned bundles. Every response must be the one
// known in advance, no connection may fail, and the watcher must have both loaded and refused.
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  prepareBundles, REQUEST_MIX, runLoad, startServer, startSwapping, wrongAnswer, type RunningServer, type SwapBundles,
} from "../../bench/gateway-load.js";
import type { MappingConfig } from "../../gateway/http.js";
import { REPO, tempDir } from "../cli/helpers.js";

const MAPPING = JSON.parse(readFileSync(join(REPO, "examples", "gateway", "mapping.json"), "utf8")) as MappingConfig;

describe("the gateway under load while its bundle is swapped", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let bundles: SwapBundles;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    bundles = await prepareBundles(join(REPO, "examples", "company"), 4);
  });
  afterAll(async () => cleanup());

  it("answers every request as expected, with no errors, through loaded and refused bundles", async () => {
    const livePath = join(dir, "live.iamc");
    await writeFile(livePath, bundles.good[0]!);
    const server = await startServer({ kind: "node-iamc", bundlePath: livePath, publicKeyPem: bundles.publicKeyPem, mapping: MAPPING, intervalMs: 100 });
    try {
      const swapper = startSwapping(livePath, bundles, 500);
      const result = await runLoad(server.url, 3, 4, true);
      await swapper.stop();
      await new Promise((done) => setTimeout(done, 300)); // the watcher's look at the last swap
      const counts = server.counts();

      expect(result.wrongSamples).toEqual([]);
      expect(result.wrong).toBe(0);
      expect([result.errors, result.timeouts]).toEqual([0, 0]);
      expect(result.requests).toBeGreaterThan(REQUEST_MIX.length * 10);
      expect(result.non2xx).toBeGreaterThan(0); // the denials were really sent and answered

      // the initial load, then each good swap; each bad one refused with its own code
      expect(swapper.written.good).toBeGreaterThanOrEqual(1);
      expect(counts.loaded).toBe(1 + swapper.written.good);
      expect(counts.rejected).toBe(swapper.written.tampered + swapper.written.truncated + swapper.written.older + swapper.written.unsigned);
      expect(counts.rejected).toBeGreaterThanOrEqual(3);
      expect(Object.keys(counts.rejectedCodes)).toEqual(expect.arrayContaining(["IAMC5004", "IAMC5009"]));
    } finally {
      await server.close();
    }
  }, 20_000);

  it("has a checker that can fail: a server without iamc gets wrong answers counted", async () => {
    let server: RunningServer | undefined;
    try {
      server = await startServer({ kind: "node", bundlePath: join(dir, "unused.iamc"), publicKeyPem: bundles.publicKeyPem, mapping: MAPPING, intervalMs: 1000 });
      const result = await runLoad(server.url, 1, 2, true);
      const denials = REQUEST_MIX.filter((r) => r.status !== 200).length;
      expect(result.wrong).toBeGreaterThanOrEqual(denials);
      expect(result.wrongSamples.length).toBeGreaterThan(0);
    } finally {
      await server?.close();
    }
  });

  it("judges one response at a time: status, then decision or code, then the upstream's body", () => {
    const [allow, , , , implicit] = REQUEST_MIX;
    expect(wrongAnswer(allow!, 200, '{"ok":true}', {})).toBeUndefined();
    expect(wrongAnswer(allow!, 200, "{}", {})).toMatch(/without the upstream's body/);
    expect(wrongAnswer(implicit!, 403, "", { "x-iamc-decision": "ImplicitDeny" })).toBeUndefined();
    expect(wrongAnswer(implicit!, 403, "", { "X-Iamc-Decision": "ImplicitDeny" })).toBeUndefined();
    expect(wrongAnswer(implicit!, 403, "", { "x-iamc-decision": "ExplicitDeny" })).toMatch(/decision ExplicitDeny/);
    expect(wrongAnswer(implicit!, 200, '{"ok":true}', {})).toMatch(/status 200, wanted 403/);
  });
});
