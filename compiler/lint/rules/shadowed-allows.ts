// IAMC6006: an allow that can never take effect. If an unconditional deny covers every action and
// resource of the allow, and every holder of the allow also holds the deny, then wherever the
// allow matches the deny matches too, and deny wins. Usually a deny written broader than meant,
// or an allow left over.
import type { Diagnostic } from "../../diagnostics.js";
import type { PatternSet, PrincipalRef, PrincipalSet, Statement, Template } from "../../ir.js";
import { holdersOf } from "../holdings.js";
import { actionTokens, findingAt, isWritten, resourceTokens, statementLabel, whereIs, type LintContext, type LintStatement } from "../context.js";
import { matchesEverything, patternsIntersect, patternSubsumes, type PatternToken, type VariableReading } from "../pattern-algebra.js";

/** IAMC6006 findings: each shadowed allow, pointing at the first deny that shadows it. */
export function checkShadowedAllows(ctx: LintContext): Diagnostic[] {
  const denies = ctx.statements.filter(({ statement }) => statement.effect === "Deny" && statement.conditions.length === 0);
  if (denies.length === 0) return [];
  // the denies that bind every holder of a policy, computed once per policy
  const holders = new Map<string, ReadonlySet<string>>();
  const holdersOfPolicy = (id: string) => {
    let set = holders.get(id);
    if (set === undefined) holders.set(id, (set = holdersOf(ctx.holdings, id)));
    return set;
  };
  const bindingDenies = new Map<string, readonly LintStatement[]>();
  const deniesBinding = (policy: string) => {
    let list = bindingDenies.get(policy);
    if (list === undefined) {
      const allowHolders = [...holdersOfPolicy(policy)];
      const bindsAll = new Map<string, boolean>();
      const binds = (deny: LintStatement) => {
        let answer = bindsAll.get(deny.policy.id);
        if (answer === undefined) {
          const denyHolders = holdersOfPolicy(deny.policy.id);
          bindsAll.set(deny.policy.id, (answer = allowHolders.every((h) => denyHolders.has(h))));
        }
        return answer;
      };
      bindingDenies.set(policy, (list = denies.filter(binds)));
    }
    return list;
  };
  const findings: Diagnostic[] = [];
  for (const { statement: allow, policy } of ctx.statements) {
    if (allow.effect !== "Allow" || !isWritten(allow)) continue;
    // a policy nobody holds is IAMC6008's finding; "every holder" of nobody proves nothing
    if (holdersOfPolicy(policy.id).size === 0) continue;
    const shadow = deniesBinding(policy.id).find((deny) => covers(deny.statement, allow));
    if (shadow === undefined) continue;
    const finding = findingAt(allow.source.origin, "IAMC6006", "warning", {
      message: `this allow never takes effect: the unconditional deny ${statementLabel(shadow.statement)} (${whereIs(shadow.statement, allow)}) covers all it grants, for everyone who holds it`,
      help: "remove the allow, or narrow the deny if the allow is meant to work",
    });
    if (finding) findings.push(finding);
  }
  return findings;
}

/** Whether the deny matches every request the allow matches (conditions aside: the deny has none). */
export function covers(deny: Statement, allow: Statement): boolean {
  return (
    coversPrincipals(deny.principals, allow.principals) &&
    coversSet(deny.actions, allow.actions, actionTokens) &&
    coversSet(deny.resources, allow.resources, resourceTokens)
  );
}

type Tokenize = (template: Template, variables: VariableReading) => readonly PatternToken[];

/**
 * Whether the strings `outer` matches include all `inner` matches. Variables are read against the
 * claim: as `*` on the side that must be small, as nothing on the side that must be large.
 */
function coversSet(outer: PatternSet, inner: PatternSet, tokens: Tokenize): boolean {
  const big = (t: Template) => tokens(t, "narrow");
  const small = (t: Template) => tokens(t, "widen");
  if (!outer.negated && !inner.negated) {
    return inner.patterns.every((i) => outer.patterns.some((o) => patternSubsumes(big(o), small(i))));
  }
  // everything but some patterns: only an outer `*` holds it all
  if (!outer.negated) return outer.patterns.some((o) => matchesEverything(big(o)));
  // the outer set is everything but its patterns: the inner must avoid them
  if (!inner.negated) return inner.patterns.every((i) => outer.patterns.every((o) => !patternsIntersect(small(o), small(i))));
  // both complements: the inner exceptions must include the outer ones
  return outer.patterns.every((o) => inner.patterns.some((i) => patternSubsumes(big(i), small(o))));
}

/** Whether a deny's principals include the allow's (a statement without principals applies to its holder). */
function coversPrincipals(deny: PrincipalSet | undefined, allow: PrincipalSet | undefined): boolean {
  if (deny === undefined) return true;
  if (deny.negated) return false;
  if (deny.refs.some((r) => r.kind === "everyone")) return true;
  if (allow === undefined || allow.negated) return false;
  const named = new Set(deny.refs.map(principalKey));
  return allow.refs.every((r) => named.has(principalKey(r)));
}

export function principalKey(ref: PrincipalRef): string {
  return ref.kind === "everyone" ? "*" : ref.kind === "account" ? `account:${ref.account}` : `principal:${ref.id}`;
}
