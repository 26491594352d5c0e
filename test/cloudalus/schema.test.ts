// The cloudalus manifest and policy documents, checked: every error of a run, each with its code,
// JSON pointer, line:column and help, in JSON files and in `.iam` text alike.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { loadWorkspace } from "../../compiler/load-workspace.js";
import { tempDir } from "../cli/helpers.js";
import { at, brief, checkStyle, codes, only } from "../compiler/front-end-helpers.js";
import { loadCloudalusText } from "../support/cloudalus-workspace.js";

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** A manifest whose inline policies (id → statements) are a trust policy `T` and resource policy `R` in use. */
function withPolicies(trust: unknown, resource: unknown, rest: Record<string, unknown> = {}): string {
  return json({
    model: "cloudalus",
    policies: [
      { id: "T", document: { Statement: trust } },
      { id: "R", document: { Statement: resource } },
    ],
    principals: [{ id: "pi/deployer", kind: "programmatic" }],
    trusts: [{ id: "t-ci", identity: "org/acme", trustee: "pi/deployer", policy: "T" }],
    resources: [{ id: "kvdb/orders", owner: "org/acme", policy: "R" }],
    ...rest,
  });
}

function load(text: string, files: Parameters<typeof loadCloudalusText>[1] = [], file?: string) {
  const result = loadCloudalusText(text, files, file);
  result.diagnostics.forEach(checkStyle);
  return result;
}

const TRUST = "/policies/0/document/Statement";
const RES = "/policies/1/document/Statement";
const allowGet = { Effect: "Allow", Action: "kvdb:Get" };

describe("the model", () => {
  test("cloudalus is implemented: a valid manifest loads with no diagnostics", () => {
    const result = load(withPolicies([{ ...allowGet, Resource: "kvdb/*" }], { ...allowGet, Identity: "*" }));
    expect(result.diagnostics).toEqual([]);
    expect(result.value?.model).toBe("cloudalus");
  });

  test("`$schema` is allowed; every list is optional", () => {
    const result = load(json({ $schema: "./node_modules/iamc/schema/iamc.schema.json", model: "cloudalus" }));
    expect(result.diagnostics).toEqual([]);
    expect(result.value).toMatchObject({ principals: [], accessKeys: [], trusts: [], resources: [], sources: [] });
  });
});

describe("statements", () => {
  test("`Resource` and `Identity` together, or neither, is IAMC2005", () => {
    const text = withPolicies([{ ...allowGet, Resource: "*", Identity: "org/acme" }, { ...allowGet }], [{ ...allowGet, Identity: "*" }]);
    const result = load(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2005", pointer: `${TRUST}/0/Identity`, ...at(text, '"Identity"') },
      { code: "IAMC2005", pointer: `${TRUST}/1`, ...at(text, "{", 4) },
    ]);
    expect(result.diagnostics[0]!.message).toBe("a statement has both `Resource` and `Identity`");
  });

  test("AWS-only fields are IAMC2003 with a help that says what Cloudalus writes", () => {
    const text = withPolicies(
      [{ ...allowGet, Resource: "*", Condition: {} }, { Effect: "Allow", NotAction: "kvdb:Put", Resource: "*" }],
      [{ ...allowGet, Principal: "*" }, { ...allowGet, NotIdentity: "user/x", Identity: "*" }],
    );
    const result = load(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2003", pointer: `${TRUST}/0/Condition`, ...at(text, '"Condition"') },
      { code: "IAMC2002", pointer: `${TRUST}/1/Action`, ...at(text, "{", 5) },
      { code: "IAMC2003", pointer: `${TRUST}/1/NotAction`, ...at(text, '"NotAction"') },
      { code: "IAMC2003", pointer: `${RES}/0/Principal`, ...at(text, '"Principal"') },
      { code: "IAMC2003", pointer: `${RES}/1/NotIdentity`, ...at(text, '"NotIdentity"') },
    ]);
    expect(result.diagnostics[0]!.help).toContain("no conditions");
    expect(result.diagnostics[3]!.help).toContain("under `Identity`");
    expect(result.diagnostics[4]!.help).toContain("no `NotIdentity`");
  });

  test("a bad action is IAMC2011; a wildcard identity IAMC2009; an empty identity IAMC2001; effect is case-sensitive", () => {
    const text = withPolicies(
      [{ Effect: "Allow", Action: ["kvdb:Get", "Get"], Resource: "*" }, { Effect: "allow", Action: "kvdb:Get", Resource: "*" }],
      [{ ...allowGet, Identity: ["org/*"] }, { ...allowGet, Identity: "" }],
    );
    const result = load(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2011", pointer: `${TRUST}/0/Action/1`, ...at(text, '"Get"') },
      { code: "IAMC2004", pointer: `${TRUST}/1/Effect`, ...at(text, '"allow"') },
      { code: "IAMC2009", pointer: `${RES}/0/Identity/0`, ...at(text, '"org/*"') },
      { code: "IAMC2001", pointer: `${RES}/1/Identity`, ...at(text, '""') },
    ]);
    expect(result.diagnostics[0]!.help).toBe("write the service, like `kvdb:Get`, or `*` for every action");
  });

  test("a statement list must not be empty", () => {
    const text = withPolicies([], [{ ...allowGet, Identity: "*" }]);
    expect(brief(only(load(text)))).toEqual({ code: "IAMC2001", pointer: TRUST, ...at(text, "[]") });
  });
});

