// The krutrim manifest and policy documents, checked: every error of a run, each with its code,
// JSON pointer, line:column and help, in JSON files and in `.iam` text alike.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { loadWorkspace } from "../../compiler/load-workspace.js";
import { unknownServiceHelp } from "../../compiler/krutrim/lower.js";
import { tempDir } from "../cli/helpers.js";
import { at, brief, checkStyle, codes, only } from "../compiler/front-end-helpers.js";
import { loadKrutrimText } from "../support/krutrim-workspace.js";

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** A manifest whose one inline policy has the given rules, attached to a role a user holds. */
function withRules(rules: unknown[], document: Record<string, unknown> = {}): string {
  return json({
    model: "krutrim",
    policies: [{ id: "Custom", document: { name: "Custom", description: "test", rules, ...document } }],
    roles: [{ id: "r", policies: ["Custom"] }],
    users: [{ id: "user/ravi", roles: ["r"] }],
  });
}

function load(text: string, files: Parameters<typeof loadKrutrimText>[1] = [], file?: string) {
  const result = loadKrutrimText(text, files, file);
  result.diagnostics.forEach(checkStyle);
  return result;
}

const RULE = "/policies/0/document/rules/0";

describe("the model", () => {
  test("krutrim is implemented: a valid manifest loads with no diagnostics", () => {
    const result = load(withRules([{ service: "vm", operations: ["Read"], effect: "Allow" }]));
    expect(result.diagnostics).toEqual([]);
    expect(result.value?.model).toBe("krutrim");
  });

  test("`$schema` is allowed; every list is optional", () => {
    const result = load(json({ $schema: "./node_modules/iamc/schema/iamc.schema.json", model: "krutrim" }));
    expect(result.diagnostics).toEqual([]);
    expect(result.value).toMatchObject({ roles: [], groups: [], users: [], sources: [] });
  });
});

