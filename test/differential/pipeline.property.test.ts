// The compiled decision table must decide exactly as the reference evaluator, on random
// workspaces and random requests: wildcards, Not* elements, resource policies, boundaries,
// sessions, SCP and RCP levels, conditions and policy variables included.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import { evaluateIr } from "../../compiler/reference/evaluate.js";
import { loadBundle, type Request } from "../../runtime/index.js";
import { manifestArbitrary, requestArbitrary } from "../support/arbitraries.js";
import { workspaceFromJson } from "../support/workspace.js";

const WORKSPACES = 2_000;
const REQUESTS_PER_WORKSPACE = 25;

describe("compiled table == reference evaluator", () => {
  it(`agrees on ${WORKSPACES} random workspaces x ${REQUESTS_PER_WORKSPACE} requests`, () => {
    let requests = 0;
    const decisions = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0 };
    fc.assert(
      fc.property(manifestArbitrary, fc.array(requestArbitrary, { minLength: REQUESTS_PER_WORKSPACE, maxLength: REQUESTS_PER_WORKSPACE }), (manifest, batch) => {
        const { workspace, diagnostics } = workspaceFromJson(manifest);
        expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const { bundle } = compileWorkspace(workspace!);
        const authz = loadBundle(bundle!);
        for (const request of batch as Request[]) {
          const expected = evaluateIr(workspace!, request);
          const actual = authz.check(request);
          if (actual !== expected) {
            throw new Error(`table says ${actual}, reference says ${expected} for ${JSON.stringify(request)}`);
          }
          decisions[actual]++;
          requests++;
        }
      }),
      { seed: 20261122, numRuns: WORKSPACES },
    );
    // The generator must exercise every outcome, or the agreement means little.
    expect(requests).toBe(WORKSPACES * REQUESTS_PER_WORKSPACE);
    for (const count of Object.values(decisions)) expect(count).toBeGreaterThan(requests / 50);
    console.log(`pipeline property: ${requests} requests over ${WORKSPACES} workspaces`, decisions);
  }, 300_000);
});
