// Krutrim documents and entities → the IR (compiler/ir.ts KrutrimWorkspace): rules become
// statements with `service:Operation` actions, roles/groups/users keep their references, and
// every reference is checked (IAMC3001, IAMC3002, IAMC3003, IAMC3008, IAMC3009).
import { describe, expect, test } from "vitest";
import type { Statement } from "../../compiler/ir.js";
import { at, brief, checkStyle, codes, only } from "../compiler/front-end-helpers.js";
import { loadKrutrimText } from "../support/krutrim-workspace.js";

const json = (value: unknown) => JSON.stringify(value, null, 2);

function load(manifest: Record<string, unknown>) {
  const text = json({ model: "krutrim", ...manifest });
  const result = loadKrutrimText(text);
  result.diagnostics.forEach(checkStyle);
  return { ...result, text };
}

const rule = (service: string, operations: string[], effect = "Allow", resources?: string[]) => ({
  service, operations, effect, ...(resources === undefined ? {} : { resources }),
});

const actionsOf = (s: Statement) => s.actions.patterns.map((p) => p.source);
const resourcesOf = (s: Statement) => s.resources.patterns.map((p) => p.source);

describe("rules → statements", () => {
  const { value: ws, diagnostics, text } = load({
    policies: [{
      id: "P",
      document: {
        name: "P",
        description: "every shape of rule",
        rules: [
          rule("vm", ["Create", "Read", "Update", "Delete"]),
          rule("All", ["Read"]),
          rule("kbs", ["*"], "Deny"),
          rule("All", ["*"], "Deny", ["secret/*"]),
          rule("vpc", ["Read", "Read", "Update"], "Allow", ["vpc/prod-?", "vpc/shared"]),
        ],
      },
    }],
    roles: [{ id: "r", policies: ["P"] }],
  });
  const statements = ws?.policies.get("P")?.statements ?? [];

  test("load cleanly", () => expect(diagnostics).toEqual([]));

  test("actions: `service:Operation`, `*:Operation` for All, `service:*` for `*`, `*` for both", () => {
    expect(statements.map(actionsOf)).toEqual([
      ["vm:Create", "vm:Read", "vm:Update", "vm:Delete"],
      ["*:Read"],
      ["kbs:*"],
      ["*"],
      ["vpc:Read", "vpc:Update"],
    ]);
  });

  test("resources default to `*`; written ones keep their wildcards as text parts", () => {
    expect(statements.map(resourcesOf)).toEqual([["*"], ["*"], ["*"], ["secret/*"], ["vpc/prod-?", "vpc/shared"]]);
    expect(statements[4]!.resources.patterns[0]!.parts).toEqual([{ kind: "text", text: "vpc/prod-?" }]);
  });

  test("effects, no conditions, no principals, nothing negated", () => {
    expect(statements.map((s) => s.effect)).toEqual(["Allow", "Allow", "Deny", "Deny", "Allow"]);
    for (const s of statements) {
      expect(s.conditions).toEqual([]);
      expect(s.principals).toBeUndefined();
      expect([s.actions.negated, s.resources.negated]).toEqual([false, false]);
    }
  });

  test("each statement's source is its policy, its rule index and the rule's place", () => {
    expect(statements.map((s) => [s.source.policy, s.source.index, s.source.origin?.pointer])).toEqual(
      [0, 1, 2, 3, 4].map((i) => ["P", i, `/policies/0/document/rules/${i}`]),
    );
    expect(statements[0]!.source.origin!.span).toMatchObject(at(text, "{", 3));
    expect(ws!.policies.get("P")!.origin).toMatchObject({ file: "iamc.json", pointer: "/policies/0/document" });
    expect(ws!.policies.get("P")!.version).toBeUndefined();
  });
});

