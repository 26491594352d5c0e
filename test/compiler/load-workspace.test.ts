import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { loadWorkspace } from "../../compiler/load-workspace.js";
import { brief, checkStyle, codes } from "./front-end-helpers.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/front-end/", import.meta.url));
const fixture = (...parts: string[]) => join(FIXTURES, ...parts);
const CONFORMANCE = fileURLToPath(new URL("../corpus/conformance/aws/", import.meta.url));
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("the conformance workspace", () => {
  test("loads with zero diagnostics and the expected counts", async () => {
    const result = await loadWorkspace(CONFORMANCE);
    expect(result.diagnostics).toEqual([]);
    const ws = result.value!;
    if (ws.model !== "aws") throw new Error(`expected an aws workspace, got ${ws.model}`);
    expect(ws.policies.size).toBe(60);
    expect([...ws.policies.values()].reduce((n, p) => n + p.statements.length, 0)).toBe(104);
    expect([ws.accounts.length, ws.groups.length, ws.principals.length, ws.resources.length]).toEqual([3, 0, 8, 19]);
    expect(ws.sources).toEqual([{ file: "iamc.json", sha256: sha256(join(CONFORMANCE, "iamc.json")) }]);
    expect([...ws.policies.keys()].slice(0, 3)).toEqual(["idp-01", "idp-02", "idp-03"]);
    // every statement and condition knows where it came from
    for (const policy of ws.policies.values()) {
      expect(policy.origin?.span).toBeDefined();
      for (const statement of policy.statements) {
        expect(statement.source.origin?.span?.line).toBeGreaterThan(0);
        for (const condition of statement.conditions) expect(condition.origin?.span).toBeDefined();
      }
    }
    expect(ws.accounts[0]).toMatchObject({ id: "999999999999", scps: [["scp-01"], ["scp-08", "scp-05"], ["scp-01", "scp-06"]] });
    const ivan = ws.principals.find((p) => p.id === "arn:aws:iam::999999999999:user/ivan")!;
    expect(ivan).toMatchObject({ boundary: "pb-03", tags: { team: "red", env: "dev", project: "gemini" } });
    expect(ivan.sessionPolicies).toBeUndefined();
  });

  test("a manifest path works as well as its folder", async () => {
    const byFile = await loadWorkspace(join(CONFORMANCE, "iamc.json"));
    expect(byFile.diagnostics).toEqual([]);
    expect(byFile.value!.policies.get("idp-01")!.origin!.file).toBe(join(CONFORMANCE, "iamc.json"));
  });
});

describe("policy files", () => {
  test("a glob expands to sorted files; ids come from `id`, `Id`, else the stem", async () => {
    const result = await loadWorkspace(fixture("globbed"));
    expect(result.diagnostics).toEqual([]);
    const ws = result.value!;
    expect([...ws.policies.keys()]).toEqual(["ReadLogs", "WriteData", "zeta", "Renamed"]);
    expect(ws.sources.map((s) => s.file)).toEqual(["iamc.json", "policies/a-read.json", "policies/b-write.json", "policies/zeta.json", "extra/one.json"]);
    expect(ws.sources[1]!.sha256).toBe(sha256(fixture("globbed", "policies", "a-read.json")));
    const write = ws.policies.get("WriteData")!;
    expect(write.origin).toMatchObject({ file: fixture("globbed", "policies", "b-write.json"), pointer: "", span: { line: 1, column: 1 } });
    expect(write.statements[0]!.resources.patterns[0]!.parts).toContainEqual({ kind: "variable", key: "aws:username" });
    expect(write.statements[0]!.source.origin).toMatchObject({ pointer: "/Statement/0", span: { line: 4, column: 17 } });
    // no Version: `${...}` is text
    expect(ws.policies.get("Renamed")!.statements[0]!.resources.patterns[0]!.parts).toEqual([{ kind: "text", text: "arn:aws:s3:::secret/${aws:username}" }]);
    expect(ws.policies.get("ReadLogs")!.statements[0]!.source.sid).toBe("Logs");
  });

  test("every file problem of a run is reported: a broken .iam, other types, missing files, empty globs", async () => {
    const result = await loadWorkspace(fixture("file-errors"));
    expect(result.value).toBeUndefined();
    const manifest = fixture("file-errors", "iamc.json");
    expect(result.diagnostics.map((d) => ({ ...brief(d), file: d.file }))).toEqual([
      { code: "IAMC1002", pointer: "/policies/0/file", line: 4, column: 14, file: manifest },
      { code: "IAMC1004", pointer: "/policies/2/file", line: 6, column: 14, file: manifest },
      { code: "IAMC1002", pointer: "/policies/3/file", line: 7, column: 14, file: manifest },
      { code: "IAMC1003", pointer: "/policies/4/file", line: 8, column: 14, file: manifest },
      // a policy file holds `policy NAME { ... }` declarations, not bare statements
      { code: "IAMC1102", line: 1, column: 1, file: fixture("file-errors", "rules", "base.iam") },
    ]);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      `cannot read \`${fixture("file-errors", "admin.iam")}\`: no such file`,
      "`policy.yaml` is not a policy file iamc reads",
      `cannot read \`${fixture("file-errors", "missing.json")}\`: no such file`,
      "`nothing/*.json` matched no file",
      "expected a declaration (`model`, `policy`, `account`, `group`, `principal`, `resource`, ...), found `allow`",
    ]);
    result.diagnostics.forEach(checkStyle);
  });

  test("a malformed policy file is IAMC1001 at its line:col; the others still load and link", async () => {
    const result = await loadWorkspace(fixture("broken-file"));
    expect(result.value).toBeUndefined();
    expect(result.diagnostics.map((d) => ({ ...brief(d), file: d.file }))).toEqual([
      // the manifest's diagnostics come first: `bad` is not reported as unknown, `goood` is
      { code: "IAMC3001", pointer: "/principals/0/policies/1", line: 5, column: 70, file: fixture("broken-file", "iamc.json") },
      { code: "IAMC1001", line: 3, column: 24, file: fixture("broken-file", "policies", "bad.json") },
    ]);
    expect(result.diagnostics[0]!.help).toBe("did you mean `good`?");
    expect(result.diagnostics[1]!.message).toBe("expected `,` between entries");
  });

  test("a missing manifest or folder is IAMC1002, never a throw", async () => {
    const missing = await loadWorkspace(fixture("no-such-dir"));
    expect(codes(missing)).toEqual(["IAMC1002"]);
    expect(missing.diagnostics[0]!.message).toBe(`cannot read \`${fixture("no-such-dir")}\`: no such file`);
    const empty = await loadWorkspace(fixture("globbed", "policies"));
    expect(empty.diagnostics[0]).toMatchObject({ code: "IAMC1002", message: expect.stringContaining("iamc.json") });
  });

  test("a malformed manifest stops at IAMC1001 with every error", async () => {
    const result = await loadWorkspace(fixture("broken-file", "policies", "bad.json"));
    expect(result.diagnostics.map(brief)).toEqual([{ code: "IAMC1001", line: 3, column: 24 }]);
  });
});