describe("rules", () => {
  test("an unknown service is IAMC2004 at the service, with did-you-mean (names are case-sensitive)", () => {
    const text = withRules([{ service: "VM", operations: ["Read"], effect: "Allow" }]);
    const d = only(load(text));
    expect(brief(d)).toEqual({ code: "IAMC2004", pointer: `${RULE}/service`, ...at(text, '"VM"') });
    expect(d.message).toBe("unknown service `VM`");
    expect(d.help).toBe("did you mean `vm`? service names are case-sensitive");
  });

  test("the console's policy-type names point to the service name", () => {
    expect(unknownServiceHelp("Security Group")).toBe("did you mean `securityGroup`? the policy type `Security Group` is written `securityGroup`");
    expect(unknownServiceHelp("Krutrim Block Storage")).toBe("did you mean `kbs`? the policy type `Krutrim Block Storage` is written `kbs`");
    expect(unknownServiceHelp("Virtual machine")).toBe("did you mean `vm`? the policy type `Virtual machine` is written `vm`");
    expect(unknownServiceHelp("all")).toBe("did you mean `All`? service names are case-sensitive");
    expect(unknownServiceHelp("*")).toBe("did you mean `All`? the policy type `*` is written `All`");
    expect(unknownServiceHelp("vpcs")).toBe("did you mean `vpc`?");
    expect(unknownServiceHelp("compute")).toMatch(/^write one of `asg`, `billing`, .*`vpc`, or `All` for every service$/);
  });

  test("an operation out of CRUD is IAMC2004 with did-you-mean; an empty list IAMC2001", () => {
    const text = withRules([
      { service: "vm", operations: ["read"], effect: "Allow" },
      { service: "vm", operations: [], effect: "Allow" },
    ]);
    const result = load(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2004", pointer: `${RULE}/operations/0`, ...at(text, '"read"') },
      { code: "IAMC2001", pointer: "/policies/0/document/rules/1/operations", ...at(text, "[]") },
    ]);
    expect(result.diagnostics[0]!.help).toBe("did you mean `Read`? (values are case-sensitive)");
  });

  test("`*` beside other operations is IAMC2014 at the `*`", () => {
    const text = withRules([{ service: "vm", operations: ["Read", "*"], effect: "Allow" }]);
    const d = only(load(text));
    expect(brief(d)).toEqual({ code: "IAMC2014", pointer: `${RULE}/operations/1`, ...at(text, '"*"') });
    expect(d.help).toContain('write `["*"]` alone');
  });

  test("operations must be a list, even for `*`", () => {
    const text = withRules([{ service: "vm", operations: "*", effect: "Allow" }]);
    expect(brief(only(load(text)))).toEqual({ code: "IAMC2001", pointer: `${RULE}/operations`, ...at(text, '"*"') });
  });

  test("effect is case-sensitive; resources a non-empty list of non-empty strings", () => {
    const text = withRules([
      { service: "vm", operations: ["Read"], effect: "allow" },
      { service: "vm", operations: ["Read"], effect: "Deny", resources: [] },
      { service: "vm", operations: ["Read"], effect: "Deny", resources: "vm/*" },
      { service: "vm", operations: ["Read"], effect: "Deny", resources: [""] },
    ]);
    const result = load(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2004", pointer: `${RULE}/effect`, ...at(text, '"allow"') },
      { code: "IAMC2001", pointer: "/policies/0/document/rules/1/resources", ...at(text, "[]") },
      { code: "IAMC2001", pointer: "/policies/0/document/rules/2/resources", ...at(text, '"vm/*"') },
      { code: "IAMC2001", pointer: "/policies/0/document/rules/3/resources/0", ...at(text, '""') },
    ]);
    expect(result.diagnostics[0]!.help).toBe("did you mean `Allow`? (values are case-sensitive)");
  });

  test("unknown and missing rule fields", () => {
    const text = withRules([{ service: "vm", operations: ["Read"], effect: "Allow", resource: ["*"] }, { service: "vm", effect: "Allow" }]);
    const result = load(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2003", pointer: `${RULE}/resource`, ...at(text, '"resource"') },
      { code: "IAMC2002", pointer: "/policies/0/document/rules/1/operations", ...at(text, "{", 4) },
    ]);
    expect(result.diagnostics[0]!.help).toBe("did you mean `resources`?");
  });

  test("every bad rule of every policy is reported, in text order", () => {
    const text = json({
      model: "krutrim",
      policies: [
        { id: "A", document: { rules: [{ service: "vmm", operations: ["Read"], effect: "Allow" }, { service: "kbs", operations: ["Remove"], effect: "Deny" }] } },
        { id: "B", document: { rules: [{ service: "All", operations: ["*"], effect: "Block" }] } },
      ],
      roles: [{ id: "r", policies: ["A", "B"] }],
    });
    expect(codes(load(text))).toEqual(["IAMC2004", "IAMC2004", "IAMC2004"]);
  });
});

