// Hot reload: a watched bundle file or URL swaps in each new good bundle and keeps the last good
// one through truncated, tampered, unsigned and older-revision bundles, with events for each.
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import { ed25519Signer, generateSigningKey } from "../../compiler/signing.js";
import { watchBundle, type WatchEvent } from "../../runtime/node.js";
import { tempDir } from "../cli/helpers.js";
import { workspaceFromJson } from "../support/workspace.js";

const ALICE = "arn:aws:iam::111111111111:user/alice";
const READ = { principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::b/x" };
const key = generateSigningKey();

/** A bundle allowing `action` on `arn:aws:s3:::b/*`, at a revision, signed. */
function bundle(action: string, revision: number, sign = true): Uint8Array {
  const { workspace } = workspaceFromJson({
    model: "aws",
    policies: [{ id: "P", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "arn:aws:s3:::b/*" }] } }],
    principals: [{ id: ALICE, policies: ["P"] }],
  });
  return compileWorkspace(workspace!, { build: { revision, createdAt: "2026-11-23T00:00:00.000Z" }, ...(sign ? { sign: ed25519Signer(key.privateKeyPem) } : {}) }).bundle!;
}

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(async () => cleanup());

describe("watchBundle on a file", () => {
  it("serves the first good bundle, swaps in newer ones, keeps the last good through bad ones", async () => {
    const path = join(dir, "live.iamc");
    const good = bundle("s3:GetObject", 1);
    await writeFile(path, good);
    const watcher = watchBundle(path, { intervalMs: 60_000, publicKeys: [key.publicKeyPem] });
    const events: WatchEvent[] = [];
    watcher.on((e) => events.push(e));
    await watcher.ready();
    expect(watcher.check(READ)).toBe("Allow");

    const attempts: [string, Uint8Array][] = [
      ["truncated", good.subarray(0, good.length - 10)],
      ["tampered", Uint8Array.from(good, (b, i) => (i === 40 ? b ^ 1 : b))],
      ["unsigned", bundle("s3:PutObject", 5, false)],
      ["older revision", bundle("s3:PutObject", 0)],
    ];
    for (const [, bytes] of attempts) {
      await writeFile(path, bytes);
      await watcher.poll();
      expect(watcher.check(READ)).toBe("Allow"); // still the good one
    }
    expect(events.map((e) => (e.type === "rejected" ? e.code : e.type))).toEqual(["loaded", "IAMC5004", "IAMC5004", "IAMC5007", "IAMC5009"]);

    await writeFile(path, bundle("s3:PutObject", 2));
    await watcher.poll();
    expect(watcher.check(READ)).toBe("ImplicitDeny");
    expect(watcher.check({ ...READ, action: "s3:PutObject" })).toBe("Allow");
    expect(events.at(-1)).toEqual({ type: "loaded", source: path, revision: 2, keyId: key.keyId });
    watcher.close();
  });

  it("denies everything until a good bundle arrives, and reloads on its own timer", async () => {
    const path = join(dir, "late.iamc");
    await writeFile(path, "not a bundle");
    const watcher = watchBundle(path, { intervalMs: 20 });
    await watcher.poll();
    expect(watcher.current).toBeUndefined();
    expect(watcher.check(READ)).toBe("ImplicitDeny");
    expect(watcher.explain(READ).reason).toContain("no bundle");
    await writeFile(path, bundle("s3:GetObject", 1, false));
    const served = await watcher.ready();
    expect(served.check(READ)).toBe("Allow");
    expect(watcher.check(READ)).toBe("Allow");
    watcher.close();
  });
});

describe("watchBundle on a URL", () => {
  let server: Server;
  let url: string;
  let body = bundle("s3:GetObject", 1);
  let served = 0;
  let notModified = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const tag = `"${body.length}-${body[body.length - 1]}-${body[body.length - 2]}"`;
      if (req.headers["if-none-match"] === tag) {
        notModified++;
        res.writeHead(304).end();
        return;
      }
      served++;
      res.writeHead(200, { etag: tag, "content-type": "application/octet-stream" }).end(Buffer.from(body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address() as { port: number };
    url = `http://127.0.0.1:${address.port}/bundle.iamc`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("uses the ETag (304: nothing fetched) and swaps in a new bundle", async () => {
    const watcher = watchBundle(url, { intervalMs: 60_000, publicKeys: [key.publicKeyPem] });
    await watcher.ready();
    await watcher.poll(); // the first poll, still settling when ready() resolved
    expect(watcher.check(READ)).toBe("Allow");
    await watcher.poll();
    await watcher.poll();
    expect([served, notModified]).toEqual([1, 2]);
    body = bundle("s3:PutObject", 2);
    await watcher.poll();
    expect(watcher.check({ ...READ, action: "s3:PutObject" })).toBe("Allow");
    expect(served).toBe(2);
    body = bundle("s3:DeleteObject", 3, false); // unsigned: refused, the revision-2 bundle stays
    await watcher.poll();
    expect(watcher.check({ ...READ, action: "s3:PutObject" })).toBe("Allow");
    watcher.close();
  });
});

describe("iamc compile --revision", () => {
  it("records the revision and build time (SOURCE_DATE_EPOCH fixes it); without it, nothing", async () => {
    const { run } = await import("../cli/helpers.js");
    const { loadBundleFile } = await import("../../runtime/node.js");
    const out = join(dir, "rev.iamc");
    const made = await run(["compile", "examples/company", "-o", out, "--revision", "7"], { env: { SOURCE_DATE_EPOCH: "1700000000" } });
    expect(made.code).toBe(0);
    expect(loadBundleFile(out).info.build).toEqual({ revision: 7, createdAt: "2023-11-14T22:13:20.000Z" });
    const plain = join(dir, "plain.iamc");
    expect((await run(["compile", "examples/company", "-o", plain])).code).toBe(0);
    expect(loadBundleFile(plain).info.build).toBeUndefined();
    expect((await run(["compile", "examples/company", "-o", plain, "--revision", "next"])).code).toBe(2);
  });
});
