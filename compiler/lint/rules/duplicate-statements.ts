// IAMC6007: a statement equal to an earlier one that applies to the same holder: same effect,
// actions, resources, principals and conditions (as sets: order and action case do not matter).
// Harmless to decisions, but one of the two gets edited some day and the other silently keeps
// the old grant. Two equal allows are redundant only in the same layer (an SCP's allow does not
// stand in for an identity policy's); two equal denies anywhere.
import { foldString } from "../../automaton.js";
import type { Diagnostic } from "../../diagnostics.js";
import type { Condition, PatternSet, Statement } from "../../ir.js";
import { findingAt, isWritten, statementLabel, whereIs, type LintContext, type LintStatement } from "../context.js";
import type { Holdings } from "../holdings.js";
import { principalKey } from "./shadowed-allows.js";

/** IAMC6007 findings: each later duplicate, pointing at the first. */
export function checkDuplicateStatements(ctx: LintContext): Diagnostic[] {
  // built-in statements (krutrim system-managed policies) count as first: only the user's copy can go
  const ordered = [...ctx.statements].sort((a, b) => Number(isWritten(a.statement)) - Number(isWritten(b.statement)) || a.order - b.order);
  const seen = new Map<string, LintStatement[]>();
  const findings: Diagnostic[] = [];
  for (const current of ordered) {
    const key = statementKey(current.statement);
    let same = seen.get(key);
    if (same === undefined) seen.set(key, (same = []));
    const match = isWritten(current.statement) ? firstSharing(ctx.holdings, same, current) : undefined;
    same.push(current);
    if (match === undefined) continue;
    const { first, holder } = match;
    const finding = findingAt(current.statement.source.origin, "IAMC6007", "warning", {
      message: `this statement duplicates ${statementLabel(first.statement)} (${whereIs(first.statement, current.statement)})${holder === "" ? " in the same policy" : `, and both apply to ${holder}`}`,
      help: "remove one of the two: a permission written once is changed once",
    });
    if (finding) findings.push(finding);
  }
  return findings;
}

/** The first of the equal earlier statements that makes `current` redundant, and the holder they share. */
function firstSharing(holdings: Holdings, earlier: readonly LintStatement[], current: LintStatement): { first: LintStatement; holder: string } | undefined {
  for (const first of earlier) {
    const holder = sharedHolder(holdings, first, current);
    if (holder !== undefined) return { first, holder };
  }
  return undefined;
}

/**
 * A holder both statements apply to in a way that makes one redundant: `""` for the same policy,
 * else the holder's name; undefined when there is none.
 */
function sharedHolder(holdings: Holdings, first: LintStatement, second: LintStatement): string | undefined {
  if (first.policy.id === second.policy.id) return "";
  const a = holdings.holders.get(first.policy.id);
  const b = holdings.holders.get(second.policy.id);
  if (a === undefined || b === undefined) return undefined;
  for (const [holder, slots] of a) {
    const other = b.get(holder);
    if (other === undefined) continue;
    if (second.statement.effect === "Deny" || [...slots].some((slot) => other.has(slot))) return holderName(holder);
  }
  return undefined;
}

/** `principal:arn:...` → `` `arn:...` ``, `trust:t-ci` → ``trust `t-ci` ``. */
function holderName(holder: string): string {
  const colon = holder.indexOf(":");
  const kind = holder.slice(0, colon);
  const id = `\`${holder.slice(colon + 1)}\``;
  return kind === "trust" || kind === "resource" ? `${kind} ${id}` : id;
}

/** A statement's content as a string: equal for statements that say the same thing. */
export function statementKey(statement: Statement): string {
  return JSON.stringify([
    statement.effect,
    setKey(statement.actions, true),
    setKey(statement.resources, false),
    statement.principals === undefined ? null : [statement.principals.negated, sorted(statement.principals.refs.map(principalKey))],
    sorted(statement.conditions.map(conditionKey)),
  ]);
}

const sorted = (items: readonly string[]) => [...new Set(items)].sort();

const setKey = (set: PatternSet, ignoreCase: boolean) => [set.negated, sorted(set.patterns.map((p) => (ignoreCase ? foldString(p.source) : p.source)))];

const conditionKey = (c: Condition) =>
  JSON.stringify([c.qualifier, c.operator, c.ifExists, c.key.toLowerCase(), sorted(c.values.map((v) => v.source))]);
