// The cloudalus model end to end against its reference evaluator: random workspaces (principals,
// access keys, trusts, owned resources with policies) and random requests, some adopting
// identities by default or by naming trusts, some invalid; the compiled bundle must give the
// reference's decision on every request, and explain must name the statements (and the trust or
// resource layer) the reference says decided it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import type { Request } from "../../compiler/ir.js";
import { evaluateCloudalus, explainCloudalus } from "../../compiler/reference/evaluate-cloudalus.js";
import { loadBundle } from "../../runtime/index.js";
import { cloudalusCaseArbitrary } from "../support/cloudalus-arbitraries.js";
import { cloudalusWorkspaceFromJson } from "../support/cloudalus-workspace.js";

const SEED = 7;

describe("cloudalus: compiled table == reference evaluator", () => {
  it("agrees on 500 random workspaces x up to 20 requests, and explain names the same statements", () => {
    const tally = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0 };
    fc.assert(
      fc.property(cloudalusCaseArbitrary, ({ manifest, requests }) => {
        const { workspace, diagnostics } = cloudalusWorkspaceFromJson(manifest);
        expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const { bundle } = compileWorkspace(workspace!);
        const authz = loadBundle(bundle!);
        for (const request of requests as Request[]) {
          const expected = evaluateCloudalus(workspace!, request);
          const explained = authz.explain(request);
          expect(authz.check(request), JSON.stringify(request)).toBe(expected);
          expect(explained.decision).toBe(expected);
          tally[expected]++;
          if (expected === "ImplicitDeny") continue;
          const wanted = explainCloudalus(workspace!, request)
            .filter((m) => (expected === "Allow") === (m.effect === "Allow"))
            .map((m) => `${m.policy}#${m.index} ${m.layer}`);
          const got = explained.statements.map((s) => `${s.policy}#${s.index} ${s.layer}`);
          // an owner acting as itself is allowed with no statement at all
          if (expected === "Allow" && got.length === 0) continue;
          expect(new Set(got)).toEqual(new Set(wanted));
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
    console.log("cloudalus property:", tally);
    // the test is only as strong as its mix: every decision must be common
    expect(Math.min(tally.Allow, tally.ExplicitDeny, tally.ImplicitDeny)).toBeGreaterThan(200);
  });
});
