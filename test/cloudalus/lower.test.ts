// Cloudalus policies and entities → the IR, exactly as ir.ts describes: trust-policy statements
// carry actions and resources, resource-policy statements actions, the resource `*` and the
// identities as principals (`everyone` for `*`); every pattern is one `text` part.
import { describe, expect, test } from "vitest";
import { lowerCloudalusPolicy } from "../../compiler/cloudalus/lower.js";
import type { Policy } from "../../compiler/ir.js";
import { parseJsonSource } from "../../compiler/json-source.js";
import { cloudalusWorkspaceFromJson } from "../support/cloudalus-workspace.js";

const text = (source: string) => ({ source, parts: [{ kind: "text", text: source }] });

function lower(document: unknown): Policy {
  const source = parseJsonSource("p.json", JSON.stringify(document, null, 2)).value!;
  const result = lowerCloudalusPolicy({ id: "P", source, path: [] });
  expect(result.diagnostics).toEqual([]);
  return result.value!;
}

/** A statement without its origin, for exact comparison. */
const bare = (policy: Policy) => policy.statements.map(({ source: { origin: _origin, ...source }, ...rest }) => ({ ...rest, source }));

describe("trust policies", () => {
  test("a statement with Resource: actions and resources as written, no principals, no conditions", () => {
    const policy = lower({ Version: "2024-01-01", Id: "Ignored", Statement: [{ Sid: "Rw", Effect: "Allow", Action: ["kvdb:Get", "kvdb:P?t"], Resource: "kvdb/*" }] });
    expect(policy.id).toBe("P");
    expect(policy.version).toBeUndefined();
    expect(bare(policy)).toEqual([
      {
        effect: "Allow",
        actions: { negated: false, patterns: [text("kvdb:Get"), text("kvdb:P?t")] },
        resources: { negated: false, patterns: [text("kvdb/*")] },
        conditions: [],
        source: { policy: "P", sid: "Rw", index: 0 },
      },
    ]);
  });

  test("`Statement` as one object is statement 0; `${...}` stays text (no policy variables)", () => {
    const policy = lower({ Statement: { Effect: "Deny", Action: "*", Resource: ["kvdb/${x}", "org/acme"] } });
    expect(bare(policy)).toEqual([
      {
        effect: "Deny",
        actions: { negated: false, patterns: [text("*")] },
        resources: { negated: false, patterns: [text("kvdb/${x}"), text("org/acme")] },
        conditions: [],
        source: { policy: "P", index: 0 },
      },
    ]);
  });
});

describe("resource policies", () => {
  test("a statement with Identity: the resource `*`, principals by id, `*` as everyone", () => {
    const policy = lower({
      Statement: [
        { Effect: "Allow", Action: "kvdb:Get", Identity: ["org/acme", "*", "pi/deployer"] },
        { Effect: "Deny", Action: ["kvdb:Flush*"], Identity: "user/bo" },
      ],
    });
    expect(bare(policy)).toEqual([
      {
        effect: "Allow",
        actions: { negated: false, patterns: [text("kvdb:Get")] },
        resources: { negated: false, patterns: [text("*")] },
        principals: { negated: false, refs: [{ kind: "principal", id: "org/acme" }, { kind: "everyone" }, { kind: "principal", id: "pi/deployer" }] },
        conditions: [],
        source: { policy: "P", index: 0 },
      },
      {
        effect: "Deny",
        actions: { negated: false, patterns: [text("kvdb:Flush*")] },
        resources: { negated: false, patterns: [text("*")] },
        principals: { negated: false, refs: [{ kind: "principal", id: "user/bo" }] },
        conditions: [],
        source: { policy: "P", index: 1 },
      },
    ]);
  });

  test("statements keep their origin: file and pointer", () => {
    const policy = lower({ Statement: [{ Effect: "Allow", Action: "kvdb:Get", Identity: "*" }] });
    expect(policy.statements[0]!.source.origin).toMatchObject({ file: "p.json", pointer: "/Statement/0" });
    expect(policy.origin).toMatchObject({ file: "p.json", pointer: "" });
  });
});

describe("the workspace", () => {
  test("entities lower as written, in manifest order; absent owner and policy stay absent", () => {
    const { workspace, diagnostics } = cloudalusWorkspaceFromJson({
      model: "cloudalus",
      policies: [
        { document: { Id: "CiTrust", Statement: { Effect: "Allow", Action: "kvdb:*", Resource: "*" } } },
        { id: "Open", document: { Statement: { Effect: "Allow", Action: "kvdb:Get", Identity: "*" } } },
      ],
      principals: [{ id: "user/ana", kind: "user" }, { id: "pi/deployer", kind: "programmatic" }],
      accessKeys: [{ id: "ak/9f2c", identity: "pi/deployer" }],
      trusts: [{ id: "t-ci", identity: "org/acme", trustee: "pi/deployer", policy: "CiTrust" }],
      resources: [{ id: "kvdb/orders", owner: "org/acme", policy: "Open" }, { id: "kvdb/cache" }],
    });
    expect(diagnostics).toEqual([]);
    const ws = workspace!;
    expect([...ws.policies.keys()]).toEqual(["CiTrust", "Open"]);
    const strip = <T extends { origin?: unknown }>(items: readonly T[]) => items.map(({ origin: _origin, ...rest }) => rest);
    expect(strip(ws.principals)).toEqual([{ id: "user/ana", kind: "user" }, { id: "pi/deployer", kind: "programmatic" }]);
    expect(strip(ws.accessKeys)).toEqual([{ id: "ak/9f2c", identity: "pi/deployer" }]);
    expect(strip(ws.trusts)).toEqual([{ id: "t-ci", identity: "org/acme", trustee: "pi/deployer", policy: "CiTrust" }]);
    expect(strip(ws.resources)).toEqual([{ id: "kvdb/orders", owner: "org/acme", policy: "Open" }, { id: "kvdb/cache" }]);
    expect(ws.trusts[0]!.origin).toMatchObject({ file: "iamc.json", pointer: "/trusts/0" });
  });
});
