// examples/cloudalus: the JSON workspace and its DSL twin load cleanly to the same policies and
// entities, and decide every request of requests.jsonl as the reference evaluator and the seed say.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import type { CloudalusWorkspace, Policy, Request } from "../../compiler/ir.js";
import { loadWorkspace } from "../../compiler/load-workspace.js";
import { evaluateCloudalus } from "../../compiler/reference/evaluate-cloudalus.js";
import { formatIam } from "../../grammar/index.js";
import { REPO } from "../cli/helpers.js";

const EXAMPLE = join(REPO, "examples", "cloudalus");
const requests = readFileSync(join(EXAMPLE, "requests.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Request);

// what the trusts, owners and resource policies say, request by request (docs/cloudalus.md)
const WANTED = [
  "Allow", // ana writes her own scratch database: the owner, acting as herself
  "ImplicitDeny", // ana reads kvdb/orders as herself: OrdersAccess does not name her
  "Allow", // ana as org/acme (default via t-oncall, allows *) deletes in a database org/acme owns
  "Allow", // the deployer's access key as org/acme writes kvdb/orders: t-ci allows, org/acme owns
  "ExplicitDeny", // the same key deletes a database via t-ci: its trust policy denies
  "ImplicitDeny", // the deployer as org/acme writes org/acme: CiDeploy covers kvdb/* only
  "ImplicitDeny", // the deployer names ana's trust: an invalid via
  "Allow", // the reporting key reads kvdb/orders: OrdersAccess names pi/reporting
  "ImplicitDeny", // ... but may not write it
  "ExplicitDeny", // lena flushes kvdb/orders: denied to everyone
  "Allow", // the unauthenticated caller reads the public catalog
  "ImplicitDeny", // an unknown key is unauthenticated: kvdb/orders is not public
  "ImplicitDeny", // the unauthenticated caller cannot adopt an identity
  "ImplicitDeny", // lena has no trust to act as org/acme
];

let fromJson: CloudalusWorkspace;
let fromDsl: CloudalusWorkspace;

beforeAll(async () => {
  const [json, dsl] = await Promise.all([loadWorkspace(EXAMPLE), loadWorkspace(join(EXAMPLE, "iamc.iam"))]);
  expect(json.diagnostics).toEqual([]);
  expect(dsl.diagnostics).toEqual([]);
  fromJson = json.value as CloudalusWorkspace;
  fromDsl = dsl.value as CloudalusWorkspace;
});

/** Policies and entities without origins or sources: what decides. */
function meaning(ws: CloudalusWorkspace) {
  const strip = <T extends { origin?: unknown }>(items: readonly T[]) => items.map(({ origin: _origin, ...rest }) => rest);
  const policy = (p: Policy) => ({ id: p.id, statements: p.statements.map(({ source: { origin: _o, ...source }, ...s }) => ({ ...s, source })) });
  return {
    policies: [...ws.policies.values()].map(policy),
    principals: strip(ws.principals),
    accessKeys: strip(ws.accessKeys),
    trusts: strip(ws.trusts),
    resources: strip(ws.resources),
  };
}

describe("examples/cloudalus", () => {
  test("is a cloudalus workspace of trust and resource policies", () => {
    expect(fromJson.model).toBe("cloudalus");
    expect([...fromJson.policies.keys()]).toEqual(["CiDeploy", "OrdersAccess", "OnCallAdmin", "PublicCatalog"]);
    expect(fromJson.sources.map((s) => s.file)).toEqual(["iamc.json", "policies/ci-deploy.json", "policies/orders-access.json"]);
  });

  test("decides every request of requests.jsonl as documented", () => {
    expect(requests.map((r) => evaluateCloudalus(fromJson, r))).toEqual(WANTED);
  });

  test("its DSL twin means the same and decides the same", () => {
    expect(meaning(fromDsl)).toEqual(meaning(fromJson));
    expect(requests.map((r) => evaluateCloudalus(fromDsl, r))).toEqual(WANTED);
  });

  test("the DSL twin is written in the canonical form (`iamc fmt --check` passes)", () => {
    const text = readFileSync(join(EXAMPLE, "iamc.iam"), "utf8");
    expect(formatIam(text).text).toBe(text);
  });
});
