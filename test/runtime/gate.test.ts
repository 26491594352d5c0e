// The wild gate and resume points (compiler/prefilter.ts, WireDimension.gate, tables
// `{dimension}.resume`): the compiler writes a gate in front of the resources' wild automaton,
// and per main state where the wild walk may start; for a resource holding none of the gate's
// literals the runtime walks only while a probe can match, and every wild walk starts where the
// main walk's last state vouches for. Decisions do not change: not against the reference
// evaluator, not against the same bundle without its gate or its resume points, on random ARNs
// across accounts and KMS keys. A malformed gate or resume table is refused at load (IAMC5005).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import { evaluateIr } from "../../compiler/reference/evaluate.js";
import { decodeBundle, type BundlePayload } from "../../runtime/format.js";
import { encodeBundle } from "../../compiler/encode-bundle.js";
import { BundleError, type Request } from "../../runtime/index.js";
import { loadBundle, nodeSha256 } from "../../runtime/node.js";
import { workspaceFromJson } from "../support/workspace.js";

const ALICE = "arn:aws:iam::111111111111:user/alice";

function compiled(denies: readonly string[]) {
  const { workspace, diagnostics } = workspaceFromJson({
    model: "aws",
    policies: [
      { id: "Allow", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::*" }] } },
      { id: "Deny", document: { Version: "2012-10-17", Statement: denies.map((Resource) => ({ Effect: "Deny", Action: "*", Resource })) } },
    ],
    principals: [{ id: ALICE, account: "111111111111", policies: ["Allow", "Deny"] }],
  });
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { workspace: workspace!, bundle: compileWorkspace(workspace!).bundle! };
}

const RESOURCES = [
  "arn:aws:s3:::app-1/secret/key", "arn:aws:s3:::app-1/data/key", "arn:aws:s3:::logs/private/x", "arn:aws:s3:::logs/privatex",
  "arn:aws:s3:::a/secret", "arn:aws:s3:::secret/", "/secret/", "", "arn:aws:s3:::x/y/secret/z", "arn:aws:s3:::é/secret/ü",
];

/** The payload as a compiler that writes no gate and no resume points would: the runtime always walks, from the start. */
function withoutGate(payload: BundlePayload): BundlePayload {
  const { gate: _gate, ...resources } = payload.resources;
  const empty = new Int32Array(0);
  return { ...payload, resources, tables: { ...payload.tables, "resources.resume": empty, "actions.resume": empty } };
}

function withGate(bundle: Uint8Array, change: (payload: BundlePayload) => BundlePayload): Uint8Array {
  return encodeBundle(change(decodeBundle(bundle)), nodeSha256);
}

describe("wild gate", () => {
  const { workspace, bundle } = compiled(["arn:aws:*:::*/secret/*", "arn:aws:s3:::*/private/*"]);

  it("is written for the resources' wild patterns, not for actions", () => {
    const payload = decodeBundle(bundle);
    expect(payload.resources.gate).toEqual(["/private/", "/secret/"]);
    expect(payload.actions.gate ?? []).toEqual([]);
  });

  it("changes no decision: the reference evaluator's, and the same bundle's without a gate", () => {
    const gated = loadBundle(bundle);
    const ungated = loadBundle(withGate(bundle, withoutGate));
    for (const resource of RESOURCES) {
      const request: Request = { principal: ALICE, action: "s3:GetObject", resource };
      expect(gated.check(request), resource).toBe(evaluateIr(workspace, request));
      expect(gated.check(request), resource).toBe(ungated.check(request));
    }
    expect(gated.check({ principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::app-1/secret/key" })).toBe("ExplicitDeny");
    expect(gated.check({ principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::app-1/data/key" })).toBe("Allow");
  });

  it("is what the runtime reads: a gate naming other literals lets the deny's resources through", () => {
    // Digest-valid bundles are trusted as written (signatures say who wrote them): this shows the
    // walk is really skipped when the gate is shut, so the tests above are not vacuous.
    const wrong = loadBundle(withGate(bundle, (p) => ({ ...p, resources: { ...p.resources, gate: ["/nowhere/"] } })));
    expect(wrong.check({ principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::app-1/secret/key" })).toBe("Allow");
  });

  it("is what the runtime reads: resume points that say the wild walk is dead hide the deny", () => {
    const dead = loadBundle(withGate(bundle, (p) => ({
      ...p, tables: { ...p.tables, "resources.resume": p.tables["resources.resume"].map((v, i) => (i % 2 === 1 ? -1 : v)) },
    })));
    expect(dead.check({ principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::app-1/secret/key" })).toBe("Allow");
  });

  it("is absent when a wild pattern needs no long literal, and shut when there is no wild pattern", () => {
    expect(decodeBundle(compiled(["ab*cd"]).bundle).resources.gate).toBeUndefined();
    expect(decodeBundle(compiled(["arn:aws:s3:::secret/*"]).bundle).resources.gate).toEqual([]);
  });

  it("is refused when malformed", () => {
    const malformed: ((p: BundlePayload) => BundlePayload)[] = [
      (p) => ({ ...p, actions: { ...p.actions, gate: ["s3:"] } }), // actions compare case-insensitively
      (p) => ({ ...p, resources: { ...p.resources, gate: ["/a/", "/b/", "/c/", "/d/", "/e/"] } }),
      (p) => ({ ...p, resources: { ...p.resources, gate: [""] } }),
      (p) => ({ ...p, resources: { ...p.resources, gate: [7] as unknown as string[] } }),
      (p) => ({ ...p, resources: { ...p.resources, gate: "/secret/" as unknown as string[] } }),
      (p) => ({ ...p, tables: { ...p.tables, "resources.resume": Int32Array.of(...p.tables["resources.resume"], 0, 0) } }),
      (p) => ({ ...p, tables: { ...p.tables, "resources.resume": p.tables["resources.resume"].map((v, i) => (i % 2 === 1 ? 1 << 20 : v)) } }),
      (p) => ({ ...p, tables: { ...p.tables, "resources.resume": p.tables["resources.resume"].map((v, i) => (i % 2 === 0 ? -1 : v)) } }),
    ];
    for (const change of malformed) {
      let error: unknown;
      try {
        loadBundle(withGate(bundle, change));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BundleError);
      expect((error as BundleError).code).toBe("IAMC5005");
    }
  });
});

describe("wild gate with accounts and KMS keys", () => {
  // Resource policies and a KMS key make the table read accounts and key ARNs out of resources
  // (the probes), and a cross-account resource is denied unless its policy grants: a wrong group
  // from a pin or a shortened walk changes decisions.
  const BOB = "arn:aws:iam::222222222222:user/bob";
  const KEY = "arn:aws:kms:us-east-1:111111111111:key/k1";
  const { workspace, diagnostics } = workspaceFromJson({
    model: "aws",
    policies: [
      { id: "Id", document: { Version: "2012-10-17", Statement: [
        { Effect: "Allow", Action: ["s3:*", "kms:*"], Resource: "*" },
        { Effect: "Allow", Action: "s3:GetObject", Resource: ["arn:aws:s3:::logs/*", "arn:aws:s3:us-east-1:111111111111:data/*", "arn:aws:kms:us-east-1:111111111111:key/*"] },
        { Effect: "Deny", Action: "*", Resource: ["arn:aws:*:::*/secret/*", "arn:aws:s3:*:*:*/private/*"] },
      ] } },
      { id: "Shared", document: { Version: "2012-10-17", Statement: [
        { Effect: "Allow", Principal: { AWS: BOB }, Action: "s3:GetObject", Resource: "arn:aws:s3:us-east-1:111111111111:shared/*" },
      ] } },
      { id: "KeyPolicy", document: { Version: "2012-10-17", Statement: [
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "kms:*", Resource: "*" },
      ] } },
    ],
    principals: [
      { id: ALICE, account: "111111111111", policies: ["Id"] },
      { id: BOB, account: "222222222222", policies: ["Id"] },
    ],
    resources: [
      { id: "arn:aws:s3:us-east-1:111111111111:shared", account: "111111111111", policy: "Shared" },
      { id: KEY, account: "111111111111", policy: "KeyPolicy" },
    ],
  });
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const bundle = compileWorkspace(workspace!).bundle!;
  const gated = loadBundle(bundle);
  const ungated = loadBundle(withGate(bundle, withoutGate));

  it("has a gate, and resume points past the start of the ARNs", () => {
    const payload = decodeBundle(bundle);
    expect(payload.resources.gate).toEqual(["/private/", "/secret/"]);
    const resume = payload.tables["resources.resume"];
    const depths = resume.filter((_, i) => i % 2 === 0);
    expect(depths.length).toBeGreaterThan(1);
    expect(Math.max(...depths)).toBeGreaterThanOrEqual("arn:aws:s3:us-east-1:111111111111:".length);
    expect(ungated.check({ principal: ALICE, action: "s3:GetObject", resource: KEY })).toBe(gated.check({ principal: ALICE, action: "s3:GetObject", resource: KEY }));
  });

  it("decides as the reference evaluator and the ungated bundle on random ARNs", () => {
    const piece = fc.constantFrom("arn:", "aws:", "s3:", "kms:", ":", "us-east-1:", "111111111111:", "222222222222:", "333333333333:",
      "key/", "k1", "logs/", "data/", "shared/", "secret/", "private/", "x", "/", "*");
    const resource = fc.oneof(
      fc.array(piece, { maxLength: 9 }).map((ps) => ps.join("")),
      fc.constantFrom(KEY, "arn:aws:s3:us-east-1:111111111111:shared/a", "arn:aws:s3:::logs/a/secret/b", "arn:aws:s3:us-east-1:111111111111:data/private/x"),
    );
    let shut = 0;
    fc.assert(
      fc.property(resource, fc.constantFrom(ALICE, BOB), fc.constantFrom("s3:GetObject", "kms:Decrypt"), (r, principal, action) => {
        const request: Request = { principal, action, resource: r };
        if (!r.includes("/secret/") && !r.includes("/private/")) shut++;
        const want = evaluateIr(workspace!, request);
        expect(gated.check(request), JSON.stringify(request)).toBe(want);
        expect(ungated.check(request), JSON.stringify(request)).toBe(want);
      }),
      { numRuns: 4000 },
    );
    expect(shut).toBeGreaterThan(1000);
  });
});