describe("policies fit their use", () => {
  test("a trust policy naming `Identity` is IAMC3006; a resource policy naming `Resource` IAMC3005", () => {
    const text = withPolicies([{ ...allowGet, Identity: "org/acme" }], [{ ...allowGet, Resource: "kvdb/*" }]);
    const result = load(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC3006", pointer: `${TRUST}/0/Identity`, ...at(text, '"Identity"') },
      { code: "IAMC3005", pointer: `${RES}/0/Resource`, ...at(text, '"Resource"') },
    ]);
    expect(result.diagnostics[0]!.message).toBe("statement 0 of policy `T` has `Identity`, but the policy is the trust policy of trust `t-ci`");
    expect(result.diagnostics[1]!.message).toBe("statement 0 of policy `R` has `Resource`, but the policy is the resource policy of resource `kvdb/orders`");
  });

  test("a policy that is not used may hold either kind of statement", () => {
    const text = json({ model: "cloudalus", policies: [{ id: "Mixed", document: { Statement: [{ ...allowGet, Resource: "*" }, { ...allowGet, Identity: "*" }] } }] });
    expect(load(text).diagnostics).toEqual([]);
  });
});

describe("references and ids", () => {
  test("unknown policies, principals; an access key of a user; duplicates", () => {
    const text = json({
      model: "cloudalus",
      policies: [{ id: "CiTrust", document: { Statement: { ...allowGet, Resource: "*" } } }],
      principals: [{ id: "user/ana", kind: "user" }, { id: "pi/deployer", kind: "programmatic" }],
      accessKeys: [{ id: "ak/1", identity: "user/ana" }, { id: "ak/2", identity: "pi/deploy" }, { id: "ak/1", identity: "pi/deployer" }],
      trusts: [{ id: "t", identity: "org/acme", trustee: "pi/ghost", policy: "CiTrst" }],
      resources: [{ id: "kvdb/a", policy: "Nope" }],
    });
    const result = load(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC3011", pointer: "/accessKeys/0/identity", ...at(text, '"user/ana"', 1) },
      { code: "IAMC3010", pointer: "/accessKeys/1/identity", ...at(text, '"pi/deploy"') },
      { code: "IAMC3002", pointer: "/accessKeys/2/id", ...at(text, '"ak/1"', 1) },
      { code: "IAMC3010", pointer: "/trusts/0/trustee", ...at(text, '"pi/ghost"') },
      { code: "IAMC3001", pointer: "/trusts/0/policy", ...at(text, '"CiTrst"') },
      { code: "IAMC3001", pointer: "/resources/0/policy", ...at(text, '"Nope"') },
    ]);
    expect(result.diagnostics.map((d) => d.help)).toEqual([
      "access keys are credentials of programmatic identities: name a principal of kind `programmatic`, or make `user/ana` one",
      "did you mean `pi/deployer`?",
      expect.stringMatching(/^access key `ak\/1` is first defined at iamc\.json:\d+:\d+/),
      "a trust's trustee must be listed under `principals` (defined: `user/ana`, `pi/deployer`)",
      "did you mean `CiTrust`?",
      "define it under `policies` (defined: `CiTrust`)",
    ]);
  });

  test("trust identities and resource owners may be any id; an unknown resource type is a warning", () => {
    const text = json({
      model: "cloudalus",
      principals: [{ id: "user/ana", kind: "user" }],
      trusts: [],
      resources: [{ id: "kvdb/a", owner: "org/anyone" }, { id: "bucket/logs", owner: "user/nobody" }, { id: "kvdb/" }],
    });
    const result = load(text);
    expect(result.diagnostics.map((d) => ({ ...brief(d), severity: d.severity }))).toEqual([
      { code: "IAMC3012", severity: "warning", pointer: "/resources/1/id", ...at(text, '"bucket/logs"') },
      { code: "IAMC3012", severity: "warning", pointer: "/resources/2/id", ...at(text, '"kvdb/"') },
    ]);
    expect(result.value).toBeDefined();
  });

  test("a bad principal kind and `policies` on an entity", () => {
    const text = json({ model: "cloudalus", principals: [{ id: "pi/x", kind: "robot", policies: ["P"] }], accessKeys: [{ id: "ak/1", identity: "pi/x" }] });
    const result = load(text);
    // the access key's identity names the broken principal: not reported again
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2004", pointer: "/principals/0/kind", ...at(text, '"robot"') },
      { code: "IAMC2003", pointer: "/principals/0/policies", ...at(text, '"policies"') },
    ]);
    expect(result.diagnostics[1]!.help).toContain("a trust or a resource holds one policy");
  });

  test("a policy file's errors are located in that file", () => {
    const manifest = json({ model: "cloudalus", policies: [{ file: "policies/t.json" }] });
    const policy = json({ Id: "T", Statement: [{ Effect: "Deny", Action: "kvdb", Resource: "*" }] });
    const d = only(load(manifest, [{ entry: 0, file: "policies/t.json", text: policy }]));
    expect(d).toMatchObject({ code: "IAMC2011", file: "policies/t.json", pointer: "/Statement/0/Action", span: at(policy, '"kvdb"') });
  });
});

