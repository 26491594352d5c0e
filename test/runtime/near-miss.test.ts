// explain's near misses: for an implicit deny, the Allow statements of the caller that matched
// the action but not the resource (or the reverse). Checked on examples, and on random krutrim
// workspaces against the IR: every near miss is what it says it is, and one is reported
// whenever such a statement exists.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import type { KrutrimWorkspace, Statement } from "../../compiler/ir.js";
import { matchTemplate } from "../../compiler/reference/glob.js";
import { loadBundle } from "../../runtime/index.js";
import { krutrimCaseArbitrary } from "../support/krutrim-arbitraries.js";
import { krutrimWorkspaceFromJson } from "../support/krutrim-workspace.js";
import { workspaceFromJson } from "../support/workspace.js";

const ALICE = "arn:aws:iam::111111111111:user/alice";

function awsAuthz(statements: unknown[]) {
  const { workspace, diagnostics } = workspaceFromJson({
    model: "aws",
    policies: [{ id: "P", document: { Version: "2012-10-17", Statement: statements } }],
    principals: [{ id: ALICE, policies: ["P"] }],
  });
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return loadBundle(compileWorkspace(workspace!).bundle!);
}

describe("near misses", () => {
  const authz = awsAuthz([
    { Sid: "ReadLogs", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::logs/*" },
    { Sid: "ListData", Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::data" },
    { Sid: "Elsewhere", Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:111111111111:q" },
    { Sid: "NoWrites", Effect: "Deny", Action: "s3:PutObject", Resource: "*" },
  ]);

  it("names the part that missed, what the statement wanted and what the request said", () => {
    const e = authz.explain({ principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::data/a.csv" });
    expect(e.decision).toBe("ImplicitDeny");
    expect(e.nearMisses.map((m) => [m.statement.sid, m.missed, m.wanted, m.seen])).toEqual([
      ["ReadLogs", "resource", ["arn:aws:s3:::logs/*"], "arn:aws:s3:::data/a.csv"],
    ]);
  });

  it("lists statements that matched the resource but not the action, nearest first", () => {
    const e = authz.explain({ principal: ALICE, action: "s3:GetObjectAcl", resource: "arn:aws:s3:::logs/x" });
    expect(e.nearMisses.map((m) => [m.statement.sid, m.missed])).toEqual([["ReadLogs", "action"]]);
    const bucket = authz.explain({ principal: ALICE, action: "s3:ListBucketVersions", resource: "arn:aws:s3:::data" });
    expect(bucket.nearMisses.map((m) => [m.statement.sid, m.missed, m.wanted])).toEqual([["ListData", "action", ["s3:ListBucket"]]]);
  });

  it("is empty for allows and explicit denies, and never names a Deny", () => {
    expect(authz.explain({ principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::logs/x" }).nearMisses).toEqual([]);
    expect(authz.explain({ principal: ALICE, action: "s3:PutObject", resource: "arn:aws:s3:::logs/x" }).nearMisses).toEqual([]);
    const e = authz.explain({ principal: ALICE, action: "s3:PutObjectAcl", resource: "arn:aws:s3:::elsewhere" });
    expect(e.nearMisses.every((m) => m.statement.effect === "Allow")).toBe(true);
  });

  it("on random krutrim workspaces: each near miss matches exactly the part it says, and none is missed", () => {
    let reported = 0;
    fc.assert(
      fc.property(krutrimCaseArbitrary, ({ manifest, requests }) => {
        const ws = krutrimWorkspaceFromJson(manifest).workspace!;
        const authz = loadBundle(compileWorkspace(ws).bundle!);
        for (const request of requests) {
          const e = authz.explain(request);
          if (e.decision !== "ImplicitDeny") {
            expect(e.nearMisses).toEqual([]);
            continue;
          }
          const held = heldAllows(ws, request.principal);
          const matches = (s: Statement, part: "action" | "resource") =>
            s[part === "action" ? "actions" : "resources"].patterns.some((p) =>
              matchTemplate(p, part === "action" ? request.action : request.resource, { ignoreCase: part === "action" }));
          for (const miss of e.nearMisses) {
            const s = held.find((h) => h.source.policy === miss.statement.policy && h.source.index === miss.statement.index);
            expect(s, `${miss.statement.policy}#${miss.statement.index} is not an Allow the caller holds`).toBeDefined();
            const other = miss.missed === "action" ? "resource" : "action";
            expect(matches(s!, miss.missed)).toBe(false);
            expect(matches(s!, other)).toBe(true);
          }
          const halfMatching = held.filter((s) => matches(s, "action") !== matches(s, "resource"));
          expect(e.nearMisses.length).toBe(Math.min(5, new Set(halfMatching.map((s) => `${s.source.policy}#${s.source.index}`)).size));
          reported += e.nearMisses.length;
        }
      }),
      { numRuns: 200, seed: 81 },
    );
    expect(reported).toBeGreaterThan(100);
  });
});

/** The Allow statements a krutrim user holds through its roles and its groups' roles. */
function heldAllows(ws: KrutrimWorkspace, principal: string | null): Statement[] {
  const user = ws.users.find((u) => u.id === principal);
  if (user === undefined) return [];
  const roles = [...user.roles, ...user.groups.flatMap((g) => ws.groups.find((x) => x.id === g)?.roles ?? [])];
  return roles.flatMap((r) => ws.roles.find((x) => x.id === r)?.policies ?? [])
    .flatMap((p) => ws.policies.get(p)?.statements ?? [])
    .filter((s) => s.effect === "Allow");
}
