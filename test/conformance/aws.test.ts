// The shared conformance corpus: 2,000 AWS cases whose expected decisions come from an
// independent AWS policy simulator. iamc must agree on every one, through the library (compiled
// table, and the reference evaluator) and through the CLI.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import type { AwsWorkspace, Request } from "../../compiler/ir.js";
import { loadWorkspace } from "../../compiler/load-workspace.js";
import { evaluateIr } from "../../compiler/reference/evaluate.js";
import { loadBundle, type Authorizer } from "../../runtime/index.js";
import { jsonLines, run, tempDir } from "../cli/helpers.js";

const CORPUS = fileURLToPath(new URL("../corpus/conformance/aws/", import.meta.url));
const lines = (file: string) => readFileSync(join(CORPUS, file), "utf8").trim().split("\n").map((l) => JSON.parse(l) as unknown);
const requests = lines("requests.jsonl") as Request[];
const expected = (lines("expected.jsonl") as { decision: string }[]).map((e) => e.decision);
const explained = lines("explain.jsonl") as { family: string }[];

/** Cases whose answer differs from the expected one, with enough to debug them. */
function disagreements(decide: (r: Request) => string): { i: number; got: string; want: string; family: string }[] {
  return requests.flatMap((request, i) => {
    const got = decide(request);
    return got === expected[i] ? [] : [{ i, got, want: expected[i]!, family: explained[i]!.family }];
  });
}

describe("conformance: aws", () => {
  let workspace: AwsWorkspace;
  let authz: Authorizer;

  beforeAll(async () => {
    const loaded = await loadWorkspace(join(CORPUS, "iamc.json"));
    expect(loaded.diagnostics).toEqual([]);
    workspace = loaded.value as AwsWorkspace;
    const compiled = await compile(join(CORPUS, "iamc.json"));
    expect(compiled.diagnostics).toEqual([]);
    authz = loadBundle(compiled.bundle!);
  });

  it("has 2,000 cases covering every decision", () => {
    expect(requests).toHaveLength(2000);
    expect(new Set(expected)).toEqual(new Set(["Allow", "ExplicitDeny", "ImplicitDeny"]));
  });

  it("the compiled bundle agrees on every case (library)", () => {
    const wrong = disagreements((r) => authz.check(r));
    console.log(`conformance (library, compiled): ${requests.length - wrong.length}/${requests.length} agree`);
    expect(wrong).toEqual([]);
  });

  it("the reference evaluator agrees on every case", () => {
    expect(disagreements((r) => evaluateIr(workspace, r))).toEqual([]);
  });

  it("the CLI agrees on every case (compile, then check --requests)", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const out = join(dir, "c.iamc");
      const compiled = await run(["compile", join(CORPUS, "iamc.json"), "-o", out]);
      expect(compiled.code).toBe(0);
      const checked = await run(["check", out, "--requests", join(CORPUS, "requests.jsonl")]);
      expect(checked.code).toBe(0);
      const decisions = (jsonLines(checked.stdout) as { decision: string }[]).map((d) => d.decision);
      expect(decisions).toHaveLength(expected.length);
      const wrong = decisions.flatMap((d, i) => (d === expected[i] ? [] : [i]));
      console.log(`conformance (CLI): ${decisions.length - wrong.length}/${decisions.length} agree`);
      expect(wrong).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it("explain names the deciding statements the simulator names", () => {
    // explain.jsonl lists the simulator's denying statements as `policy#statementNumber` (from 1).
    const oracle = lines("explain.jsonl") as { oracle: { denyBy?: string[] } }[];
    let checked = 0;
    requests.forEach((request, i) => {
      if (expected[i] !== "ExplicitDeny") return;
      const ours = authz.explain(request).statements.map((s) => `${s.policy}#${s.index + 1}`);
      const theirs = oracle[i]!.oracle.denyBy ?? [];
      // Every statement we name as denying is one the simulator names too.
      for (const statement of ours) expect(theirs).toContain(statement);
      expect(ours.length).toBeGreaterThan(0);
      checked++;
    });
    expect(checked).toBeGreaterThan(400);
  });
});
