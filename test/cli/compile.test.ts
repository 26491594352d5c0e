// `iamc compile`: success writes atomically and says so; every error class is reported with its
// location and code, and a failed compile writes nothing.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXIT } from "../../compiler/cli.js";
import type { DiagnosticsJson } from "../../compiler/render.js";
import { fixture, run, STACK_LINE, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

type JsonReport = DiagnosticsJson & { ok: boolean; output?: string; bytes?: number; elapsedMs?: number };
const report = (stdout: string) => JSON.parse(stdout) as JsonReport;

describe("iamc compile: success", () => {
  it("writes the bundle and prints a one-line summary with time and size on stderr", async () => {
    const out = join(dir, "out.iamc");
    const r = await run(["compile", fixture("valid", "iamc.json"), "-o", out]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^compiled \S+ -> \S+out\.iamc \(\d+(\.\d)? (B|KiB|MiB)\) in \d+ ms\n$/);
    expect((await readFile(out)).byteLength).toBeGreaterThan(0);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("accepts the workspace directory, and defaults to ./iamc.json", async () => {
    const a = join(dir, "a.iamc");
    const b = join(dir, "b.iamc");
    expect((await run(["compile", fixture("valid"), "-o", a])).code).toBe(EXIT.ok);
    expect((await run(["compile", "-o", b], { cwd: fixture("valid") })).code).toBe(EXIT.ok);
    // the same inputs compile to byte-identical bundles
    expect(Buffer.compare(await readFile(a), await readFile(b))).toBe(0);
  });

  it("resolves -o against the working directory", async () => {
    const r = await run(["compile", fixture("valid"), "-o", "rel.iamc"], { cwd: dir });
    expect(r.code).toBe(EXIT.ok);
    expect(existsSync(join(dir, "rel.iamc"))).toBe(true);
  });

  it("--format json prints a machine-readable report on stdout", async () => {
    const out = join(dir, "out.iamc");
    const r = await run(["compile", fixture("valid"), "-o", out, "--format", "json"]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toBe("");
    const json = report(r.stdout);
    expect(json).toMatchObject({ ok: true, output: out, errors: 0, warnings: 0, diagnostics: [] });
    expect(json.bytes).toBe((await readFile(out)).byteLength);
  });
});

describe("iamc compile: invalid input exits 1, reports every error, writes nothing", () => {
  it("malformed JSON: FILE:LINE:COL, IAMC1001, a code frame with a caret", async () => {
    const r = await run(["compile", fixture("malformed-json"), "-o", join(dir, "out.iamc")]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stderr).toMatch(/malformed-json\/policies\/broken\.json:4:\d+ - error IAMC1001: /);
    expect(r.stderr).toContain('4 |     { "Effect": "Allow", "Action": "s3:GetObject" "Resource": "*" }');
    expect(r.stderr).toMatch(/\n {2}\| +\^+\n/);
    expect(r.stderr).toMatch(/1 error, 0 warnings\nno bundle written\n$/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).toBe("");
  });

  it("schema violation: IAMC2xxx with the JSON pointer of the bad value", async () => {
    const r = await run(["compile", fixture("schema-error"), "-o", join(dir, "out.iamc"), "--format", "json"]);
    expect(r.code).toBe(EXIT.invalidInput);
    const json = report(r.stdout);
    expect(json.ok).toBe(false);
    const effect = json.diagnostics.find((d) => d.pointer === "/policies/0/document/Statement/0/Effect");
    expect(effect).toMatchObject({ severity: "error", code: expect.stringMatching(/^IAMC2\d{3}$/), line: 9 });
    expect(effect!.message).toContain("Permit");

    const human = await run(["compile", fixture("schema-error"), "-o", join(dir, "out.iamc")]);
    expect(human.stderr).toMatch(/schema-error\/iamc\.json:9:\d+ - error IAMC2\d{3}: .*`Permit`/);
  });

  it("unknown policy reference: IAMC3001 with a did-you-mean", async () => {
    const r = await run(["compile", fixture("unknown-policy"), "-o", join(dir, "out.iamc")]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stderr).toMatch(/unknown-policy\/iamc\.json:13:\d+ - error IAMC3001: .*`ReadAppDta`/);
    expect(r.stderr).toMatch(/help: .*ReadAppData/);
  });

  it("duplicate id: IAMC3002", async () => {
    const r = await run(["compile", fixture("duplicate-id"), "-o", join(dir, "out.iamc"), "--format", "json"]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(report(r.stdout).diagnostics).toContainEqual(
      expect.objectContaining({ code: "IAMC3002", message: expect.stringContaining("ReadAppData") }),
    );
  });

  it("reports all errors of a run, not just the first", async () => {
    const r = await run(["compile", fixture("many-errors"), "-o", join(dir, "out.iamc"), "--format", "json"]);
    expect(r.code).toBe(EXIT.invalidInput);
    const codes = report(r.stdout).diagnostics.map((d) => `${d.code} ${d.message}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^IAMC3002 .*`A`/),
        expect.stringMatching(/^IAMC3001 .*`Missing1`/),
        expect.stringMatching(/^IAMC3001 .*`Missing2`/),
      ]),
    );
    const human = await run(["compile", fixture("many-errors"), "-o", join(dir, "out.iamc")]);
    expect(human.stderr).toMatch(/3 errors, 0 warnings/);
  });

  it("a missing manifest is IAMC1002", async () => {
    const r = await run(["compile", join(dir, "nope", "iamc.json"), "-o", join(dir, "out.iamc")]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stderr).toMatch(/error IAMC1002: /);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it("leaves an existing bundle byte-identical, and leaves no temporary file", async () => {
    const out = join(dir, "out.iamc");
    const before = Buffer.from("previous bundle \u0000\u0001\u0002 bytes");
    await writeFile(out, before);
    for (const broken of ["malformed-json", "schema-error", "unknown-policy", "duplicate-id", "many-errors"]) {
      const r = await run(["compile", fixture(broken), "-o", out]);
      expect(r.code).toBe(EXIT.invalidInput);
      expect(Buffer.compare(await readFile(out), before)).toBe(0);
    }
    expect(await readdir(dir)).toEqual(["out.iamc"]);
  });

  it("creates no file when the compile fails and none existed", async () => {
    const out = join(dir, "out.iamc");
    await run(["compile", fixture("schema-error"), "-o", out]);
    expect(existsSync(out)).toBe(false);
  });

  it("an output that cannot be written is IAMC4002, exit 1", async () => {
    const r = await run(["compile", fixture("valid"), "-o", join(dir, "missing-dir", "out.iamc")]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stderr).toMatch(/error IAMC4002: cannot write/);
    const blocked = join(dir, "is-a-dir.iamc");
    await mkdir(blocked);
    expect((await run(["compile", fixture("valid"), "-o", blocked])).code).toBe(EXIT.invalidInput);
  });
});

describe("colors", () => {
  it("are off for a non-TTY, on with FORCE_COLOR, off again with NO_COLOR or --no-color", async () => {
    const args = ["compile", fixture("schema-error"), "-o", join(dir, "out.iamc")];
    const ansi = /\x1b\[/;
    expect((await run(args)).stderr).not.toMatch(ansi);
    expect((await run(args, { env: { FORCE_COLOR: "1" } })).stderr).toMatch(ansi);
    expect((await run(args, { env: { FORCE_COLOR: "1", NO_COLOR: "1" } })).stderr).not.toMatch(ansi);
    expect((await run([...args, "--no-color"], { env: { FORCE_COLOR: "1" } })).stderr).not.toMatch(ansi);
  });
});
