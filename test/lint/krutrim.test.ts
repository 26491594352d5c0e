// Lint findings on `krutrim` workspaces: rules lower to statements, policies act through roles a
// user holds directly or through a group, and system-managed policies are built in (never
// reported themselves: there is nothing to edit).
import { describe, expect, it } from "vitest";
import { brief, lintFiles, lintIam, only } from "./helpers.js";

/** A workspace of one policy `Ops` (rules as given) on role `ops`, which ravi holds. */
const held = (rules: readonly string[], roleExtra = "") => `model krutrim
policy Ops {
${rules.map((r) => `  ${r}`).join("\n")}
}
role ops { policies Ops${roleExtra} }
user user/ravi { roles ops }
`;

describe("IAMC6002 a deny that never matches anything allowed", () => {
  it("a deny of a service nothing allows is a warning", async () => {
    const findings = await lintIam(held(["allow vm Read on vm/dev-*", "deny kbs * on *"]));
    expect(brief(findings)).toEqual(["IAMC6002 warning 4:3"]);
  });

  it("a system-managed policy's allow counts", async () => {
    expect(await lintIam(held(["allow vm Read on vm/dev-*", "deny kbs * on *"], ", KBlockStorageFullAccess"))).toEqual([]);
  });
});

describe("IAMC6003 allow on `*`", () => {
  it.each([
    ["service `All` with operations `*` on `*` is full admin: a warning", "allow All *", "IAMC6003 warning 3:3"],
    ["a rule without resources applies to `*`: a warning", "allow vm Read", "IAMC6003 warning 3:3"],
    ["service `All` with `*` on named resources: a warning", "allow All * on vm/dev-*", "IAMC6003 warning 3:3"],
  ])("%s", async (_, rule, want) => {
    const findings = await lintIam(held([rule]));
    expect(brief(findings)).toEqual([want]);
  });

  it("the help says resources default to `*`; named resources are clean", async () => {
    expect(only(await lintIam(held(["allow vm Read"])), "IAMC6003").help).toContain("`resources`");
    expect(await lintIam(held(["allow vm Read on vm/dev-*"]))).toEqual([]);
  });
});

describe("IAMC6006 an allow shadowed by a broader deny", () => {
  const workspace = (extraUsers: string) => `model krutrim
policy Ops { allow vm Update on vm/prod-* }
policy Freeze { deny vm * on vm/* }
role ops { policies Ops }
role frozen { policies Freeze }
group team { roles ops, frozen }
user user/ravi { groups team }
${extraUsers}`;

  it("a deny every holder also holds (through a group) covers the allow", async () => {
    const findings = await lintIam(workspace(""));
    expect(brief(findings)).toEqual(["IAMC6006 warning 2:14"]);
    expect(only(findings, "IAMC6006").message).toContain("`Freeze#0` (line 3)");
  });

  it("no finding when some holder of the allow lacks the deny", async () => {
    expect(brief(await lintIam(workspace("user user/meera { roles ops }")), "IAMC6006")).toEqual([]);
  });
});

describe("IAMC6007 duplicate statements", () => {
  it("a rule equal to a system-managed policy's, held by the same user, points at the built-in one", async () => {
    const findings = await lintIam(held(["allow vm Create, Read, Update, Delete"], ", KVMFullAccess"));
    const duplicate = only(findings, "IAMC6007");
    expect(brief([duplicate])).toEqual(["IAMC6007 warning 3:3"]);
    expect(duplicate.message).toBe("this statement duplicates `KVMFullAccess#0` (built in), and both apply to `user/ravi`");
  });

  it("held by different users: clean", async () => {
    const findings = await lintIam(`model krutrim
policy A { allow vm Read on vm/dev-* }
policy B { allow vm Read on vm/dev-* }
role a { policies A }
role b { policies B }
user user/ravi { roles a }
user user/meera { roles b }
`);
    expect(findings).toEqual([]);
  });
});

describe("IAMC6008 a policy attached to nobody", () => {
  it("no role, a role no user reaches, and a system-managed policy on such a role (reported at the role)", async () => {
    const findings = await lintFiles({
      "iamc.json": `{
  "model": "krutrim",
  "policies": [
    { "id": "Orphan", "document": { "name": "Orphan", "rules": [{ "service": "vm", "operations": ["Read"], "effect": "Allow", "resources": ["vm/x"] }] } },
    { "id": "Idle", "document": { "name": "Idle", "rules": [{ "service": "vm", "operations": ["Read"], "effect": "Allow", "resources": ["vm/y"] }] } }
  ],
  "roles": [
    { "id": "idle", "policies": ["Idle", "KVMReadOnlyAccess"] }
  ],
  "users": [{ "id": "user/ravi" }]
}
`,
    });
    expect(brief(findings)).toEqual(["IAMC6008 warning 4:35", "IAMC6008 warning 5:33", "IAMC6008 warning 8:5"]);
    expect(findings.map((d) => d.message)).toEqual([
      "policy `Orphan` is attached to no role",
      "policy `Idle` is held only by role `idle`, which no user holds",
      "system-managed policy `KVMReadOnlyAccess` is held only by role `idle`, which no user holds",
    ]);
  });

  it("a role reached through a group attaches", async () => {
    expect(
      await lintIam(`model krutrim
policy Ops { allow vm Read on vm/dev-* }
role ops { policies Ops, KVMReadOnlyAccess }
group team { roles ops }
user user/ravi { groups team }
`),
    ).toEqual([]);
  });
});

it("the krutrim example lints without errors", async () => {
  const { loadWorkspace } = await import("../../compiler/load-workspace.js");
  const { lintWorkspace } = await import("../../compiler/lint/index.js");
  const loaded = await loadWorkspace("examples/krutrim");
  const findings = lintWorkspace(loaded.value!);
  expect(findings.filter((d) => d.severity === "error")).toEqual([]);
  // broad grants the example makes on purpose: NetworkAdmin's vpc and securityGroup rules and ReadEverything name no resources
  expect(findings.map((d) => `${d.code} ${d.file}:${d.span?.line}`)).toEqual([
    "IAMC6003 examples/krutrim/policies/network-admin.json:5",
    "IAMC6003 examples/krutrim/policies/network-admin.json:6",
    "IAMC6003 examples/krutrim/policies/read-everything.json:5",
  ]);
});
