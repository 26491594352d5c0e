// The decision table for the krutrim model, from IR built by hand (the front end has its own
// tests): roles' statements are one layer, deny wins, any allow through a role suffices, and
// explain names the role and the group a grant came through.
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import type { KrutrimWorkspace, Policy, Statement } from "../../compiler/ir.js";
import { loadBundle } from "../../runtime/index.js";

const text = (t: string) => ({ source: t, parts: [{ kind: "text" as const, text: t }] });

function statement(policy: string, index: number, effect: "Allow" | "Deny", actions: string[], resources = ["*"]): Statement {
  return {
    effect,
    actions: { negated: false, patterns: actions.map(text) },
    resources: { negated: false, patterns: resources.map(text) },
    conditions: [],
    source: { policy, index },
  };
}

const policies: Policy[] = [
  { id: "KVMFullAccess", statements: [statement("KVMFullAccess", 0, "Allow", ["vm:Create", "vm:Read", "vm:Update", "vm:Delete"])] },
  { id: "KBlockStorageReadOnlyAccess", statements: [statement("KBlockStorageReadOnlyAccess", 0, "Allow", ["kbs:Read"])] },
  { id: "NoVmDelete", statements: [statement("NoVmDelete", 0, "Deny", ["vm:Delete"], ["vm/prod-*"])] },
  { id: "ReadEverything", statements: [statement("ReadEverything", 0, "Allow", ["*:Read"])] },
];

const ws: KrutrimWorkspace = {
  model: "krutrim",
  policies: new Map(policies.map((p) => [p.id, p])),
  roles: [
    { id: "vm-operators", policies: ["KVMFullAccess", "NoVmDelete"] },
    { id: "storage-readers", policies: ["KBlockStorageReadOnlyAccess"] },
    { id: "auditors", policies: ["ReadEverything"] },
  ],
  groups: [{ id: "platform", roles: ["vm-operators"] }],
  users: [
    { id: "user/ravi", roles: [], groups: ["platform"] },
    { id: "user/asha", roles: ["storage-readers", "auditors"], groups: [] },
    { id: "user/nobody", roles: [], groups: [] },
  ],
  sources: [],
};

describe("krutrim decision table", () => {
  const { bundle, diagnostics } = compileWorkspace(ws);
  expect(diagnostics).toEqual([]);
  const authz = loadBundle(bundle!);
  const check = (principal: string | null, action: string, resource: string) => authz.check({ principal, action, resource });

  it.each([
    ["user/ravi", "vm:Create", "vm/dev-1", "Allow"],
    ["user/ravi", "vm:Delete", "vm/dev-1", "Allow"],
    ["user/ravi", "vm:Delete", "vm/prod-1", "ExplicitDeny"],
    ["user/ravi", "kbs:Read", "kbs/v1", "ImplicitDeny"],
    ["user/asha", "kbs:Read", "kbs/v1", "Allow"],
    ["user/asha", "vm:Read", "vm/prod-1", "Allow"],
    ["user/asha", "vm:Update", "vm/prod-1", "ImplicitDeny"],
    ["user/nobody", "vm:Read", "vm/x", "ImplicitDeny"],
    ["user/stranger", "vm:Read", "vm/x", "ImplicitDeny"],
    [null, "vm:Read", "vm/x", "ImplicitDeny"],
  ] as const)("%s %s on %s: %s", (principal, action, resource, decision) => {
    expect(check(principal, action, resource)).toBe(decision);
  });

  it("explain names the role and the group a grant came through", () => {
    const allowed = authz.explain({ principal: "user/ravi", action: "vm:Create", resource: "vm/dev-1" });
    expect(allowed.decision).toBe("Allow");
    expect(allowed.statements).toEqual([
      { policy: "KVMFullAccess", index: 0, effect: "Allow", layer: "role vm-operators via group platform", conditional: false },
    ]);
    const denied = authz.explain({ principal: "user/ravi", action: "vm:Delete", resource: "vm/prod-9" });
    expect(denied.decision).toBe("ExplicitDeny");
    expect(denied.statements.map((s) => [s.policy, s.layer])).toEqual([["NoVmDelete", "role vm-operators via group platform"]]);
    const direct = authz.explain({ principal: "user/asha", action: "kbs:Read", resource: "kbs/v1" });
    expect(direct.statements.map((s) => s.layer)).toEqual(["role storage-readers", "role auditors"]);
    expect(direct.layers).toEqual([{ layer: "roles", verdict: "Allow", required: true }]);
  });
});
