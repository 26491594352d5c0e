// Both round trips, on random workspaces: JSON -> DSL -> JSON keeps the value (and canonical
// JSON its bytes), DSL -> JSON -> DSL keeps the text (fmt is idempotent), and the DSL form of a
// workspace compiles to the same bundle, and so the same decisions, as its JSON form.
import fc from "fast-check";
import { parseTree } from "jsonc-parser";
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import { hasErrors } from "../../compiler/diagnostics.js";
import { parseIamSource } from "../../compiler/iam-source.js";
import type { AwsWorkspace } from "../../compiler/ir.js";
import { checkManifest } from "../../compiler/manifest-aws.js";
import { buildAwsWorkspace } from "../../compiler/workspace-aws.js";
import { parseIam, plainValue, printIam, writeCanonicalJson } from "../../grammar/index.js";
import { loadBundle, type Request } from "../../runtime/index.js";
import { manifestArbitrary, requestArbitrary } from "../support/arbitraries.js";
import { workspaceFromJson } from "../support/workspace.js";

const SEED = 20261123;

/** print, then parse: the value, or a thrown error naming what went wrong. */
function throughDsl(value: unknown, model?: string): { text: string; value: unknown } {
  const printed = printIam(value, model === undefined ? {} : { model });
  if (printed.text === undefined) throw new Error(`no DSL form: ${JSON.stringify(printed.problems)}`);
  const parsed = parseIam(printed.text, model === undefined ? {} : { model });
  if (parsed.problems.length > 0) throw new Error(`printed text does not parse: ${JSON.stringify(parsed.problems)}\n${printed.text}`);
  return { text: printed.text, value: parsed.value };
}

function workspaceFromDsl(text: string): AwsWorkspace {
  const parsed = parseIamSource("iamc.iam", text);
  if (parsed.value === undefined) throw new Error(JSON.stringify(parsed.diagnostics));
  const checked = checkManifest(parsed.value);
  const built = buildAwsWorkspace({ manifestSource: parsed.value, manifest: checked.value!, files: [], sources: [] });
  const diagnostics = [...checked.diagnostics, ...built.diagnostics];
  if (hasErrors(diagnostics)) throw new Error(JSON.stringify(diagnostics));
  return built.value as AwsWorkspace;
}

