// `iamc test` through the in-process CLI: passing and failing tests with their exit codes and
// output, coverage numbers on a small workspace, --threshold, JSON output, bundle targets, usage
// errors, and the example test files of all three models.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EXIT } from "../../compiler/cli.js";
import { REPO, run, STACK_LINE, tempDir } from "../cli/helpers.js";

const FIXTURES = "test/fixtures/policy-tests";
const fixture = (name: string) => `${FIXTURES}/${name}`;

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(async () => cleanup());

interface JsonReport {
  passed: number;
  failed: number;
  cases: { name: string; expect: string; decision: string; ok: boolean; explanation?: { reason: string } }[];
  coverage?: { percent: number; covered: number; total: number; uncovered: { policy: string; sid?: string; index: number; file?: string; line?: number }[] };
}

describe("running tests", () => {
  test("all pass: one line per test with its decision, a summary, exit 0", async () => {
    const r = await run(["test", fixture("passing.json")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toBe(
      [
        "✓ alice reads app data             Allow",
        "✓ alice uploads                    Allow",
        "✓ nobody deletes                   ExplicitDeny",
        "✓ an outside caller reads nothing  ImplicitDeny",
        "",
        "4 passed, 0 failed",
        "",
      ].join("\n"),
    );
  });

  test("a failure: expected and actual decisions, where the test is, its explanation; exit 1", async () => {
    const r = await run(["test", fixture("failing.json")]);
    expect(r.code).toBe(EXIT.invalidInput);
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, 2)).toEqual(["✓ alice reads app data    Allow", "✗ alice deletes app data  ExplicitDeny (expected Allow)"]);
    expect(r.stdout).toContain(`\n✗ alice deletes app data (${fixture("failing.json")}:11:5)\n  expected Allow, got ExplicitDeny\n`);
    // the explanation as `iamc explain` prints it, indented under the failure
    expect(r.stdout).toContain("\n    ExplicitDeny: arn:aws:iam::111111111111:user/alice may not s3:DeleteObject on arn:aws:s3:::app-data/q1.csv\n");
    expect(r.stdout).toMatch(/\n {6}Deny +identity +AppData +#2\n/);
    expect(r.stdout.endsWith("\n1 passed, 1 failed\n")).toBe(true);
  });

  test("the JSON and DSL forms of a test file give the same output", async () => {
    const [json, dsl] = await Promise.all([run(["test", fixture("passing.json"), "--coverage"]), run(["test", fixture("passing.iam"), "--coverage"])]);
    expect(dsl.code).toBe(EXIT.ok);
    expect(dsl.stdout).toBe(json.stdout);
  });

  test("--format json: counts, every case, explanations of the failures only", async () => {
    const r = await run(["test", fixture("failing.json"), "--format", "json"]);
    expect(r.code).toBe(EXIT.invalidInput);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report).toMatchObject({
      passed: 1,
      failed: 1,
      cases: [
        { name: "alice reads app data", expect: "Allow", decision: "Allow", ok: true },
        { name: "alice deletes app data", expect: "Allow", decision: "ExplicitDeny", ok: false, explanation: { reason: expect.stringContaining("AppData") } },
      ],
    });
    expect(report.cases[0]).not.toHaveProperty("explanation");
    expect(report).not.toHaveProperty("coverage");
  });

  test("several test files: a header per file, one summary", async () => {
    const r = await run(["test", FIXTURES + "/small", fixture("passing.json"), fixture("failing.json")]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stdout.startsWith(`${fixture("passing.json")}\n  ✓ alice reads app data`)).toBe(true);
    expect(r.stdout).toContain(`\n${fixture("failing.json")}\n  ✓ alice reads app data`);
    expect(r.stdout).toContain("\n5 passed, 1 failed\n");
  });
});

