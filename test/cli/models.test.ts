// The krutrim and cloudalus examples through the CLI: compile, then check every request of
// requests.jsonl (streamed) and explain one, and compare with each model's reference evaluator.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../compiler/cli.js";
import type { Request } from "../../compiler/ir.js";
import { loadWorkspace } from "../../compiler/load-workspace.js";
import { evaluateIr } from "../../compiler/reference/evaluate.js";
import { jsonLines, REPO, run, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(async () => cleanup());

describe.each(["krutrim", "cloudalus"])("examples/%s through the CLI", (model) => {
  const workspace = join(REPO, "examples", model);
  const requestsFile = join(workspace, "requests.jsonl");

  it("compiles, and check --requests gives the reference evaluator's decision on every line", async () => {
    const bundle = join(dir, `${model}.iamc`);
    const compiled = await run(["compile", workspace, "-o", bundle]);
    expect(compiled.code).toBe(EXIT.ok);
    const checked = await run(["check", bundle, "--requests", requestsFile]);
    expect(checked.code).toBe(EXIT.ok);
    const loaded = await loadWorkspace(workspace);
    expect(loaded.value?.model).toBe(model);
    const requests = readFileSync(requestsFile, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Request);
    const decisions = jsonLines(checked.stdout).map((l) => (l as { decision: string }).decision);
    expect(decisions).toEqual(requests.map((r) => evaluateIr(loaded.value!, r)));
    // the examples show every decision
    expect(new Set(decisions)).toEqual(new Set(["Allow", "ExplicitDeny", "ImplicitDeny"]));
  });

  it("the DSL twin compiles to the same decisions", async () => {
    const json = join(dir, `${model}-json.iamc`);
    const dsl = join(dir, `${model}-dsl.iamc`);
    expect((await run(["compile", workspace, "-o", json])).code).toBe(EXIT.ok);
    expect((await run(["compile", join(workspace, "iamc.iam"), "-o", dsl])).code).toBe(EXIT.ok);
    const a = await run(["check", json, "--requests", requestsFile, "--explain"]);
    const b = await run(["check", dsl, "--requests", requestsFile, "--explain"]);
    expect(b.stdout).toBe(a.stdout);
  });
});

describe("cloudalus requests name identity and via on the command line", () => {
  it("explains an adoption through a trust", async () => {
    const bundle = join(dir, "cloudalus-flags.iamc");
    expect((await run(["compile", join(REPO, "examples", "cloudalus"), "-o", bundle])).code).toBe(EXIT.ok);
    const r = await run(["explain", bundle, "--principal", "ak/9f2c", "--identity", "org/acme", "--via", "t-ci", "--action", "kvdb:Put", "--resource", "kvdb/orders", "--json"]);
    expect(r.code).toBe(EXIT.ok);
    const explained = JSON.parse(r.stdout) as { decision: string; statements: { layer: string }[] };
    expect(explained.decision).toBe("Allow");
    expect(explained.statements.map((s) => s.layer)).toContain("trust t-ci");
  });
});