describe("policy documents", () => {
  test("rules are required and non-empty; AWS fields are unknown", () => {
    const text = json({
      model: "krutrim",
      policies: [
        { id: "A", document: { name: "A" } },
        { id: "B", document: { rules: [] } },
        { id: "C", document: { Statement: [], rules: [{ service: "vm", operations: ["Read"], effect: "Allow" }] } },
      ],
    });
    const result = load(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2002", pointer: "/policies/0/document/rules", ...at(text, "{", 2) },
      { code: "IAMC2001", pointer: "/policies/1/document/rules", ...at(text, "[]") },
      { code: "IAMC2003", pointer: "/policies/2/document/Statement", ...at(text, '"Statement"') },
    ]);
  });

  test("an inline policy with neither `id` nor `name` is IAMC2002, and `name` is the id otherwise", () => {
    const text = json({
      model: "krutrim",
      policies: [
        { document: { rules: [{ service: "vm", operations: ["Read"], effect: "Allow" }] } },
        { document: { name: "Named", rules: [{ service: "vm", operations: ["Read"], effect: "Allow" }] } },
      ],
      roles: [{ id: "r", policies: ["Named"] }],
    });
    const d = only(load(text));
    expect(brief(d)).toEqual({ code: "IAMC2002", pointer: "/policies/0/id", ...at(text, "{", 1) });
    expect(d.help).toBe('add `"id": "MyPolicy"` to the entry, or `"name"` to the document');
  });

  test("a policy file's errors are located in that file", () => {
    const manifest = json({ model: "krutrim", policies: [{ file: "policies/p.json" }], roles: [{ id: "r", policies: ["p"] }] });
    const policy = json({ name: "p", description: "x", rules: [{ service: "kcms", operations: ["Read"], effect: "Allow" }] });
    const d = only(load(manifest, [{ entry: 0, file: "policies/p.json", text: policy }]));
    expect(d).toMatchObject({ code: "IAMC2004", file: "policies/p.json", pointer: "/rules/0/service", span: at(policy, '"kcms"') });
    expect(d.help).toBe("did you mean `kcm`?");
  });

  test("a .iam policy file of a krutrim manifest is read as krutrim rules", () => {
    const manifest = json({ model: "krutrim", policies: [{ file: "policies/ops.iam" }], roles: [{ id: "r", policies: ["Ops"] }] });
    const iam = 'policy Ops "operators" {\n  allow vm Create, Read\n  deny vm Delete on vm/prod-*\n}\n';
    const result = load(manifest, [{ entry: 0, file: "policies/ops.iam", text: iam }]);
    expect(result.diagnostics).toEqual([]);
    expect(result.value!.policies.get("Ops")!.statements.map((s) => s.actions.patterns.map((p) => p.source))).toEqual([["vm:Create", "vm:Read"], ["vm:Delete"]]);
  });
});

describe("the manifest", () => {
  test("each bad entry is reported on its own, with a pointer and line:column", () => {
    const text = json({
      model: "krutrim",
      principals: [],
      roles: [{ id: "r" }, "admins"],
      groups: [{ id: "g", roles: ["r"], policies: ["KVMFullAccess"] }],
      users: [{ id: "user/ravi", policies: ["KVMFullAccess"] }, { id: "", groups: [] }],
    });
    const result = load(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2003", pointer: "/principals", ...at(text, '"principals"') },
      { code: "IAMC2002", pointer: "/roles/0/policies", ...at(text, "{", 1) },
      { code: "IAMC2001", pointer: "/roles/1", ...at(text, '"admins"') },
      { code: "IAMC2003", pointer: "/groups/0/policies", ...at(text, '"policies"') },
      { code: "IAMC2003", pointer: "/users/0/policies", ...at(text, '"policies"', 1) },
      { code: "IAMC2001", pointer: "/users/1/id", ...at(text, '""') },
    ]);
    // a user or group holding policies is the usual slip: say where they go
    expect(result.diagnostics[3]!.help).toContain("policies act only through roles");
    expect(result.diagnostics[4]!.help).toContain("policies act only through roles");
  });

  test("a policy entry with both `document` and `file` is IAMC2013; with neither IAMC2002", () => {
    const text = json({ model: "krutrim", policies: [{ id: "A", document: {}, file: "a.json" }, { id: "B" }] });
    expect(load(text).diagnostics.map(brief)).toEqual([
      { code: "IAMC2013", pointer: "/policies/0/file", ...at(text, '"file"') },
      { code: "IAMC2002", pointer: "/policies/1/document", ...at(text, "{", 3) },
    ]);
  });
});