describe("entities and the policies map", () => {
  test("roles, groups, users as written; users' lists default to empty", () => {
    const { value: ws, diagnostics } = load({
      roles: [{ id: "readers", policies: ["KVMReadOnlyAccess"] }, { id: "empty", policies: [] }],
      groups: [{ id: "ops", roles: ["readers"] }],
      users: [{ id: "user/ravi", groups: ["ops"] }, { id: "user/mei", roles: ["empty"] }, { id: "user/none" }],
    });
    expect(diagnostics).toEqual([]);
    expect(ws!.roles.map(({ id, policies }) => ({ id, policies }))).toEqual([{ id: "readers", policies: ["KVMReadOnlyAccess"] }, { id: "empty", policies: [] }]);
    expect(ws!.groups.map(({ id, roles }) => ({ id, roles }))).toEqual([{ id: "ops", roles: ["readers"] }]);
    expect(ws!.users.map(({ id, roles, groups }) => ({ id, roles, groups }))).toEqual([
      { id: "user/ravi", roles: [], groups: ["ops"] },
      { id: "user/mei", roles: ["empty"], groups: [] },
      { id: "user/none", roles: [], groups: [] },
    ]);
    expect(ws!.users[0]!.origin).toMatchObject({ file: "iamc.json", pointer: "/users/0" });
  });

  test("custom policies in manifest order, then the attached system-managed ones in the seed's order", () => {
    const { value: ws, diagnostics } = load({
      policies: [
        { id: "Zeta", document: { rules: [rule("vm", ["Read"])] } },
        { id: "Alpha", document: { rules: [rule("vm", ["Read"])] } },
        { id: "Unused", document: { rules: [rule("vm", ["Read"])] } },
      ],
      roles: [{ id: "a", policies: ["KVPCFullAccess", "Alpha"] }, { id: "b", policies: ["KASGReadOnlyAccess", "Zeta", "KVPCFullAccess"] }],
    });
    expect(diagnostics).toEqual([]);
    // unattached custom policies stay (they are the workspace's); unattached system ones are not added
    expect([...ws!.policies.keys()]).toEqual(["Zeta", "Alpha", "Unused", "KASGReadOnlyAccess", "KVPCFullAccess"]);
    expect(ws!.policies.get("KASGReadOnlyAccess")!.statements.map(actionsOf)).toEqual([["asg:Read"]]);
    expect(ws!.policies.get("KASGReadOnlyAccess")!.origin).toBeUndefined();
  });

  test("a policy's id is the entry's `id`, else the document's `name`", () => {
    const { value: ws } = load({
      policies: [
        { id: "Entry", document: { name: "Document", rules: [rule("vm", ["Read"])] } },
        { document: { name: "Named", rules: [rule("vm", ["Read"])] } },
      ],
    });
    expect([...ws!.policies.keys()]).toEqual(["Entry", "Named"]);
  });
});

