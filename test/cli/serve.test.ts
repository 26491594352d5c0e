// `iamc serve` as users run it: setup errors found before it listens (coded, with file:line:col,
// exit 1, no stack trace), a server that answers and hot-reloads, and a built bin that closes on
// SIGTERM with exit 0.
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVE_DEFAULTS, startServe, type ServeSettings } from "../../compiler/commands/serve.js";
import { sendNginx, storeBundle, STORE_MAPPING } from "../gateway/serve-helpers.js";
import { Capture, REPO, run, STACK_LINE, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
let bundle: string;
let mapping: string;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  bundle = join(dir, "store.iamc");
  mapping = join(dir, "mapping.json");
  await writeFile(bundle, storeBundle(1));
  await writeFile(mapping, JSON.stringify(STORE_MAPPING, null, 2));
});
afterAll(async () => cleanup());

const settings = (overrides: Partial<ServeSettings> = {}): ServeSettings => ({
  ...SERVE_DEFAULTS, port: 0, mapping, publicKeys: [], jwtKeys: [], jwtAlgorithms: [], explain: true, log: false, quiet: false, ...overrides,
});

describe("iamc serve: setup errors, before it listens", () => {
  it("a mapping of the wrong shape: every problem at its line and column, IAMC7001, exit 1", async () => {
    const file = join(dir, "bad-shape.json");
    await writeFile(file, '{\n  "routes": [\n    { "path": "/a", "action": "s3:GetObject" },\n    { "path": "/b/:x", "action": "s3:GetObject", "resource": "{nope}" }\n  ],\n  "extra": 1\n}\n');
    const result = await run(["serve", bundle, "--mapping", file], { cwd: dir });
    expect(result.code).toBe(1);
    // a missing key at the object it is missing from, an unknown one at the key itself
    expect(result.stderr).toContain("bad-shape.json:3:5 - error IAMC7001: missing `resource`");
    expect(result.stderr).toContain("bad-shape.json:6:3 - error IAMC7001: unknown key `extra`");
    expect(result.stderr).toContain("`bad-shape.json` has errors; not serving");
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it("a template naming no variable: IAMC7003 at the template", async () => {
    const file = join(dir, "bad-template.json");
    await writeFile(file, '{"routes": [\n  {"path": "/b/:x", "action": "s3:GetObject", "resource": "arn:aws:s3:::{nope}"}\n]}\n');
    const result = await run(["serve", bundle, "--mapping", file], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad-template\.json:2:59 - error IAMC7003: `\{nope\}` is not a route parameter/);
  });

  it("a mapping that is not JSON: IAMC7004 at the syntax error; an unreadable one: IAMC7004 at the file", async () => {
    const file = join(dir, "not-json.json");
    await writeFile(file, '{\n  "routes": [,]\n}\n');
    const broken = await run(["serve", bundle, "--mapping", file], { cwd: dir });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/not-json\.json:2:15 - error IAMC7004/);
    const missing = await run(["serve", bundle, "--mapping", "nowhere.json"], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nowhere.json - error IAMC7004: cannot read the mapping file: no such file");
  });

  it("a JWT mapping without --jwt-key: IAMC7005 at principal.jwt, with the flag to give", async () => {
    const file = join(dir, "jwt.json");
    await writeFile(file, JSON.stringify({ ...STORE_MAPPING, principal: { jwt: { claim: "sub" } } }, null, 2));
    const result = await run(["serve", bundle, "--mapping", file], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/jwt\.json:3:12 - error IAMC7005/);
    expect(result.stderr).toContain("--jwt-key FILE");
  });

  it("bad key files: IAMC5008 for a bundle key, IAMC7201 for a JWT key", async () => {
    const notKey = join(dir, "not-a-key.pem");
    await writeFile(notKey, "-----BEGIN PUBLIC KEY-----\nbm9wZQ==\n-----END PUBLIC KEY-----\n");
    const bundleKey = await run(["serve", bundle, "--mapping", mapping, "--public-key", notKey], { cwd: dir });
    expect(bundleKey.code).toBe(1);
    expect(bundleKey.stderr).toMatch(/not-a-key\.pem - error IAMC5008: cannot use public key/);

    const jwtMapping = join(dir, "jwt-ok.json");
    await writeFile(jwtMapping, JSON.stringify({ ...STORE_MAPPING, principal: { jwt: {} } }));
    const jwtKey = await run(["serve", bundle, "--mapping", jwtMapping, "--jwt-key", notKey], { cwd: dir });
    expect(jwtKey.code).toBe(1);
    expect(jwtKey.stderr).toMatch(/not-a-key\.pem - error IAMC7201: cannot use JWT key/);

    const rsa = join(dir, "rsa.pem");
    await writeFile(rsa, generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" }));
    const wrongAlg = await run(["serve", bundle, "--mapping", jwtMapping, "--jwt-key", rsa, "--jwt-alg", "EdDSA"], { cwd: dir });
    expect(wrongAlg.code).toBe(1);
    expect(wrongAlg.stderr).toMatch(/rsa\.pem - error IAMC7201: cannot use JWT key `.*rsa\.pem`: a key is for RS256 but RS256 is not in --jwt-alg \(EdDSA\)/);
    expect(wrongAlg.stderr).not.toMatch(STACK_LINE);
  });

  it("a bundle that never loads: exit 1 within --wait, saying why (the rejection's code)", async () => {
    const missing = await run(["serve", "gone.iamc", "--mapping", mapping, "--wait", "200", "--interval", "50"], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/gone\.iamc - error IAMC5001: no good bundle loaded within 200 ms: cannot read the bundle: .*no such file/);
    const junk = join(dir, "junk.iamc");
    await writeFile(junk, "not a bundle at all");
    const bad = await run(["serve", junk, "--mapping", mapping, "--wait", "200", "--interval", "50"], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/junk\.iamc - error IAMC500\d: no good bundle loaded within 200 ms/);
    // the same rejection at every poll is said once
    expect(bad.stderr.match(/rejected /g)?.length).toBe(1);
  });

  it("a port in use: IAMC7202 saying so, exit 1", async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const result = await run(["serve", bundle, "--mapping", mapping, "--port", String(port)], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`error IAMC7202: port ${port} on 127.0.0.1 is already in use`);
    } finally {
      holder.close();
    }
  });

  it("usage errors exit 2", async () => {
    for (const args of [["--port", "http"], ["--port", "70000"], ["--jwt-alg", "none"], ["--path-prefix", "authz/"]]) {
      const result = await run(["serve", bundle, "--mapping", mapping, ...args], { cwd: dir });
      expect(result.code, args.join(" ")).toBe(2);
    }
    expect((await run(["serve", bundle], { cwd: dir })).code).toBe(2);
  });
});

describe("iamc serve: serving", () => {
  it("listens, says so with the revision, answers, logs reloads and decisions", async () => {
    const live = join(dir, "live.iamc");
    await writeFile(live, storeBundle(1));
    const stderr = new Capture();
    const stdout = new Capture();
    const io = { stdout, stderr, stdin: process.stdin, env: {}, cwd: dir };
    const running = await startServe(io, dir, "live.iamc", settings({ intervalMs: 30, log: true }));
    if (typeof running === "number") throw new Error(`serve did not start: ${stderr.text()}`);
    try {
      expect(stderr.text()).toContain("iamc serve: loaded live.iamc (revision 1)");
      expect(stderr.text()).toContain(`iamc serve: listening on ${running.url} (bundle live.iamc, revision 1)`);
      const put = () => sendNginx(running.address.port, "PUT", "/buckets/acme/objects/a", { "x-user": "alice" });
      expect((await put()).status).toBe(403);

      await writeFile(live, storeBundle(2, { writes: true }));
      await waitFor(() => stderr.text().includes("loaded live.iamc (revision 2)"));
      expect((await put()).status).toBe(200);

      await writeFile(live, "garbage");
      await waitFor(() => stderr.text().includes("rejected live.iamc"));
      expect(stderr.text()).toMatch(/rejected live\.iamc: IAMC500\d .*\(the last good bundle still serves\)/);
      expect((await put()).status).toBe(200);

      const lines = stdout.text().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => [l.status, l.revision])).toEqual([[403, 1], [200, 2], [200, 2]]);
      expect(lines[1]).toMatchObject({ mode: "nginx", method: "PUT", decision: "Allow", statement: "Store#WriteObjects", action: "s3:PutObject" });
    } finally {
      await running.stop();
    }
  });

  it("the built bin serves until SIGTERM, then closes and exits 0", async () => {
    const child = spawn(process.execPath, [join(REPO, "dist/compiler/cli.js"), "serve", bundle, "--mapping", mapping, "--port", "0"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    const output = collect(child);
    try {
      await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(output.stderr), 15_000);
      const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output.stderr)![1]);
      expect(output.stderr).toMatch(/\(bundle .*store\.iamc, revision 1\)/);
      expect((await sendNginx(port, "GET", "/buckets/acme/objects/a", { "x-user": "alice" })).status).toBe(200);
      child.kill("SIGTERM");
      const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
      expect(code).toBe(0);
      expect(output.stderr).toContain("iamc serve: SIGTERM: closing");
      expect(output.stderr).not.toMatch(STACK_LINE);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});

function collect(child: ChildProcess): { stdout: string; stderr: string } {
  const output = { stdout: "", stderr: "" };
  child.stdout?.setEncoding("utf8").on("data", (s: string) => (output.stdout += s));
  child.stderr?.setEncoding("utf8").on("data", (s: string) => (output.stderr += s));
  return output;
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
