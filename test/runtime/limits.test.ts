// Limits on input sizes: each refused up front with its own code, where it is, and what to do,
// instead of exhausting the stack or memory.
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boundedLines, LINE_TOO_LONG } from "../../compiler/bounded-lines.js";
import { checkRequests, MAX_REQUEST_LINE_CHARS } from "../../compiler/cli.js";
import { compileWorkspace } from "../../compiler/compile.js";
import { MAX_JSON_NESTING, parseJsonSource } from "../../compiler/json-source.js";
import { parseIam } from "../../grammar/index.js";
import { MAGIC } from "../../runtime/format.js";
import { BundleError, FORMAT_VERSION } from "../../runtime/index.js";
import { loadBundle, loadBundleFile, nodeSha256, readBundleFile, watchBundle, type WatchEvent } from "../../runtime/node.js";
import { Capture, run, tempDir } from "../cli/helpers.js";
import { workspaceFromJson } from "../support/workspace.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(async () => cleanup());

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("nesting depth", () => {
  it("JSON nested past the limit is IAMC1007 at the bracket that crosses it; at the limit it parses", () => {
    const deep = parseJsonSource("p.json", `{\n  "a": ${nested(100_000)}\n}`);
    expect(deep.value).toBeUndefined();
    expect(deep.diagnostics).toHaveLength(1);
    expect(deep.diagnostics[0]).toMatchObject({ code: "IAMC1007", span: { line: 2, column: 8 + MAX_JSON_NESTING - 1 } });
    expect(parseJsonSource("p.json", nested(MAX_JSON_NESTING)).value).toBeDefined();
    // brackets inside strings do not count
    expect(parseJsonSource("p.json", JSON.stringify({ a: "[".repeat(1000) + "\\\"{" })).value).toBeDefined();
  });

  it("a `.iam` file nested past the limit is IAMC1110, not a stack overflow", () => {
    const parsed = parseIam(`policy P {\n  allow s3:* on * when a in ${nested(50_000)}\n}\n`);
    expect(parsed.problems.map((p) => p.code)).toContain("IAMC1110");
  });

  it("the CLI reports it as a located error, exit 1, no bundle and no stack", async () => {
    const manifest = join(dir, "deep.json");
    await writeFile(manifest, `{"model": "aws", "policies": ${nested(20_000)}}`);
    const result = await run(["compile", manifest, "-o", join(dir, "deep.iamc")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/deep\.json:1:\d+ - error IAMC1007/);
    expect(result.stderr).not.toMatch(/internal error|Maximum call stack/);
  });
});

describe("file size", () => {
  it("a source over IAMC_MAX_FILE_BYTES is IAMC1006, naming the file and the limit", async () => {
    const ws = join(dir, "big");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(join(ws, "policies"), { recursive: true });
    await writeFile(join(ws, "iamc.json"), JSON.stringify({ model: "aws", policies: [{ file: "policies/*.json" }] }));
    await writeFile(join(ws, "policies", "p.json"), JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "x".repeat(5000) }] }));
    const { maxSourceBytes } = await import("../../compiler/load-workspace.js");
    expect(maxSourceBytes({})).toBe(256 * 1024 * 1024);
    expect(maxSourceBytes({ IAMC_MAX_FILE_BYTES: "nope" })).toBe(256 * 1024 * 1024);
    // the limit is read from the process environment by the loader
    const before = process.env["IAMC_MAX_FILE_BYTES"];
    process.env["IAMC_MAX_FILE_BYTES"] = "1000";
    try {
      const result = await run(["compile", ws, "-o", join(ws, "out.iamc")]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/IAMC1006/);
      expect(result.stderr).toMatch(/p\.json/);
      expect(result.stderr).toMatch(/over the limit of 1000/);
    } finally {
      if (before === undefined) delete process.env["IAMC_MAX_FILE_BYTES"];
      else process.env["IAMC_MAX_FILE_BYTES"] = before;
    }
  });
});