describe("aws workspaces", () => {
  it("JSON -> DSL -> JSON gives the same value, and DSL -> JSON -> DSL the same text", () => {
    fc.assert(
      fc.property(manifestArbitrary, (manifest) => {
        const first = throughDsl(manifest);
        expect(first.value).toEqual(manifest);
        const second = throughDsl(first.value);
        expect(second.text).toBe(first.text);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("canonical JSON -> DSL -> canonical JSON is byte-identical", () => {
    fc.assert(
      fc.property(manifestArbitrary, (manifest) => {
        const canonical = writeCanonicalJson(manifest, "manifest");
        const { value } = plainValue(parseTree(canonical)!, canonical);
        const back = throughDsl(value);
        expect(writeCanonicalJson(back.value, "manifest")).toBe(canonical);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it("the DSL form compiles to the same bundle bytes and the same decisions as the JSON form", () => {
    let requests = 0;
    fc.assert(
      fc.property(manifestArbitrary, fc.array(requestArbitrary, { minLength: 20, maxLength: 20 }), (manifest, batch) => {
        const fromJson = workspaceFromJson(manifest).workspace!;
        const fromDsl = workspaceFromDsl(throughDsl(manifest).text);
        const jsonBundle = compileWorkspace(fromJson).bundle!;
        const dslBundle = compileWorkspace(fromDsl).bundle!;
        expect(Buffer.compare(jsonBundle, dslBundle)).toBe(0);
        const [jsonAuthz, dslAuthz] = [loadBundle(jsonBundle), loadBundle(dslBundle)];
        for (const request of batch as Request[]) {
          expect(dslAuthz.check(request)).toBe(jsonAuthz.check(request));
          requests++;
        }
      }),
      { seed: SEED, numRuns: 30 },
    );
    expect(requests).toBe(30 * 20);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// Odd values: any string, typed scalars, lists of one, nested lists, odd keys

const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("a", "s3:GetObject", "arn:aws:s3:::b/*", "*", "${aws:username}", "x=y", "allow", "on", "json(1)", "#x", "", " ", "a b", "user", "AWS", "policy") },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
);
const scalar = fc.oneof(
  { weight: 4, arbitrary: anyString },
  { weight: 1, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)) },
  { weight: 1, arbitrary: fc.boolean() },
);
const stringOrList = fc.oneof(anyString, fc.array(anyString, { maxLength: 3 }));
const conditionValues = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }));
const operator = fc.oneof(
  fc.constantFrom("StringEquals", "StringNotEquals", "Bool", "IpAddress", "NotIpAddress", "StringLike", "StringNotLike", "Null", "ForAnyValue:StringLike", "NumericLessThanIfExists"),
  anyString,
);
const condition = fc.dictionary(operator, fc.dictionary(anyString, conditionValues, { maxKeys: 2 }), { maxKeys: 3 });
const principal = fc.oneof(
  anyString,
  fc.record({ AWS: stringOrList, Service: stringOrList, Federated: stringOrList, CanonicalUser: stringOrList }, { requiredKeys: [] }),
  fc.dictionary(anyString, stringOrList, { maxKeys: 2 }),
);
const statement = fc.record(
  {
    Sid: anyString,
    Effect: fc.oneof(fc.constantFrom("Allow", "Deny"), anyString),
    Action: stringOrList,
    NotAction: stringOrList,
    Resource: stringOrList,
    NotResource: stringOrList,
    Principal: principal,
    NotPrincipal: principal,
    Condition: condition,
  },
  { requiredKeys: ["Effect"] },
);
const awsDocument = fc.record(
  { Version: anyString, Id: anyString, Statement: fc.oneof(fc.array(statement, { minLength: 1, maxLength: 3 }), statement) },
  { requiredKeys: [] },
);
const entityFields = fc.record(
  {
    id: anyString,
    account: anyString,
    policies: fc.array(anyString, { maxLength: 2 }),
    groups: fc.oneof(fc.array(anyString, { maxLength: 2 }), anyString),
    boundary: anyString,
    sessionPolicies: fc.array(anyString, { maxLength: 2 }),
    scps: fc.array(fc.array(anyString, { maxLength: 2 }), { maxLength: 2 }),
    tags: fc.dictionary(anyString, anyString, { maxKeys: 2 }),
  },
  { requiredKeys: [] },
);
const oddManifest = fc.record(
  {
    $schema: anyString,
    model: fc.constant("aws"),
    policies: fc.array(
      fc.record({ id: scalar, document: awsDocument, file: anyString }, { requiredKeys: [] }).filter((e) => Object.keys(e).length > 0),
      { maxLength: 3 },
    ),
    accounts: fc.array(entityFields, { maxLength: 2 }),
    groups: fc.array(entityFields, { maxLength: 2 }),
    principals: fc.array(entityFields, { maxLength: 2 }),
    resources: fc.array(entityFields, { maxLength: 2 }),
  },
  { requiredKeys: ["model"] },
);

describe("odd values", () => {
  it("any strings, typed scalars, lists of one and odd keys survive JSON -> DSL -> JSON", () => {
    fc.assert(
      fc.property(oddManifest, (manifest) => {
        const first = throughDsl(manifest);
        expect(first.value).toEqual(manifest);
        expect(throughDsl(first.value).text).toBe(first.text);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// cloudalus and krutrim, shaped as CONTRACT.md shapes them

const ids = fc.constantFrom("user/ana", "pi/deployer", "org/acme", "kvdb/orders", "ak/9f2c", "t-ci", "org_user/7", "*");
const cloudalusStatement = fc.record(
  {
    Effect: fc.constantFrom("Allow", "Deny"),
    Action: fc.oneof(fc.constantFrom("kvdb:Get", "kvdb:*", "pi:Create?"), fc.array(fc.constantFrom("kvdb:Get", "kvdb:Put"), { minLength: 1, maxLength: 2 })),
    Resource: fc.oneof(ids, fc.array(ids, { minLength: 1, maxLength: 2 })),
    Identity: fc.oneof(ids, fc.array(ids, { minLength: 1, maxLength: 3 })),
  },
  { requiredKeys: ["Effect", "Action"] },
);
const cloudalusManifest = fc.record({
  model: fc.constant("cloudalus"),
  policies: fc.array(fc.record({ id: fc.constantFrom("CiTrust", "OrdersPolicy", "P"), document: fc.record({ Statement: fc.array(cloudalusStatement, { minLength: 1, maxLength: 3 }) }) }), { minLength: 1, maxLength: 3 }),
  principals: fc.array(fc.record({ id: ids, kind: fc.constantFrom("user", "programmatic") }), { maxLength: 3 }),
  accessKeys: fc.array(fc.record({ id: fc.constantFrom("ak/9f2c", "ak/1"), identity: ids }), { maxLength: 2 }),
  trusts: fc.array(fc.record({ id: fc.constantFrom("t-ci", "t-2"), identity: ids, trustee: ids, policy: fc.constantFrom("CiTrust", "P") }), { maxLength: 2 }),
  resources: fc.array(fc.record({ id: ids, owner: ids, policy: fc.constantFrom("OrdersPolicy", "P") }, { requiredKeys: ["id", "owner"] }), { maxLength: 2 }),
});

const operations = fc.uniqueArray(fc.constantFrom("Create", "Read", "Update", "Delete", "*"), { minLength: 1, maxLength: 4 });
const krutrimRule = fc.record(
  {
    service: fc.constantFrom("vm", "kbs", "vpc", "All", "Security Group", "iam"),
    operations,
    effect: fc.constantFrom("Allow", "Deny"),
    resources: fc.array(fc.constantFrom("*", "vm/web-*", "kbs/vol-1"), { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: ["service", "operations", "effect"] },
);
const roleIds = fc.constantFrom("vm-operators", "readers", "admins");
const krutrimManifest = fc.record({
  model: fc.constant("krutrim"),
  policies: fc.array(
    fc.record({
      id: fc.constantFrom("KVMFullAccess", "NoBlockStorage", "Custom"),
      document: fc.record({ name: fc.constantFrom("KVMFullAccess", "Custom"), description: fc.string({ maxLength: 20 }), rules: fc.array(krutrimRule, { minLength: 1, maxLength: 3 }) }, { requiredKeys: ["rules"] }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  roles: fc.array(fc.record({ id: roleIds, policies: fc.array(fc.constantFrom("KVMFullAccess", "ReadOnly", "Custom"), { maxLength: 2 }) }), { maxLength: 2 }),
  groups: fc.array(fc.record({ id: fc.constantFrom("platform", "ops"), roles: fc.array(roleIds, { maxLength: 2 }) }), { maxLength: 2 }),
  users: fc.array(fc.record({ id: fc.constantFrom("user/ravi", "user/mei"), roles: fc.array(roleIds, { maxLength: 2 }), groups: fc.array(fc.constantFrom("platform", "ops"), { maxLength: 2 }) }, { requiredKeys: ["id"] }), { maxLength: 2 }),
});

describe.each([
  ["cloudalus", cloudalusManifest],
  ["krutrim", krutrimManifest],
] as const)("%s workspaces", (model, arbitrary) => {
  it("JSON -> DSL -> JSON gives the same value, and DSL -> JSON -> DSL the same text", () => {
    fc.assert(
      fc.property(arbitrary, (manifest) => {
        const first = throughDsl(manifest);
        expect(first.value).toEqual(manifest);
        expect(first.text.startsWith(`model ${model}\n`)).toBe(true);
        expect(throughDsl(first.value).text).toBe(first.text);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("a policy file (no `model` line) round-trips when its model is given", () => {
    fc.assert(
      fc.property(arbitrary, (manifest) => {
        const fragment = { policies: manifest.policies };
        const first = throughDsl(fragment, model);
        expect(first.value).toEqual(fragment);
        expect(first.text).not.toContain("model ");
      }),
      { seed: SEED, numRuns: 50 },
    );
  });
});
