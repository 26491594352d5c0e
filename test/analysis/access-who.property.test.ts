// `access` and `who` against brute force on random workspaces of every model: a request the
// runtime allows lies in a region `access` lists for its caller, and its caller is among those
// `who` lists for its action and resource; a region either lists as plainly allowed is allowed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { callersOf } from "../../compiler/analysis/describe.js";
import { accessOf, whoMay } from "../../compiler/analysis/index.js";
import { compileWorkspace } from "../../compiler/compile.js";
import type { Workspace } from "../../compiler/ir.js";
import { inspectBundle, loadBundle, type Request } from "../../runtime/index.js";
import { manifestArbitrary, requestArbitrary } from "../support/arbitraries.js";
import { cloudalusCaseArbitrary } from "../support/cloudalus-arbitraries.js";
import { cloudalusWorkspaceFromJson } from "../support/cloudalus-workspace.js";
import { krutrimCaseArbitrary } from "../support/krutrim-arbitraries.js";
import { krutrimWorkspaceFromJson } from "../support/krutrim-workspace.js";
import { workspaceFromJson } from "../support/workspace.js";

interface Case {
  readonly workspace: Workspace;
  readonly requests: readonly Request[];
}

/** Index picks for aimed requests: statement, action pattern, resource pattern, principal. */
const aims = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()), { minLength: 5, maxLength: 15 });

/**
 * Requests aimed at the workspace's statements: a listed caller, an action and a resource some
 * statement names with its wildcards filled in (random requests are mostly denied).
 */
function aimed(ws: Workspace, picks: readonly (readonly [number, number, number, number])[]): Request[] {
  const statements = [...ws.policies.values()].flatMap((p) => p.statements);
  const callers = ws.model === "aws" ? ws.principals.map((p) => p.id) : ws.model === "krutrim" ? ws.users.map((u) => u.id) : ws.principals.map((p) => p.id);
  const listed = ws.model === "krutrim" ? [] : ws.resources.map((r) => r.id);
  const fill = (text: string) => text.replace(/\$\{[^}]*\}/g, "alice").replace(/\*/g, "x").replace(/\?/g, "1");
  if (statements.length === 0 || callers.length === 0) return [];
  return picks.map(([s, a, r, p]) => {
    const statement = statements[s % statements.length]!;
    const actions = statement.actions.patterns;
    const resources = statement.resources.patterns;
    return {
      principal: callers[p % callers.length]!,
      action: statement.actions.negated || actions.length === 0 ? "x:y" : fill(actions[a % actions.length]!.source),
      resource: listed.length > 0 && r % 2 === 0 ? listed[r % listed.length]! : statement.resources.negated || resources.length === 0 ? "x" : fill(resources[r % resources.length]!.source),
    };
  });
}

const awsCases = fc.record({ manifest: manifestArbitrary, requests: fc.array(requestArbitrary, { minLength: 5, maxLength: 20 }), aims })
  .map(({ manifest, requests, aims }): Case => {
    const workspace = workspaceFromJson(manifest).workspace!;
    return { workspace, requests: [...(requests as Request[]), ...aimed(workspace, aims)] };
  });
const krutrimCases = fc.record({ c: krutrimCaseArbitrary, aims }).map(({ c, aims }): Case => {
  const workspace = krutrimWorkspaceFromJson(c.manifest).workspace!;
  return { workspace, requests: [...c.requests, ...aimed(workspace, aims)] };
});
const cloudalusCases = fc.record({ c: cloudalusCaseArbitrary, aims }).map(({ c, aims }): Case => {
  const workspace = cloudalusWorkspaceFromJson(c.manifest).workspace!;
  return { workspace, requests: [...c.requests, ...aimed(workspace, aims)] };
});

describe.each([
  { name: "aws", cases: awsCases, runs: 25 },
  { name: "krutrim", cases: krutrimCases, runs: 100 },
  { name: "cloudalus", cases: cloudalusCases, runs: 100 },
])("access and who ($name) agree with the runtime", ({ cases, runs }) => {
  it("on every sampled request", () => {
    const tally = { allowed: 0, denied: 0 };
    fc.assert(
      fc.property(cases, ({ workspace, requests }) => {
        const bundle = compileWorkspace(workspace).bundle!;
        const table = inspectBundle(bundle);
        const authz = loadBundle(bundle);
        const callers = callersOf([table]);
        const accessByCaller = new Map<string, ReturnType<typeof accessOf>>();
        for (const request of requests) {
          const decision = authz.check(request);
          const caller = callers.find((c) => table.classOf(c.request) === table.classOf(request));
          expect(caller, `no caller stands for ${JSON.stringify(request)}`).toBeDefined();
          let access = accessByCaller.get(caller!.label);
          if (access === undefined) accessByCaller.set(caller!.label, (access = accessOf(table, caller!.request)));
          const inAccess = access.entryAt(request.action, request.resource);
          const inWho = whoMay(table, request.action, request.resource).find((e) => e.principal === caller!.label);
          if (decision === "Allow") {
            tally.allowed++;
            expect(inAccess, `allowed but not in access: ${JSON.stringify(request)}`).toBeDefined();
            expect(inWho, `allowed but not in who: ${JSON.stringify(request)}`).toBeDefined();
          } else {
            tally.denied++;
            if (inAccess !== undefined) expect(inAccess.verdict.decision).toBe("Conditional");
            if (inWho !== undefined) expect(inWho.verdict.decision).toBe("Conditional");
          }
          if (inAccess?.verdict.decision === "Allow") expect(decision).toBe("Allow");
        }
      }),
      { numRuns: runs, seed: 91 },
    );
    // Both directions were exercised (aimed requests make allows common enough to matter).
    expect(tally.allowed).toBeGreaterThan(15);
    expect(tally.denied).toBeGreaterThan(runs);
  }, 120_000);
});