describe("request lines", () => {
  it("boundedLines splits on \\n, drops \\r, and reports an over-long line without keeping it", async () => {
    const chunks = ["a\r\nbb", "b\n", "x".repeat(30), "y".repeat(30), "\nlast"];
    const lines: (string | typeof LINE_TOO_LONG)[] = [];
    for await (const line of boundedLines(Readable.from(chunks.map((c) => Buffer.from(c))), 40)) lines.push(line);
    expect(lines).toEqual(["a", "bbb", LINE_TOO_LONG, "last"]);
  });

  it("decodes UTF-8 split across chunks", async () => {
    const bytes = Buffer.from("é€\n");
    const lines: (string | typeof LINE_TOO_LONG)[] = [];
    for await (const line of boundedLines(Readable.from([bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3)]), 10)) lines.push(line);
    expect(lines).toEqual(["é€"]);
  });

  it("check --requests denies a line over the limit and answers the next ones", async () => {
    const good = JSON.stringify({ principal: "p", action: "s3:GetObject", resource: "r" });
    const huge = JSON.stringify({ principal: "p", action: "s3:GetObject", resource: "r".repeat(MAX_REQUEST_LINE_CHARS) });
    const output = new Capture();
    const result = await checkRequests({ check: () => "Allow", explain: () => ({ decision: "Allow", statements: [] }) },
      Readable.from([`${good}\n${huge}\n${good}\n`]), output, { explain: false });
    const answers = output.text().trim().split("\n").map((l) => JSON.parse(l) as { decision: string; error?: string });
    expect(answers.map((a) => a.decision)).toEqual(["Allow", "ImplicitDeny", "Allow"]);
    expect(answers[1]!.error).toMatch(/IAMC5006: line 2: the line is longer than 1048576 characters/);
    expect(result).toMatchObject({ lines: 3, errors: 1 });
  });
});

describe("bundle nesting", () => {
  /** A bundle frame around `payload` with a matching digest, unsigned. */
  function framed(payload: Uint8Array): Uint8Array {
    const head = new Uint8Array(12 + payload.length);
    head.set(MAGIC, 0);
    new DataView(head.buffer).setUint32(4, FORMAT_VERSION, true);
    new DataView(head.buffer).setUint32(8, payload.length, true);
    head.set(payload, 12);
    return new Uint8Array([...head, ...nodeSha256(head), 0, 0, 0, 0]);
  }

  it("a payload nested 100,000 deep (digest matching) is IAMC5005 from the walk, before the recursive decoder runs", () => {
    const deep = new Uint8Array(100_001).fill(0x91);
    deep[100_000] = 0xc0;
    try {
      loadBundle(framed(deep));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BundleError);
      expect((error as BundleError).code).toBe("IAMC5005");
      expect((error as BundleError).message).toMatch(/nests deeper than 32 levels/);
    }
    // shallow nesting still reaches the decoder (and is refused for not being a table)
    expect(() => loadBundle(framed(new Uint8Array([0x91, 0x91, 0xc0])))).toThrow(/not an iamc decision table/);
  });
});

describe("bundle size", () => {
  function smallBundle(revision: number): Uint8Array {
    const { workspace } = workspaceFromJson({
      model: "aws",
      policies: [{ id: "P", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] } }],
      principals: [{ id: "arn:aws:iam::111111111111:user/a", policies: ["P"] }],
    });
    return compileWorkspace(workspace!, { build: { revision, createdAt: "2026-11-23T00:00:00.000Z" } }).bundle!;
  }

  it("a bundle file over maxBytes is IAMC5010 before it is read", async () => {
    const path = join(dir, "b.iamc");
    const bytes = smallBundle(1);
    await writeFile(path, bytes);
    expect(readBundleFile(path)).toEqual(bytes);
    expect(() => readBundleFile(path, { maxBytes: bytes.length - 1 })).toThrow(BundleError);
    try { loadBundleFile(path, { maxBytes: 10 }); } catch (e) { expect((e as BundleError).code).toBe("IAMC5010"); }
    expect(loadBundleFile(path, { maxBytes: bytes.length }).info.build?.revision).toBe(1);
  });

  describe("over HTTP", () => {
    let server: Server;
    let base: string;
    let mode: "declared" | "chunked" | "slow" = "declared";
    const big = Buffer.alloc(64 * 1024, 7);
    beforeAll(async () => {
      server = createServer((_req, res) => {
        if (mode === "declared") res.writeHead(200, { "content-length": big.length }).end(big);
        else if (mode === "chunked") { res.writeHead(200); res.write(big); res.write(big); res.end(); }
        else { res.writeHead(200); res.write(big.subarray(0, 10)); setTimeout(() => res.end(), 2_000); }
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}/b.iamc`;
    });
    afterAll(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));

    for (const [kind, options] of [["declared", { maxBytes: 1000 }], ["chunked", { maxBytes: 100_000 }], ["slow", { timeoutMs: 200 }]] as const) {
      it(`rejects a ${kind === "slow" ? "download that outlasts timeoutMs" : `${kind}-length body over maxBytes`} (IAMC5010) and keeps denying`, async () => {
        mode = kind;
        const watcher = watchBundle(base, { intervalMs: 60_000, ...options });
        const events: WatchEvent[] = [];
        watcher.on((e) => events.push(e));
        await watcher.poll();
        await watcher.poll();
        watcher.close();
        expect(events.length).toBeGreaterThan(0);
        expect(events.every((e) => e.type === "rejected" && e.code === "IAMC5010")).toBe(true);
        expect(watcher.current).toBeUndefined();
      });
    }
  });
});
