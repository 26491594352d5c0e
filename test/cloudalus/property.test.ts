// The arbitraries the compiled-vs-reference property test draws from: every manifest they make
// loads with no diagnostics, and the reference evaluator keeps the model's invariants on every
// request they make (the lead's test compares the compiled table against the same evaluator).
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { adoptCloudalus, evaluateCloudalus, explainCloudalus } from "../../compiler/reference/evaluate-cloudalus.js";
import { cloudalusCaseArbitrary } from "../support/cloudalus-arbitraries.js";
import { cloudalusWorkspaceFromJson } from "../support/cloudalus-workspace.js";

describe("cloudalus arbitraries and the reference evaluator", () => {
  test("manifests load cleanly; decisions follow deny-wins, adoption and unauthenticated rules", () => {
    let allows = 0;
    let denies = 0;
    fc.assert(
      fc.property(cloudalusCaseArbitrary, ({ manifest, requests }) => {
        const { workspace, diagnostics } = cloudalusWorkspaceFromJson(manifest);
        expect(diagnostics).toEqual([]);
        for (const request of requests) {
          const decision = evaluateCloudalus(workspace!, request);
          const matches = explainCloudalus(workspace!, request);
          const adoption = adoptCloudalus(workspace!, request);
          if (decision === "Allow") allows++;
          if (decision === "ExplicitDeny") denies++;
          // deny anywhere wins, and only a matching deny denies explicitly
          expect(decision === "ExplicitDeny").toBe(matches.some((m) => m.effect === "Deny"));
          // an invalid adoption evaluates nothing
          if (!adoption.ok) expect({ decision, matches }).toEqual({ decision: "ImplicitDeny", matches: [] });
          // the unauthenticated caller acts as itself only, and only `*` statements apply to it
          if (adoption.ok && adoption.caller === undefined) {
            expect(request.identity).toBeUndefined();
            expect(matches.every((m) => m.layer === "resource")).toBe(true);
          }
          // an allow needs a listed resource
          if (decision === "Allow") expect(workspace!.resources.some((r) => r.id === request.resource)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
    // the pools make every outcome common enough to matter
    expect(allows).toBeGreaterThan(20);
    expect(denies).toBeGreaterThan(20);
  });
});