describe("references", () => {
  test("attaching a policy that does not exist is IAMC3001, with did-you-mean over custom and system names", () => {
    const { diagnostics, text } = load({
      policies: [{ id: "NoBlockStorage", document: { rules: [rule("kbs", ["*"], "Deny")] } }],
      roles: [{ id: "r", policies: ["KVMFullAcess", "kvmfullaccess", "NoBlockStorag", "Nothing"] }],
    });
    expect(diagnostics.map(brief)).toEqual([
      { code: "IAMC3001", pointer: "/roles/0/policies/0", ...at(text, '"KVMFullAcess"') },
      { code: "IAMC3001", pointer: "/roles/0/policies/1", ...at(text, '"kvmfullaccess"') },
      { code: "IAMC3001", pointer: "/roles/0/policies/2", ...at(text, '"NoBlockStorag"') },
      { code: "IAMC3001", pointer: "/roles/0/policies/3", ...at(text, '"Nothing"') },
    ]);
    expect(diagnostics.map((d) => d.help)).toEqual([
      "did you mean `KVMFullAccess`?",
      "did you mean `KVMFullAccess`?",
      "did you mean `NoBlockStorage`?",
      "define it under `policies` (defined: `NoBlockStorage`), or attach a system-managed policy such as `KVMReadOnlyAccess`",
    ]);
    expect(diagnostics[0]!.message).toBe("unknown policy `KVMFullAcess`");
  });

  test("defining a policy under a system-managed name is IAMC3008, by `id` or by `name`", () => {
    const { diagnostics, text } = load({
      policies: [
        { id: "KVMFullAccess", document: { rules: [rule("vm", ["*"])] } },
        { document: { name: "KKSReadAccess", rules: [rule("kks", ["Read"])] } },
      ],
      roles: [{ id: "r", policies: ["KVMFullAccess", "KKSReadAccess"] }],
    });
    expect(diagnostics.map(brief)).toEqual([
      { code: "IAMC3008", pointer: "/policies/0/id", ...at(text, '"KVMFullAccess"') },
      { code: "IAMC3008", pointer: "/policies/1/document/name", ...at(text, '"KKSReadAccess"') },
    ]);
    expect(diagnostics[0]!.message).toBe("`KVMFullAccess` is a system-managed policy and cannot be redefined");
    expect(diagnostics[0]!.help).toContain("Krutrim VM Full Access Policy");
  });

  test("a policy that failed its own checks is not reported again where a role attaches it", () => {
    const result = load({
      policies: [{ id: "Broken", document: { rules: [rule("vmm", ["Read"])] } }, { id: "AlsoBroken", document: { rules: "x" } }],
      roles: [{ id: "r", policies: ["Broken", "AlsoBroken"] }],
    });
    expect(codes(result)).toEqual(["IAMC2004", "IAMC2001"]);
  });

  test("unknown roles are IAMC3009, unknown groups IAMC3003, both with did-you-mean", () => {
    const { diagnostics, text } = load({
      roles: [{ id: "vm-operators", policies: [] }],
      groups: [{ id: "platform", roles: ["vm-operator"] }],
      users: [{ id: "user/ravi", roles: ["vm-operators", "admins"], groups: ["platfrom"] }],
    });
    expect(diagnostics.map(brief)).toEqual([
      { code: "IAMC3009", pointer: "/groups/0/roles/0", ...at(text, '"vm-operator"') },
      { code: "IAMC3009", pointer: "/users/0/roles/1", ...at(text, '"admins"') },
      { code: "IAMC3003", pointer: "/users/0/groups/0", ...at(text, '"platfrom"') },
    ]);
    expect(diagnostics.map((d) => d.help)).toEqual(["did you mean `vm-operators`?", "define it under `roles` (defined: `vm-operators`)", "did you mean `platform`?"]);
  });

  test("references to entries that failed their checks are not reported again", () => {
    const result = load({ roles: [{ id: "r" }], groups: [{ id: "g", roles: "r" }], users: [{ id: "user/ravi", roles: ["r"], groups: ["g"] }] });
    expect(codes(result)).toEqual(["IAMC2002", "IAMC2001"]);
  });

  test("duplicate ids of policies, roles, groups and users are IAMC3002, pointing at the first", () => {
    const { diagnostics, text } = load({
      policies: [{ id: "P", document: { rules: [rule("vm", ["Read"])] } }, { id: "P", document: { rules: [rule("vm", ["Read"])] } }],
      roles: [{ id: "r", policies: ["P"] }, { id: "r", policies: [] }],
      groups: [{ id: "g", roles: [] }, { id: "g", roles: [] }],
      users: [{ id: "user/ravi" }, { id: "user/ravi" }],
    });
    expect(diagnostics.map(brief)).toEqual([
      { code: "IAMC3002", pointer: "/policies/1/id", ...at(text, '"P"', 1) },
      { code: "IAMC3002", pointer: "/roles/1/id", ...at(text, '"r"', 1) },
      { code: "IAMC3002", pointer: "/groups/1/id", ...at(text, '"g"', 1) },
      { code: "IAMC3002", pointer: "/users/1/id", ...at(text, '"user/ravi"', 1) },
    ]);
    const first = at(text, '"r"');
    expect(diagnostics[1]!.help).toBe(`role \`r\` is first defined at iamc.json:${first.line}:${first.column}; merge the two entries or remove one`);
  });

  test("every error of a run is reported, and only a clean workspace is returned", () => {
    const result = load({
      policies: [{ id: "KVMFullAccess", document: { rules: [rule("VM", ["Read"])] } }],
      roles: [{ id: "r", policies: ["Missing"] }],
      users: [{ id: "user/ravi", roles: ["x"], groups: ["y"] }],
    });
    expect(result.value).toBeUndefined();
    expect(codes(result).sort()).toEqual(["IAMC2004", "IAMC3001", "IAMC3003", "IAMC3008", "IAMC3009"]);
    expect(only({ diagnostics: result.diagnostics.filter((d) => d.code === "IAMC3008") }).pointer).toBe("/policies/0/id");
  });
});
