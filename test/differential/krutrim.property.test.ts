// The krutrim model end to end against its reference evaluator: random workspaces (users, groups,
// roles, custom and system-managed policies) and random requests; the compiled bundle must give
// the reference's decision on every request, and explain must name the statements, roles and
// groups the reference says granted or denied it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import type { KrutrimWorkspace, Request, Statement } from "../../compiler/ir.js";
import { evaluateKrutrim, explainKrutrimGrant } from "../../compiler/reference/evaluate-krutrim.js";
import { loadBundle } from "../../runtime/index.js";
import { krutrimManifestArbitrary, krutrimRequestArbitrary } from "../support/krutrim-arbitraries.js";
import { krutrimWorkspaceFromJson } from "../support/krutrim-workspace.js";

const SEED = 6;

/** A manifest, and requests: some generic, some to be aimed at its users' own statements. */
const caseArbitrary = fc.record({
  manifest: krutrimManifestArbitrary,
  requests: fc.array(
    fc.oneof(
      { weight: 2, arbitrary: fc.record({ aim: fc.nat(), op: fc.constantFrom("Create", "Read", "Update", "Delete", "read"), fill: fc.constantFrom("x", "prod-web", "1", "") }) },
      { weight: 1, arbitrary: krutrimRequestArbitrary },
    ),
    { minLength: 5, maxLength: 20 },
  ),
});

/**
 * A request at one of the statements a user reaches: its action with `*` filled in, its
 * resource pattern with `*` and `?` filled in (so it usually, not always, matches).
 */
function aimedRequest(ws: KrutrimWorkspace, aim: number, op: string, fill: string): Request {
  const reachable: [string, Statement][] = [];
  for (const user of ws.users) {
    const roles = [...user.roles, ...user.groups.flatMap((g) => ws.groups.find((x) => x.id === g)?.roles ?? [])];
    for (const role of roles) {
      for (const policy of ws.roles.find((r) => r.id === role)?.policies ?? []) {
        for (const statement of ws.policies.get(policy)?.statements ?? []) reachable.push([user.id, statement]);
      }
    }
  }
  if (reachable.length === 0) return { principal: ws.users[aim % ws.users.length]!.id, action: `vm:${op}`, resource: fill };
  const [principal, statement] = reachable[aim % reachable.length]!;
  const action = statement.actions.patterns[aim % statement.actions.patterns.length]!.source.replace(/^\*:/, "vm:").replace(/\*$/, op);
  const resource = statement.resources.patterns[aim % statement.resources.patterns.length]!.source.replace(/\*/g, fill).replace(/\?/g, "1");
  return { principal, action, resource };
}

describe("krutrim: compiled table == reference evaluator", () => {
  it("agrees on 500 random workspaces x 20 requests, and explain names the same grants", () => {
    const tally = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0 };
    fc.assert(
      fc.property(caseArbitrary, ({ manifest, requests }) => {
        const { workspace, diagnostics } = krutrimWorkspaceFromJson(manifest);
        expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const { bundle } = compileWorkspace(workspace!);
        const authz = loadBundle(bundle!);
        const asked = requests.map((r): Request => ("aim" in r ? aimedRequest(workspace!, r.aim, r.op, r.fill) : (r as Request)));
        for (const request of asked) {
          const expected = evaluateKrutrim(workspace!, request);
          const explained = authz.explain(request);
          expect(authz.check(request), JSON.stringify(request)).toBe(expected);
          expect(explained.decision).toBe(expected);
          tally[expected]++;
          if (expected === "ImplicitDeny") continue;
          // the deciding statements, as (policy, rule, role, group)
          const wanted = explainKrutrimGrant(workspace!, request)
            .filter((g) => (expected === "Allow") === (g.effect === "Allow"))
            .map((g) => `${g.policy}#${g.rule} role ${g.role}${g.group === undefined ? "" : ` via group ${g.group}`}`);
          const got = explained.statements.map((s) => `${s.policy}#${s.index} ${s.layer}`);
          expect(new Set(got)).toEqual(new Set(wanted));
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
    console.log("krutrim property:", tally);
    // the test is only as strong as its mix: every decision must be common
    expect(Math.min(tally.Allow, tally.ExplicitDeny, tally.ImplicitDeny)).toBeGreaterThan(250);
  });
});
