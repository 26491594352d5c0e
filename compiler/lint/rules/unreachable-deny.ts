// IAMC6002: a deny that can never match anything the workspace allows ("Deny s3:* on a resource
// you don't own blocks nothing"). A deny only changes a decision where something grants, so one
// whose actions or resources meet no granting allow (identity, resource and trust policies, roles;
// not the allows of boundaries, session policies, SCPs and RCPs, which only limit) is dead: a
// typo, or the wrong scope.
import type { Diagnostic } from "../../diagnostics.js";
import type { PatternSet, Statement } from "../../ir.js";
import { actionTokens, findingAt, isWritten, listed, resourceTokens, type LintContext } from "../context.js";
import { patternsIntersect, type PatternToken } from "../pattern-algebra.js";
import { isLimitOnly } from "../holdings.js";

/** What an allow reaches, as token lists; `undefined` for a NotAction/NotResource side, which meets anything. */
interface Reach {
  readonly actions: readonly (readonly PatternToken[])[] | undefined;
  readonly resources: readonly (readonly PatternToken[])[] | undefined;
}

/** IAMC6002 findings: denies in attached policies that meet no allow. */
export function checkUnreachableDenies(ctx: LintContext): Diagnostic[] {
  const allows = indexByService(allowReaches(ctx));
  const findings: Diagnostic[] = [];
  for (const { statement, policy } of ctx.statements) {
    if (statement.effect !== "Deny" || !isWritten(statement)) continue;
    // a policy nobody holds is IAMC6008's finding, not this one's
    if ((ctx.holdings.uses.get(policy.id) ?? []).length === 0) continue;
    const deny = reachOf(statement);
    if (deny.actions === undefined || deny.resources === undefined) continue;
    const candidates = deny.actions.flatMap((action) => allows.candidates(action));
    if (candidates.some((allow) => meets(deny.actions, allow.actions) && meets(deny.resources, allow.resources))) continue;
    const finding = findingAt(statement.source.origin, "IAMC6002", "warning", {
      message: `this deny never matches anything the workspace allows: no allow grants ${listed(sources(statement.actions))} on ${listed(sources(statement.resources))}`,
      help: "check the resource and action for a typo or another account's resource; a deny only blocks what some allow grants, so scope it to what the workspace allows (or remove it)",
    });
    if (finding) findings.push(finding);
  }
  return findings;
}

/**
 * Every allow of the workspace, and in cloudalus what owners may do without one: an owner passes
 * the resource check, so a resource policy's deny can block its owner although nothing allows.
 */
function allowReaches(ctx: LintContext): Reach[] {
  // An SCP's `FullAWSAccess` allows everything but grants nothing: limits do not count.
  const reaches = ctx.statements
    .filter((s) => s.statement.effect === "Allow" && !isLimitOnly(ctx.holdings, s.policy.id))
    .map((s) => reachOf(s.statement));
  if (ctx.workspace.model === "cloudalus") {
    for (const resource of ctx.workspace.resources) {
      if (resource.owner === undefined) continue;
      // resource ids are exact: their `*` and `?` are no wildcards
      reaches.push({ actions: undefined, resources: [resourceTokens({ source: resource.id, parts: [{ kind: "literal", text: resource.id }] })] });
    }
  }
  return reaches;
}

/**
 * Allows by the service their actions name (`s3` in `s3:Get*`), so a deny is compared only with
 * allows of its services and those whose service is a wildcard (`*`, `s*:Get`, NotAction).
 */
function indexByService(reaches: readonly Reach[]): { candidates: (action: readonly PatternToken[]) => readonly Reach[] } {
  const byService = new Map<string, Reach[]>();
  const add = (key: string, reach: Reach) => {
    let list = byService.get(key);
    if (list === undefined) byService.set(key, (list = []));
    if (list[list.length - 1] !== reach) list.push(reach);
  };
  for (const reach of reaches) {
    if (reach.actions === undefined) add(ANY_SERVICE, reach);
    else for (const action of reach.actions) add(serviceOf(action) ?? ANY_SERVICE, reach);
  }
  const everyAllow = [...new Set(reaches)];
  const wild = byService.get(ANY_SERVICE) ?? [];
  return {
    candidates(action) {
      const service = serviceOf(action);
      return service === undefined ? everyAllow : [...(byService.get(service) ?? []), ...wild];
    },
  };
}

const ANY_SERVICE = "*";

/** The service an action pattern names, when it is written out before the `:`. */
function serviceOf(action: readonly PatternToken[]): string | undefined {
  let service = "";
  for (const token of action) {
    if (token.kind !== "char") return undefined;
    if (token.char === ":") return service;
    service += token.char;
  }
  return undefined;
}

function reachOf(statement: Statement): Reach {
  return {
    actions: statement.actions.negated ? undefined : statement.actions.patterns.map((p) => actionTokens(p)),
    resources: statement.resources.negated ? undefined : statement.resources.patterns.map((p) => resourceTokens(p)),
  };
}

/** Whether some pattern of one side meets some pattern of the other (a negated side meets anything). */
function meets(a: Reach["actions"], b: Reach["actions"]): boolean {
  if (a === undefined || b === undefined) return true;
  return a.some((x) => b.some((y) => patternsIntersect(x, y)));
}

const sources = (set: PatternSet) => set.patterns.map((p) => p.source);
