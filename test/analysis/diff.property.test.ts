// `diff` against brute force, on random workspaces of every model: a workspace's diff with
// itself is empty; for a workspace and an edited copy, every sampled request whose decision
// changes lies in a region the diff reports, with the decisions it reports, and every request
// in a region the diff does not report keeps its decision. The runtime's `check` is the judge.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { callersOf } from "../../compiler/analysis/describe.js";
import { diffTables, type TableDiff } from "../../compiler/analysis/index.js";
import { compileWorkspace } from "../../compiler/compile.js";
import type { Workspace } from "../../compiler/ir.js";
import { inspectBundle, loadBundle, type Authorizer, type Request, type TableInspector } from "../../runtime/index.js";
import { manifestArbitrary, requestArbitrary } from "../support/arbitraries.js";
import { cloudalusManifestArbitrary, cloudalusRequestArbitrary, cloudalusFittingRequestArbitrary } from "../support/cloudalus-arbitraries.js";
import { cloudalusWorkspaceFromJson } from "../support/cloudalus-workspace.js";
import { krutrimManifestArbitrary, krutrimRequestArbitrary } from "../support/krutrim-arbitraries.js";
import { krutrimWorkspaceFromJson } from "../support/krutrim-workspace.js";
import { workspaceFromJson } from "../support/workspace.js";

type Manifest = Record<string, unknown> & { policies: Record<string, unknown>[] };

interface Model {
  readonly name: string;
  /** Random cases to run: AWS tables have the most regions (account probes), so fewer of them. */
  readonly runs: number;
  readonly manifest: fc.Arbitrary<Manifest>;
  readonly requests: (m: Manifest) => fc.Arbitrary<Request>;
  readonly load: (m: Manifest) => Workspace | undefined;
  /** An edited copy of `a`: one policy's statements (or rules) taken from `b`. */
  readonly edit: (a: Manifest, b: Manifest, which: number) => Manifest;
}

const swapPolicy = (a: Manifest, b: Manifest, which: number): Manifest => {
  const i = which % a.policies.length;
  return { ...a, policies: a.policies.map((p, k) => (k === i ? b.policies[i]! : p)) };
};

const MODELS: readonly Model[] = [
  {
    name: "aws",
    runs: 40,
    manifest: manifestArbitrary as unknown as fc.Arbitrary<Manifest>,
    requests: () => requestArbitrary as fc.Arbitrary<Request>,
    load: (m) => workspaceFromJson(m).workspace,
    edit: swapPolicy,
  },
  {
    name: "krutrim",
    runs: 150,
    manifest: krutrimManifestArbitrary as unknown as fc.Arbitrary<Manifest>,
    requests: () => krutrimRequestArbitrary as fc.Arbitrary<Request>,
    load: (m) => krutrimWorkspaceFromJson(m).workspace,
    edit: (a, b, which) => {
      if (a.policies.length === 0 || b.policies.length === 0) return a;
      const i = which % a.policies.length;
      const rules = (b.policies[which % b.policies.length]!.document as { rules: unknown }).rules;
      return { ...a, policies: a.policies.map((p, k) => (k === i ? { ...p, document: { ...(p.document as object), rules } } : p)) };
    },
  },
  {
    name: "cloudalus",
    runs: 150,
    manifest: cloudalusManifestArbitrary as unknown as fc.Arbitrary<Manifest>,
    requests: (m) => fc.oneof(cloudalusRequestArbitrary, cloudalusFittingRequestArbitrary(m as never)) as fc.Arbitrary<Request>,
    load: (m) => cloudalusWorkspaceFromJson(m).workspace,
    edit: swapPolicy,
  },
];

function tableOf(workspace: Workspace): { table: TableInspector; authz: Authorizer } {
  const { bundle } = compileWorkspace(workspace);
  return { table: inspectBundle(bundle!), authz: loadBundle(bundle!) };
}