describe("coverage", () => {
  test("3 of 4 statements: 75%, and the uncovered one named with its file and line", async () => {
    const r = await run(["test", fixture("passing.json"), "--coverage"]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain(
      ["coverage: 3 of 4 statements exercised (75%)", "not exercised by any test:", `  AppData/ListBuckets #3  ${FIXTURES}/small/policies/app-data.json:8`, ""].join("\n"),
    );
    const json = JSON.parse((await run(["test", fixture("passing.json"), "--coverage", "--format", "json"])).stdout) as JsonReport;
    expect(json.coverage).toEqual({
      percent: 75,
      covered: 3,
      total: 4,
      uncovered: [{ policy: "AppData", sid: "ListBuckets", index: 3, file: `${FIXTURES}/small/policies/app-data.json`, line: 8 }],
    });
  });

  test("--threshold: exit 0 at or under the coverage, 1 over it (and it implies --coverage)", async () => {
    expect((await run(["test", fixture("passing.json"), "--threshold", "75"])).code).toBe(EXIT.ok);
    const over = await run(["test", fixture("passing.json"), "--threshold", "80"]);
    expect(over.code).toBe(EXIT.invalidInput);
    expect(over.stdout).toContain("coverage: 3 of 4 statements exercised (75%)");
    expect(over.stdout.endsWith("coverage 75% is below the threshold of 80%\n")).toBe(true);
    expect((await run(["test", fixture("passing.json"), "--threshold", "80", "--format", "json"])).code).toBe(EXIT.invalidInput);
  });

  test("a bundle target: places as the bundle recorded them (relative to its manifest)", async () => {
    const bundle = join(dir, "small.iamc");
    expect((await run(["compile", fixture("small"), "-o", bundle])).code).toBe(EXIT.ok);
    const r = await run(["test", bundle, fixture("passing.json"), "--coverage"]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain("  AppData/ListBuckets #3  policies/app-data.json:8\n");
  });
});

describe("problems", () => {
  test("an invalid test file: located diagnostics on stderr, no test runs, exit 1", async () => {
    const r = await run(["test", fixture("invalid.json")]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`${fixture("invalid.json")}:5:113 - error IAMC2016: \`Alow\` is not a decision`);
    expect(r.stderr).toContain("8 errors, 0 warnings");
    expect(r.stderr.endsWith("no test ran\n")).toBe(true);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  test("a workspace that cannot be read or compiled: its diagnostics, exit 1", async () => {
    const r = await run(["test", "no-such-workspace", fixture("passing.json")]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stderr).toContain("IAMC1002");
  });

  test("the target may be a manifest file, JSON or `.iam`, and is told from a test file by its `model`", async () => {
    expect((await run(["test", fixture("small/iamc.json"), fixture("passing.iam")])).code).toBe(EXIT.ok);
    expect((await run(["test", "examples/company/iamc.iam", "examples/company/tests.json"])).code).toBe(EXIT.ok);
  });

  test.each([
    [["test", fixture("small")], "give the test files to run after"],
    [["test", "examples/company/iamc.json"], "give the test files to run after"],
    [["test", fixture("passing.json"), "--threshold", "101"], "--threshold takes a percentage from 0 to 100, not `101`"],
    [["test", fixture("passing.json"), "--threshold", "most"], "--threshold takes a percentage from 0 to 100"],
    [["test", fixture("passing.json"), "--format", "yaml"], "yaml"],
  ])("usage errors exit 2: %j", async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain(message);
  });

  test("a test file that names no workspace needs TARGET; files naming different workspaces need one", async () => {
    const lone = join(dir, "lone.json");
    const other = join(dir, "other.json");
    const tests = readFileSync(join(REPO, FIXTURES, "passing.json"), "utf8");
    writeFileSync(lone, tests.replace('"workspace": "small",', ""));
    writeFileSync(other, tests.replace('"workspace": "small"', `"workspace": ${JSON.stringify(join(REPO, "examples", "company"))}`));
    const unnamed = await run(["test", lone]);
    expect(unnamed.code).toBe(EXIT.usage);
    expect(unnamed.stderr).toContain("names no workspace");
    expect((await run(["test", fixture("small"), lone])).code).toBe(EXIT.ok);
    const two = await run(["test", fixture("passing.json"), other]);
    expect(two.code).toBe(EXIT.usage);
    expect(two.stderr).toContain("the test files name different workspaces");
  });
});

describe.each([
  ["company", "tests.json", 28, 27],
  ["company", "tests.iam", 28, 27],
  ["krutrim", "tests.json", 24, 16],
  ["cloudalus", "tests.json", 14, 6],
])("examples/%s/%s", (model, file, tests, statements) => {
  test("every test passes against the workspace, and together they exercise every statement", async () => {
    const r = await run(["test", `examples/${model}`, `examples/${model}/${file}`, "--threshold", "100", "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(EXIT.ok);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.failed, JSON.stringify(report.cases.filter((c) => !c.ok))).toBe(0);
    expect(report.passed).toBe(tests);
    expect(report.coverage).toEqual({ percent: 100, covered: statements, total: statements, uncovered: [] });
    // every decision is shown at least once
    expect(new Set(report.cases.map((c) => c.decision))).toEqual(new Set(["Allow", "ExplicitDeny", "ImplicitDeny"]));
  });
});

test("the DSL test files are in canonical form, and convert writes the JSON twin of one", async () => {
  const fmt = await run(["fmt", "--check", "examples/company/tests.iam", fixture("passing.iam"), "test/grammar/golden/tests.iam"]);
  expect(fmt.stdout).toBe("");
  expect(fmt.code).toBe(EXIT.ok);
  const out = join(dir, "tests.json");
  expect((await run(["convert", "examples/company/tests.iam", "-o", out])).code).toBe(EXIT.ok);
  const { workspace, ...converted } = JSON.parse(readFileSync(out, "utf8"));
  const { workspace: _, ...twin } = JSON.parse(readFileSync(join(REPO, "examples", "company", "tests.json"), "utf8"));
  expect(converted).toEqual(twin);
  // the workspace path is moved to the output's folder: it still names the example
  expect(resolve(dir, workspace)).toBe(join(REPO, "examples", "company"));
});