describe("a .iam krutrim workspace", () => {
  const text = [
    "model krutrim",
    "",
    'policy Ops "operators" {',
    "  allow VM Create, Read",
    "  deny kbs reed",
    "}",
    "",
    "role ops { policies Ops, KVMFullAcess }",
    "group platform { roles ops, admins }",
    "user user/ravi { groups platfrom }",
    "",
  ].join("\n");

  test("reports schema and link errors at their DSL line:column", () => {
    const result = load(text, [], "ws.iam");
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2004", pointer: "/policies/0/document/rules/0/service", ...at(text, "VM") },
      { code: "IAMC2004", pointer: "/policies/0/document/rules/1/operations/0", ...at(text, "reed") },
      { code: "IAMC3001", pointer: "/roles/0/policies/1", ...at(text, "KVMFullAcess") },
      { code: "IAMC3009", pointer: "/groups/0/roles/1", ...at(text, "admins") },
      { code: "IAMC3003", pointer: "/users/0/groups/0", ...at(text, "platfrom") },
    ]);
    expect(result.diagnostics.map((d) => d.help)).toEqual([
      "did you mean `vm`? service names are case-sensitive",
      "did you mean `Read`? (values are case-sensitive)",
      "did you mean `KVMFullAccess`?",
      "define it under `roles` (defined: `ops`)",
      "did you mean `platform`?",
    ]);
  });

  describe("through loadWorkspace", () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ dir, cleanup } = await tempDir()));
    afterEach(() => cleanup());

    test("a folder with iamc.iam loads, and its errors land in it", async () => {
      await writeFile(join(dir, "iamc.iam"), text);
      const result = await loadWorkspace(dir);
      expect(result.value).toBeUndefined();
      expect(result.diagnostics.map((d) => [d.code, d.file, d.span?.line])).toEqual([
        ["IAMC2004", join(dir, "iamc.iam"), 4],
        ["IAMC2004", join(dir, "iamc.iam"), 5],
        ["IAMC3001", join(dir, "iamc.iam"), 8],
        ["IAMC3009", join(dir, "iamc.iam"), 9],
        ["IAMC3003", join(dir, "iamc.iam"), 10],
      ]);
    });

    test("a JSON manifest with a glob of JSON and .iam policy files", async () => {
      await mkdir(join(dir, "policies"));
      await writeFile(join(dir, "policies", "a.json"), json({ name: "ReadVms", description: "x", rules: [{ service: "vm", operations: ["Read"], effect: "Allow" }] }));
      await writeFile(join(dir, "policies", "b.iam"), 'policy NoKbs "no block storage" {\n  deny kbs *\n}\n');
      await writeFile(join(dir, "iamc.json"), json({
        model: "krutrim",
        policies: [{ file: "policies/*" }],
        roles: [{ id: "r", policies: ["ReadVms", "NoKbs", "KVPCReadOnlyAccess"] }],
        users: [{ id: "user/ravi", roles: ["r"] }],
      }));
      const result = await loadWorkspace(dir);
      expect(result.diagnostics).toEqual([]);
      expect([...result.value!.policies.keys()]).toEqual(["ReadVms", "NoKbs", "KVPCReadOnlyAccess"]);
      expect(result.value!.sources.map((s) => s.file)).toEqual(["iamc.json", "policies/a.json", "policies/b.iam"]);
    });

    test("a file that is neither JSON nor .iam is IAMC1004, worded for krutrim", async () => {
      await writeFile(join(dir, "p.yaml"), "rules: []\n");
      await writeFile(join(dir, "iamc.json"), json({ model: "krutrim", policies: [{ file: "*.yaml" }] }));
      const d = only(await loadWorkspace(dir));
      expect(d).toMatchObject({ code: "IAMC1004", pointer: "/policies/0/file" });
      expect(d.help).toBe("policy files are Krutrim JSON documents named `*.json`, or DSL files named `*.iam`");
    });

    test("a cloudalus manifest is not read as krutrim", async () => {
      await writeFile(join(dir, "iamc.json"), json({ model: "cloudalus" }));
      const result = await loadWorkspace(dir);
      expect(result.diagnostics).toEqual([]);
      expect(result.value?.model).toBe("cloudalus");
    });
  });
});
