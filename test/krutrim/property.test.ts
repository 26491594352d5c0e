// Random krutrim workspaces (test/support/krutrim-arbitraries.ts): they load with no diagnostics,
// their DSL twins decide every request as they do, and the compiled bundle agrees with the
// reference evaluator, explanations included.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import type { KrutrimWorkspace } from "../../compiler/ir.js";
import { evaluateKrutrim, explainKrutrimGrant } from "../../compiler/reference/evaluate-krutrim.js";
import { printIam } from "../../grammar/index.js";
import { loadBundle } from "../../runtime/index.js";
import { krutrimCaseArbitrary, krutrimManifestArbitrary } from "../support/krutrim-arbitraries.js";
import { krutrimWorkspaceFromJson, loadKrutrimText } from "../support/krutrim-workspace.js";

const SEED = 20240607;

function load(manifest: unknown): KrutrimWorkspace {
  const { workspace, diagnostics } = krutrimWorkspaceFromJson(manifest);
  expect(diagnostics).toEqual([]);
  return workspace!;
}

describe("random krutrim workspaces", () => {
  it("load with no diagnostics, attaching every system policy they name", () => {
    fc.assert(
      fc.property(krutrimManifestArbitrary, (manifest) => {
        const ws = load(manifest);
        for (const role of ws.roles) for (const id of role.policies) expect(ws.policies.has(id)).toBe(true);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("decide the same written in the DSL", () => {
    fc.assert(
      fc.property(krutrimCaseArbitrary, ({ manifest, requests }) => {
        const printed = printIam(manifest);
        expect(printed.problems).toEqual([]);
        const fromDsl = loadKrutrimText(printed.text!, [], "iamc.iam");
        expect(fromDsl.diagnostics).toEqual([]);
        const ws = load(manifest);
        for (const request of requests) expect(evaluateKrutrim(fromDsl.value!, request)).toBe(evaluateKrutrim(ws, request));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it("compile to a bundle that decides as the reference evaluator, naming the same statements", () => {
    fc.assert(
      fc.property(krutrimCaseArbitrary, ({ manifest, requests }) => {
        const ws = load(manifest);
        const { bundle, diagnostics } = compileWorkspace(ws);
        expect(diagnostics).toEqual([]);
        const authz = loadBundle(bundle!);
        for (const request of requests) {
          const decision = evaluateKrutrim(ws, request);
          expect(authz.check(request), JSON.stringify(request)).toBe(decision);
          if (decision === "ImplicitDeny") continue;
          const wanted = decision === "Allow" ? "Allow" : "Deny";
          const named = new Set(authz.explain(request).statements.filter((s) => s.effect === wanted).map((s) => `${s.policy}#${s.index}`));
          const matched = new Set(explainKrutrimGrant(ws, request).filter((g) => g.effect === wanted).map((g) => `${g.policy}#${g.rule}`));
          expect(named, JSON.stringify(request)).toEqual(matched);
        }
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});
