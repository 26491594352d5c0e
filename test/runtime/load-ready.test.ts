// The load-ready layout (formats 7 and 8): loading takes the bundle's tables in place, and refuses
// (IAMC5005) a bundle whose digest matches but whose tables hold an index a lookup could follow
// out of range; whatever it accepts decides without throwing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import { evaluateIr } from "../../compiler/reference/evaluate.js";
import { BundleError, inspectBundle, type Request } from "../../runtime/index.js";
import { loadBundle, nodeSha256 } from "../../runtime/node.js";
import { SPELLINGS_MAX, TABLE_NAMES, decodeBundle, type TableName } from "../../runtime/format.js";
import { encodeBundle } from "../../compiler/encode-bundle.js";
import { layoutSparseMaps } from "../../compiler/layout-sparse-maps.js";
import { A_SKIP, ENTRY, EMPTY_MAIN, H_EXPLICIT, H_EXPLICIT_SIZE, H_DEFAULTS, LEAF, L_OPEN, MAP_HEAD, NODE, N_OTHER, OPEN } from "../../runtime/wire.js";
import { workspaceFromJson } from "../support/workspace.js";

const ALICE = "arn:aws:iam::111111111111:user/alice";

/**
 * A workspace whose table has every kind of part: a resource trie too large for a dense table
 * (fan rows), wildcards with skip lists, a condition (open statements), a class map large enough
 * to be hashed, defaults shared by many rows.
 */