describe("a .iam cloudalus workspace", () => {
  const text = [
    "model cloudalus",
    "",
    "policy CiTrust {",
    "  allow kvdb:Get, kvdb:Put on kvdb/orders",
    "}",
    "policy OrdersPolicy {",
    "  allow kvdb:Get by org/acme, pi/deployer",
    "}",
    "",
    "principal pi/deployer { kind programmatic }",
    "accesskey ak/9f2c { identity pi/deployer }",
    "trust t-ci {",
    "  identity org/acme",
    "  trustee pi/deployr",
    "  policy OrdersPolicy",
    "}",
    "resource kvdb/orders {",
    "  owner org/acme",
    "  policy OrdersPolicy",
    "}",
    "",
  ].join("\n");

  test("reports link errors at their DSL line:column", () => {
    const result = load(text, [], "ws.iam");
    expect(codes(result)).toEqual(["IAMC3006", "IAMC3010"]);
    expect(result.diagnostics.map((d) => d.span?.line)).toEqual([7, 14]);
    expect(brief(result.diagnostics[1]!)).toEqual({ code: "IAMC3010", pointer: "/trusts/0/trustee", ...at(text, "pi/deployr") });
  });

  describe("through loadWorkspace", () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ dir, cleanup } = await tempDir()));
    afterEach(() => cleanup());

    test("a folder with a valid iamc.iam loads as a cloudalus workspace", async () => {
      await writeFile(join(dir, "iamc.iam"), text.replace("pi/deployr", "pi/deployer").replace("  policy OrdersPolicy\n}\nresource", "  policy CiTrust\n}\nresource"));
      const result = await loadWorkspace(dir);
      expect(result.diagnostics).toEqual([]);
      expect(result.value).toMatchObject({ model: "cloudalus", trusts: [{ id: "t-ci", policy: "CiTrust" }], accessKeys: [{ id: "ak/9f2c" }] });
    });

    test("a file that is neither JSON nor .iam is IAMC1004, worded for cloudalus", async () => {
      await writeFile(join(dir, "p.yaml"), "Statement: []\n");
      await writeFile(join(dir, "iamc.json"), json({ model: "cloudalus", policies: [{ file: "*.yaml" }] }));
      const d = only(await loadWorkspace(dir));
      expect(d.help).toBe("policy files are Cloudalus JSON documents named `*.json`, or DSL files named `*.iam`");
    });
  });
});
