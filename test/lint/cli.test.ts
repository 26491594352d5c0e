// `iamc lint` through the in-process CLI: exit codes, the human report (code frame, help,
// summary), the JSON shape, workspace errors, usage errors, the default manifest and the examples.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../compiler/cli.js";
import { run, STACK_LINE } from "../cli/helpers.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/lint/", import.meta.url));
const fixture = (name: string) => `${FIXTURES}${name}`;

interface FindingJson {
  readonly code: string;
  readonly severity: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly pointer: string;
  readonly help: string;
}

interface LintJson {
  readonly ok: boolean;
  readonly errors: number;
  readonly warnings: number;
  readonly findings: readonly FindingJson[];
  readonly diagnostics?: readonly { readonly code: string }[];
}

const parse = (stdout: string) => JSON.parse(stdout) as LintJson;

describe("iamc lint", () => {
  it("an error finding: exit 1, findings on stdout with a code frame, help and the summary last", async () => {
    const r = await run(["lint", fixture("errors")]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/errors\/iamc\.iam:5:3 - error IAMC6001: `s3:ListBucket` acts on buckets/);
    expect(r.stdout).toContain("5 |   allow s3:ListBucket, s3:GetObject on arn:aws:s3:::logs/*");
    expect(r.stdout).toMatch(/help: add the bucket ARN `arn:aws:s3:::logs`/);
    expect(r.stdout).toMatch(/errors\/iamc\.iam:8:14 - warning IAMC6008: policy `Spare` is attached to nobody/);
    expect(r.stdout).toMatch(/\n1 error, 1 warning in .*errors\n$/);
    expect(r.stdout).not.toMatch(STACK_LINE);
  });

  it("--format json: ok, counts and findings with file, line, column, pointer, code, severity, message, help", async () => {
    const r = await run(["lint", fixture("errors"), "--format", "json"]);
    expect(r.code).toBe(EXIT.invalidInput);
    const json = parse(r.stdout);
    expect(json).toMatchObject({ ok: false, errors: 1, warnings: 1 });
    expect(json.diagnostics).toBeUndefined();
    expect(json.findings).toEqual([
      expect.objectContaining({
        code: "IAMC6001",
        severity: "error",
        file: expect.stringMatching(/errors\/iamc\.iam$/),
        line: 5,
        column: 3,
        pointer: "/policies/0/document/Statement/0",
        message: expect.stringContaining("`s3:ListBucket`"),
        help: expect.stringContaining("arn:aws:s3:::logs"),
      }),
      expect.objectContaining({ code: "IAMC6008", severity: "warning", line: 8, column: 14, pointer: "/policies/1/document" }),
    ]);
  });

  it("warnings only: exit 0, ok true", async () => {
    const human = await run(["lint", fixture("warnings")]);
    expect(human.code).toBe(EXIT.ok);
    expect(human.stdout).toMatch(/warnings\/iamc\.json:8:\d+ - warning IAMC6003: this allow grants `s3:GetObject` on every resource/);
    expect(human.stdout).toMatch(/0 errors, 1 warning in /);
    const json = await run(["lint", fixture("warnings"), "--format", "json"]);
    expect(json.code).toBe(EXIT.ok);
    expect(parse(json.stdout)).toMatchObject({ ok: true, errors: 0, warnings: 1, findings: [{ code: "IAMC6003", line: 8 }] });
  });

  it("a clean workspace, found by default as iamc.iam in the working directory: exit 0 and a summary", async () => {
    const r = await run(["lint"], { cwd: fixture("clean") });
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toBe("0 errors, 0 warnings in iamc.iam\n");
    const json = await run(["lint", "--format", "json"], { cwd: fixture("clean") });
    expect(parse(json.stdout)).toEqual({ ok: true, errors: 0, warnings: 0, findings: [] });
  });

  it("a workspace with errors is reported as compile reports it: stderr, exit 1, nothing linted", async () => {
    const r = await run(["lint", fixture("broken")]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/broken\/iamc\.json:6:\d+ - error IAMC3001: .*`ReadLgos`/);
    expect(r.stderr).toMatch(/has errors; nothing linted\n$/);
    const json = await run(["lint", fixture("broken"), "--format", "json"]);
    expect(json.code).toBe(EXIT.invalidInput);
    const report = parse(json.stdout);
    expect(report).toMatchObject({ ok: false, errors: 1, findings: [] });
    expect(report.diagnostics?.map((d) => d.code)).toEqual(["IAMC3001"]);
  });

  it("a missing manifest: exit 1 with IAMC1002", async () => {
    const r = await run(["lint", fixture("nowhere")]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stderr).toMatch(/IAMC1002/);
  });

  it.each([
    ["an unknown format", ["lint", fixture("clean"), "--format", "xml"]],
    ["two workspaces", ["lint", fixture("clean"), fixture("errors")]],
    ["an unknown option", ["lint", "--fix"]],
  ])("usage error (%s): exit 2", async (_, args) => {
    const r = await run(args);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it("has its own help", async () => {
    const r = await run(["lint", "--help"]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain("--format");
  });
});

describe("the examples", () => {
  it("company: no errors; warnings for AdministratorAccess (full admin) and the `*` resources of read-only grants", async () => {
    for (const manifest of ["examples/company", "examples/company/iamc.iam"]) {
      const r = await run(["lint", manifest, "--format", "json"]);
      expect(r.code).toBe(0);
      const findings = parse(r.stdout).findings.map((f) => `${f.code} ${f.severity} ${f.pointer}`);
      const iam = manifest.endsWith(".iam");
      expect(findings).toEqual([
        `IAMC6003 warning ${iam ? "/policies/0/document" : ""}/Statement/0`,
        `IAMC6003 warning ${iam ? "/policies/1/document" : ""}/Statement/2`,
        `IAMC6003 warning ${iam ? "/policies/4/document" : ""}/Statement/0`,
        `IAMC6003 warning ${iam ? "/policies/8/document" : ""}/Statement/2`,
      ]);
    }
  });

  it("krutrim lints without errors (exit 0)", async () => {
    const r = await run(["lint", "examples/krutrim"]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/0 errors, 3 warnings in examples\/krutrim\n$/);
  });
});