/** Every request's caller classes are some reported caller's: the callers are complete. */
function expectReported(tables: readonly TableInspector[], request: Request): void {
  const classes = tables.map((t) => t.classOf(request)).join(",");
  const caller = callersOf(tables).find((c) => tables.map((t) => t.classOf(c.request)).join(",") === classes);
  expect(caller, `no caller stands for ${JSON.stringify(request)}`).toBeDefined();
}

/** A reported side agrees with the runtime's decision on a request of its region. */
function expectSide(side: TableDiff["added"][number]["before"], decision: string): void {
  if (side.decision === "Conditional") return; // some requests of the region are allowed, others not
  if (side.decision === "Deny") expect(decision).not.toBe("Allow");
  else expect(side.decision).toBe(decision);
}

describe.each(MODELS)("diff ($name) agrees with brute force", (model) => {
  it("is empty between a workspace and itself", () => {
    fc.assert(
      fc.property(model.manifest, (manifest) => {
        const ws = model.load(manifest)!;
        const d = diffTables(tableOf(ws).table, tableOf(model.load(structuredClone(manifest))!).table);
        expect([d.added, d.removed, d.changed]).toEqual([[], [], []]);
      }),
      { numRuns: Math.ceil(model.runs / 4), seed: 71 },
    );
  });

  it("reports exactly the regions whose decisions change (sampled requests, checked by the runtime)", () => {
    const tally = { changed: 0, unchanged: 0, entries: 0 };
    const caseArbitrary = fc.tuple(model.manifest, model.manifest, fc.nat(), fc.boolean()).chain(([a, b, which, edit]) => {
      const after = edit ? model.edit(a, b, which) : b;
      return fc.record({ before: fc.constant(a), after: fc.constant(after), requests: fc.array(fc.oneof(model.requests(a), model.requests(after)), { minLength: 10, maxLength: 30 }) });
    });
    fc.assert(
      fc.property(caseArbitrary, ({ before, after, requests }) => {
        const b = tableOf(model.load(before)!);
        const a = tableOf(model.load(after)!);
        const tables = [b.table, a.table];
        const diff = diffTables(b.table, a.table, { merge: false });
        const changes = [...diff.added, ...diff.removed, ...diff.changed];
        tally.entries += changes.length;
        for (const request of requests) {
          expectReported(tables, request);
          const was = b.authz.check(request);
          const is = a.authz.check(request);
          const entry = diff.changeAt(request);
          if (was !== is) {
            tally.changed++;
            expect(entry, `decision ${was} -> ${is} not reported for ${JSON.stringify(request)}`).toBeDefined();
          } else tally.unchanged++;
          if (entry === undefined) continue;
          expectSide(entry.before, was);
          expectSide(entry.after, is);
          if (entry.added) expect(entry.after.decision === "Allow" || entry.after.decision === "Conditional").toBe(true);
          // and the request's change is among those the diff lists
          expect(changes.some((c) => c.principal === entry.principal && c.action === entry.action && c.resource === entry.resource
            && JSON.stringify([c.before, c.after]) === JSON.stringify([entry.before, entry.after]))).toBe(true);
        }
        // Each entry's example request lies in a region with that change, decided as reported.
        for (const entry of changes.slice(0, 20)) {
          const caller = callersOf(tables).find((c) => c.label === entry.principal)!;
          const request: Request = { ...caller.request, action: entry.example.action, resource: entry.example.resource };
          const at = diff.changeAt(request);
          expect(at && JSON.stringify([at.before, at.after])).toBe(JSON.stringify([entry.before, entry.after]));
          expectSide(entry.before, b.authz.check(request));
          expectSide(entry.after, a.authz.check(request));
        }
      }),
      { numRuns: model.runs, seed: 72 },
    );
    // The property must have had something to check on both sides.
    expect(tally.changed).toBeGreaterThan(20);
    expect(tally.unchanged).toBeGreaterThan(model.runs / 2);
    expect(tally.entries).toBeGreaterThan(model.runs);
  }, 120_000);
});