function bundleOf(statements: number): Uint8Array {
  const allow = Array.from({ length: statements }, (_, i) => ({
    Effect: "Allow", Action: `svc${i % 7}:Get${i}`, Resource: `arn:aws:svc${i % 7}:::bucket${i}/*`,
  }));
  const { workspace, diagnostics } = workspaceFromJson({
    model: "aws",
    policies: [
      { id: "Allow", document: { Version: "2012-10-17", Statement: allow } },
      { id: "Deny", document: { Version: "2012-10-17", Statement: [
        { Effect: "Deny", Action: "*", Resource: "arn:aws:*:::*/secret/*" },
        { Effect: "Deny", Action: "svc1:*", Resource: "arn:aws:svc1:::*/private/*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
      ] } },
    ],
    principals: [{ id: ALICE, account: "111111111111", policies: ["Allow", "Deny"] }],
  });
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return compileWorkspace(workspace!).bundle!;
}

const REQUESTS: Request[] = [
  { principal: ALICE, action: "svc3:Get3", resource: "arn:aws:svc3:::bucket3/data/x" },
  { principal: ALICE, action: "SVC3:GET3", resource: "arn:aws:svc3:::bucket3/secret/x" },
  { principal: ALICE, action: "svc1:Get8", resource: "arn:aws:svc1:::bucket8/private/x", context: { "aws:SecureTransport": false } },
  { principal: ALICE, action: "svc5:Get12", resource: "arn:aws:svc5:::bucket13/x" },
  { principal: "arn:aws:iam::222222222222:user/bob", action: "svc0:Get0", resource: "arn:aws:svc0:::bucket0/é" },
  { principal: null, action: "", resource: "" },
];

const DECISIONS = ["Allow", "ExplicitDeny", "ImplicitDeny"];

describe("load-ready tables", () => {
  const bundle = bundleOf(1200);
  const payload = decodeBundle(bundle);

  it("has every kind of part this suite means to tamper with", () => {
    const t = payload.tables;
    expect(t["resources.main.fan"].length).toBeGreaterThan(0);
    expect(t["resources.main.dense"].length).toBe(0);
    expect(t["resources.wild.skip"].length).toBeGreaterThan(0);
    expect(t["leaves.open"].length).toBeGreaterThan(0);
    expect(t["classActions.head"][H_EXPLICIT_SIZE]).toBeLessThan(0); // hashed
  });

  it("are read in place: views of the bundle's bytes, 4-byte aligned", () => {
    for (const name of TABLE_NAMES) {
      const table = payload.tables[name];
      expect(table.buffer, name).toBe(bundle.buffer);
      expect((table.byteOffset - bundle.byteOffset) % 4, name).toBe(0);
    }
  });

  it("at an unaligned offset, are copied once and decide the same", () => {
    const shifted = new Uint8Array(bundle.length + 3);
    shifted.set(bundle, 1);
    const unaligned = shifted.subarray(1, 1 + bundle.length);
    expect(decodeBundle(unaligned).tables["leaves.record"].buffer).not.toBe(shifted.buffer);
    const [a, b] = [loadBundle(bundle), loadBundle(unaligned)];
    for (const r of REQUESTS) {
      expect(b.check(r)).toBe(a.check(r));
      expect(b.explain(r)).toEqual(a.explain(r));
    }
  });

  // Loading reads the bytes in place, so a caller that transfers them to a worker after the load
  // leaves every view empty. A hash probe over an empty table once never ended (check hung).
  it("deny, and explain why, once the bytes they view are detached; lookups still end", () => {
    const own = new Uint8Array(bundle);
    const authorizer = loadBundle(own);
    const inspector = inspectBundle(own);
    const action = { mainClass: 1, bits: 0, group: 0, kms: 0 };
    expect(REQUESTS.map((r) => authorizer.check(r))).toContain("Allow");
    expect(inspector.rowOf(0, action)).toBeGreaterThanOrEqual(0);
    structuredClone(own.buffer, { transfer: [own.buffer] });
    expect(own.byteLength).toBe(0);
    for (const r of REQUESTS) {
      expect(authorizer.check(r)).toBe("ImplicitDeny");
      const explanation = authorizer.explain(r);
      expect(explanation.decision).toBe("ImplicitDeny");
      expect(explanation.reason).toMatch(/detached .* load it again/);
    }
    // The inspector has no guard of its own: its lookups over the emptied tables find nothing.
    expect(inspector.rowOf(0, action)).toBe(-1);
  });

  it("copied from unaligned bytes, cold part too, decide the same once those bytes are detached", () => {
    const own = new Uint8Array(bundle.length + 1);
    own.set(bundle, 1);
    const authorizer = loadBundle(own.subarray(1));
    const reference = loadBundle(bundle);
    expect(authorizer.check(REQUESTS[0]!)).toBe("Allow");
    structuredClone(own.buffer, { transfer: [own.buffer] });
    // explain decodes the cold part only now: from the copy.
    for (const r of REQUESTS) expect([authorizer.check(r), authorizer.explain(r)]).toEqual([reference.check(r), reference.explain(r)]);
  });

  it("share one defaults part among the rows that have the same defaults", () => {
    const head = payload.tables["rows.head"];
    const parts = new Set<number>();
    for (let h = 0; h < head.length; h += MAP_HEAD) parts.add(head[h + H_DEFAULTS]!);
    expect(head.length / MAP_HEAD).toBeGreaterThan(1000);
    expect(parts.size).toBeLessThan(10);
  });

  /** Loads `payload` with table `name`'s element `at` set to `value`: refused with IAMC5005, or deciding without throwing. */
  const tampered = (name: TableName, at: number, value: number): "refused" | "loaded" => {
    const table = Int32Array.from(payload.tables[name]);
    table[at] = value;
    const bytes = encodeBundle({ ...payload, tables: { ...payload.tables, [name]: table } }, nodeSha256);
    let authz;
    try {
      authz = loadBundle(bytes);
    } catch (error) {
      expect(error).toBeInstanceOf(BundleError);
      expect((error as BundleError).code, `${name}[${at}] = ${value}: ${(error as Error).message}`).toBe("IAMC5005");
      return "refused";
    }
    for (const r of REQUESTS) {
      expect(DECISIONS).toContain(authz.check(r));
      expect(DECISIONS).toContain(authz.explain(r).decision);
    }
    return "loaded";
  };

  it("refuse or decide safely with any element of any table changed (the digest made to match)", () => {
    const outcomes = new Map<string, number>();
    for (const name of TABLE_NAMES) {
      const n = payload.tables[name].length;
      if (n === 0) continue;
      for (const at of new Set([0, 1, 2, 3, Math.floor(n / 2), n - 3, n - 1].filter((i) => i >= 0 && i < n))) {
        for (const value of [0x7fffffff, -0x80000000, -2, -4, 1_000_000]) {
          const outcome = tampered(name, at, value);
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        }
      }
    }
    expect(outcomes.get("refused")).toBeGreaterThan(100);
    expect(outcomes.get("loaded")).toBeGreaterThan(100);
  });

  it("refuse every index a lookup could follow out of range", () => {
    const t = payload.tables;
    const states = t["resources.main.nodes"].length / NODE - 1;
    const leaves = t["leaves.record"].length / LEAF - 1;
    const rows = t["rows.head"].length / MAP_HEAD;
    const refused: [TableName, number, number][] = [
      ["resources.main.nodes", N_OTHER, states], // a target past the last state
      ["resources.main.nodes", NODE * 5 + 1, t["resources.main.edges"].length / 2 + 1], // edges past `edges`
      ["resources.main.nodes", NODE * states - NODE, 47], // the last state with a run to the next
      ["resources.main.edges", 1, states],
      ["resources.main.fan", 3, states],
      ["resources.wild.dense", 7, t["resources.wild.nodes"].length / NODE - 1],
      ["resources.wild.aux", A_SKIP, t["resources.wild.skip"].length],
      ["resources.main.ascii", 97, t["resources.main.ascii"].length],
      ["resources.mainFacts", 1, payload.groupCount],
      ["resources.wildFacts", 2, 2], // a KMS flag
      ["actions.spellingFacts", 0, t["actions.mainFacts"].length / 2],
      ["rows.slots", 3, leaves],
      ["rows.head", 1, 2], // an offset inside an entry
      ["rows.head", 2, 1 << 30], // a list past `slots`
      ["classActions.slots", ENTRY * t["classActions.slots"].findIndex((v, i) => i % ENTRY === 0 && v !== EMPTY_MAIN) / ENTRY + 3, rows],
      ["leaves.record", LEAF + L_OPEN, t["leaves.open"].length / OPEN + 1],
      ["leaves.open", 0, payload.provenance.policy.length],
      ["leaves.open", 3, payload.predicates.length],
      ["leaves.matched", 0, payload.provenance.policy.length],
      ["termStart", 1, t.termBits.length + 1],
      ["classKind", 0, payload.kinds.length],
      ["principalClass", 0, payload.classes.names.length],
    ];
    for (const [name, at, value] of refused) expect(tampered(name, at, value), `${name}[${at}] = ${value}`).toBe("refused");
  });

  it("refuse a full hash table (its probes would not end)", () => {
    const head = payload.tables["classActions.head"];
    const slots = Int32Array.from(payload.tables["classActions.slots"]);
    const [offset, size] = [head[H_EXPLICIT]!, -head[H_EXPLICIT_SIZE]!];
    for (let s = 0; s < size; s++) if (slots[offset + ENTRY * s] === EMPTY_MAIN) slots.set([0, 0, 0, 0], offset + ENTRY * s);
    const bytes = encodeBundle({ ...payload, tables: { ...payload.tables, "classActions.slots": slots } }, nodeSha256);
    expect(() => loadBundle(bytes)).toThrow(/hash table is full/);
  });
});

describe("sparse map layout", () => {
  const maps = [
    { mask: 3, explicit: [[5, 1, 0, 7], [2, 0, 0, 8], [9, 3, 0, 1]] as const, defaults: [[1, 0, 4], [0, 0, 2]] as const },
    { mask: 1, explicit: Array.from({ length: 20 }, (_, k) => [k * 3, k % 2, 0, k] as const), defaults: [[0, 0, 2], [1, 0, 4]] as const },
  ];

  it("depends only on the maps' contents, not on their entries' order", () => {
    const a = layoutSparseMaps(maps);
    const b = layoutSparseMaps(maps.map((m) => ({ mask: m.mask, explicit: [...m.explicit].reverse(), defaults: [...m.defaults].reverse() })));
    expect(b.head).toEqual(a.head);
    expect(b.slots).toEqual(a.slots);
    expect(a.head[MAP_HEAD + H_EXPLICIT_SIZE]).toBeLessThan(0); // 20 entries: hashed
    expect(a.head[H_DEFAULTS]).toBe(a.head[MAP_HEAD + H_DEFAULTS]); // the same defaults, shared
  });

  it("keeps defaults apart that differ, whether next to each other or not", () => {
    const defaults = [[[0, 0, 2]], [[0, 0, 3]], [[0, 0, 2]], [[1, 0, 2]]] as const;
    const { head, slots } = layoutSparseMaps(defaults.map((d) => ({ mask: 1, explicit: [], defaults: d })));
    const value = (m: number) => slots[head[MAP_HEAD * m + H_DEFAULTS]! + 3];
    expect([0, 1, 2, 3].map(value)).toEqual([2, 3, 2, 2]);
    expect(head[2 * MAP_HEAD + H_DEFAULTS]).toBe(head[H_DEFAULTS]);
    expect(new Set([0, 1, 3].map((m) => head[MAP_HEAD * m + H_DEFAULTS])).size).toBe(3);
  });
});

describe("cached spellings", () => {
  const workspaceWith = (actions: number) => {
    const { workspace } = workspaceFromJson({
      model: "aws",
      policies: [{ id: "P", document: { Version: "2012-10-17", Statement: [
        { Effect: "Allow", Action: Array.from({ length: actions }, (_, i) => `s3:Op${i}`), Resource: "arn:aws:s3:::b/*" },
        { Effect: "Deny", Action: "s3:op1*", Resource: "*" },
      ] } }],
      principals: [{ id: ALICE, policies: ["P"] }],
    });
    return workspace!;
  };
  const bundleWith = (actions: number) => compileWorkspace(workspaceWith(actions)).bundle!;
  const few = bundleWith(20);
  const many = bundleWith(SPELLINGS_MAX + 1);
  /** The action dimension's cache, as the runtime keeps it (private fields, read for the test). */
  const cacheOf = (authz: unknown) => (authz as { actions: { spellings: Map<string, number>; spellingFacts: Int32Array } }).actions;

  it("are classified by the compiler for a few literals and left out past SPELLINGS_MAX, deciding alike", () => {
    expect(decodeBundle(few).actions.spellings.length).toBe(20);
    expect(decodeBundle(many).actions.spellings).toEqual([]);
    expect(decodeBundle(many).actions.literals.length).toBe(SPELLINGS_MAX + 1);
    for (const bytes of [few, many]) {
      const authz = loadBundle(bytes);
      const check = (action: string) => authz.check({ principal: ALICE, action, resource: "arn:aws:s3:::b/k" });
      expect([check("s3:Op2"), check("S3:OP2"), check("s3:Op1"), check("s3:op1"), check("s3:Op2x")]).toEqual(["Allow", "Allow", "ExplicitDeny", "ExplicitDeny", "ImplicitDeny"]);
    }
  });

  it("are learned as requests walk them, deciding as the reference evaluator, first time and again", () => {
    const workspace = workspaceWith(20); // the workspace of `few`
    const spelling = fc.tuple(fc.constantFrom("s3:", "S3:", "s3:o", "ec2:"), fc.constantFrom("Op", "OP", "op", "oP", "Get"), fc.nat(40), fc.constantFrom("", "x", "*"))
      .map(([service, verb, n, tail]) => `${service}${verb}${n}${tail}`);
    fc.assert(
      fc.property(fc.array(spelling, { minLength: 1, maxLength: 30 }), (actions) => {
        const authz = loadBundle(few);
        for (const action of [...actions, ...actions]) {
          const request = { principal: ALICE, action, resource: "arn:aws:s3:::b/k" };
          expect(authz.check(request), action).toBe(evaluateIr(workspace, request));
        }
      }),
      { numRuns: 150 },
    );
  });

  it("learn what they are asked, up to SPELLINGS_MAX in all, and no long spelling", () => {
    const authz = loadBundle(few);
    const cache = cacheOf(authz);
    expect(cache.spellings.size).toBe(20);
    const check = (action: string) => authz.check({ principal: ALICE, action, resource: "arn:aws:s3:::b/k" });
    expect(check("S3:OP2")).toBe("Allow");
    expect(cache.spellings.get("S3:OP2")).toBe(20);
    expect(check(`s3:${"x".repeat(300)}`)).toBe("ImplicitDeny");
    expect(cache.spellings.size).toBe(21);
    for (let i = 0; i < SPELLINGS_MAX + 50; i++) check(`s3:Made${i}`);
    expect(cache.spellings.size).toBe(SPELLINGS_MAX);
    expect(check("s3:Op1")).toBe("ExplicitDeny");
    expect(check("S3:OP9")).toBe("Allow"); // walked: the cache is full
    expect(cache.spellings.has("S3:OP9")).toBe(false);
    // learnSpellings: false keeps the compiler's
    const fixed = loadBundle(few, { learnSpellings: false });
    expect(fixed.check({ principal: ALICE, action: "S3:OP2", resource: "arn:aws:s3:::b/k" })).toBe("Allow");
    expect(cacheOf(fixed).spellings.size).toBe(20);
  });

  it("are what the runtime reads once learned", () => {
    // Not vacuous: a learned spelling's facts, changed, change its decision (and only its).
    const authz = loadBundle(many);
    const cache = cacheOf(authz);
    const check = (action: string) => authz.check({ principal: ALICE, action, resource: "arn:aws:s3:::b/k" });
    expect(check("s3:Op2")).toBe("Allow");
    const at = cache.spellings.get("s3:Op2")!;
    cache.spellingFacts[4 * at] = 0; // main class 0: no pattern
    expect(check("s3:Op2")).toBe("ImplicitDeny");
    expect(check("S3:Op2")).toBe("Allow");
  });
});
