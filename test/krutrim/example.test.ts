// examples/krutrim: the JSON workspace and its DSL twin load cleanly, compile to the same table,
// and decide every request of requests.jsonl as the reference evaluator and the seed say.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import type { KrutrimWorkspace, Request } from "../../compiler/ir.js";
import { loadWorkspace } from "../../compiler/load-workspace.js";
import { evaluateKrutrim } from "../../compiler/reference/evaluate-krutrim.js";
import { formatIam } from "../../grammar/index.js";
import { tableOf } from "../support/bundles.js";
import { loadBundle } from "../../runtime/index.js";
import { REPO } from "../cli/helpers.js";

const EXAMPLE = join(REPO, "examples", "krutrim");
const requests = readFileSync(join(EXAMPLE, "requests.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Request);

// what the workspace's roles and the seed's evaluation order say, request by request
const WANTED = [
  "Allow", // ravi deletes a production VM: platform-admin holds KVMFullAccess
  "Allow", // ravi creates a volume: KBlockStorageFullAccess
  "Allow", // meera creates a dev VM: vm-operator holds KVMFullAccess
  "Allow", // meera deletes a dev VM
  "ExplicitDeny", // meera deletes a production VM: ProtectProductionVMs
  "ExplicitDeny", // meera reads a volume: NoBlockStorage
  "ImplicitDeny", // meera deletes an SSH key: KSSHReadWriteAccess has no Delete
  "Allow", // arjun deletes a VPC: NetworkAdmin, a role of his own
  "Allow", // arjun updates a load balancer under lb/*
  "ImplicitDeny", // arjun deletes a security group: NetworkAdmin has no Delete there
  "Allow", // kavya reads a VM: ReadEverything
  "Allow", // kavya reads it again, the action in another case
  "ImplicitDeny", // kavya updates a VM
  "ExplicitDeny", // kavya reads billing: DenyBilling
  "Allow", // neha reads billing: KBillingFullAccess
  "Allow", // neha deletes a user: KIAMUserManagerAccess covers user/*
  "ImplicitDeny", // neha updates a group: KIAMGroupReadOnlyAccess only reads
  "Allow", // neha reads a group
  "ImplicitDeny", // a user the manifest does not list
];

let fromJson: KrutrimWorkspace;
let fromDsl: KrutrimWorkspace;

beforeAll(async () => {
  const [json, dsl] = await Promise.all([loadWorkspace(EXAMPLE), loadWorkspace(join(EXAMPLE, "iamc.iam"))]);
  expect(json.diagnostics).toEqual([]);
  expect(dsl.diagnostics).toEqual([]);
  fromJson = json.value as KrutrimWorkspace;
  fromDsl = dsl.value as KrutrimWorkspace;
});

describe("examples/krutrim", () => {
  test("is a krutrim workspace of custom and system-managed policies", () => {
    expect(fromJson.model).toBe("krutrim");
    expect([...fromJson.policies.keys()].slice(0, 5)).toEqual(["NetworkAdmin", "NoBlockStorage", "ProtectProductionVMs", "ReadEverything", "DenyBilling"]);
    expect(fromJson.users.map((u) => u.id)).toEqual(["user/ravi", "user/meera", "user/arjun", "user/kavya", "user/neha"]);
  });

  test("decides every request of requests.jsonl as documented, compiled and by the reference", () => {
    const authz = loadBundle(compileWorkspace(fromJson).bundle!);
    expect(requests.map((r) => evaluateKrutrim(fromJson, r))).toEqual(WANTED);
    expect(requests.map((r) => authz.check(r))).toEqual(WANTED);
  });

  test("its DSL twin compiles to the same table: the bundles differ only in their source digests and statement places", () => {
    const { sources: jsonSources, table: jsonTable } = tableOf(compileWorkspace(fromJson).bundle!);
    const { sources: dslSources, table: dslTable, places } = tableOf(compileWorkspace(fromDsl).bundle!);
    expect(dslTable).toEqual(jsonTable);
    expect(places.every((p) => p === null || p.startsWith("iamc.iam:"))).toBe(true);
    expect(dslSources.map(([file]) => file)).toEqual(["iamc.iam"]);
    expect(jsonSources.length).toBe(5);
    expect(requests.map((r) => evaluateKrutrim(fromDsl, r))).toEqual(WANTED);
  });

  test("the DSL twin is written in the canonical form (`iamc fmt --check` passes)", () => {
    const text = readFileSync(join(EXAMPLE, "iamc.iam"), "utf8");
    expect(formatIam(text).text).toBe(text);
  });
});
