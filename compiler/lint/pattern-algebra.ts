// Set reasoning over IAM wildcard patterns, for the linter: can one string match two patterns
// (intersection), and does every string one pattern matches also match another (subsumption).
// Matching itself stays in reference/glob.ts; this file only compares patterns.
import { foldString } from "../automaton.js";
import type { Template } from "../ir.js";

/**
 * A token of a pattern: a character, `?` (one character), `*` (any run, `/` and `:` included),
 * or `never`, which matches nothing: what an unknown policy variable becomes where the linter
 * must not guess its value.
 */
export type PatternToken =
  | { readonly kind: "char"; readonly char: string }
  | { readonly kind: "any" }
  | { readonly kind: "star" }
  | { readonly kind: "never" };

/**
 * What a policy variable (`${aws:username}`) becomes: `widen` reads it as `*` (it may resolve to
 * any text: use it for the side whose reach must not be underestimated), `narrow` as `never` (use
 * it for the side whose reach must not be overestimated).
 */
export type VariableReading = "widen" | "narrow";

export interface TokenOptions {
  readonly variables: VariableReading;
  /** Fold case, for actions (they compare case-insensitively; resources do not). */
  readonly ignoreCase: boolean;
}

const STAR: PatternToken = { kind: "star" };
const ANY: PatternToken = { kind: "any" };
const NEVER: PatternToken = { kind: "never" };

/** The tokens of a pattern template; `literal` parts (`${*}`, substituted values) never act as wildcards. */
export function patternTokens(template: Template, options: TokenOptions): PatternToken[] {
  const tokens: PatternToken[] = [];
  const fold = (text: string) => (options.ignoreCase ? foldString(text) : text);
  for (const part of template.parts) {
    if (part.kind === "variable") tokens.push(options.variables === "widen" ? STAR : NEVER);
    else if (part.kind === "literal") for (const char of fold(part.text)) tokens.push({ kind: "char", char });
    else for (const char of fold(part.text)) tokens.push(char === "*" ? STAR : char === "?" ? ANY : { kind: "char", char });
  }
  return tokens;
}

/** The tokens of plain pattern text, where `*` and `?` are wildcards. */
export function parsePattern(text: string, ignoreCase = false): PatternToken[] {
  return patternTokens({ source: text, parts: [{ kind: "text", text }] }, { variables: "widen", ignoreCase });
}

/** Whether the pattern matches every string: it is only `*`s. */
export function matchesEverything(tokens: readonly PatternToken[]): boolean {
  return tokens.length > 0 && tokens.every((t) => t.kind === "star");
}

/**
 * Whether some string matches both patterns. Exact: a walk over pairs of positions, where a `*`
 * may be left behind, and otherwise both sides read one character they can agree on (`?` and `*`
 * agree with anything: the alphabet is unbounded).
 */
export function patternsIntersect(a: readonly PatternToken[], b: readonly PatternToken[]): boolean {
  // most pairs differ in a written prefix or suffix (`s3:Get...` and `ec2:...`): settle them cheaply
  if (!literalEndsAgree(a, b)) return false;
  const width = b.length + 1;
  const seen = new Uint8Array((a.length + 1) * width);
  const pending: number[] = [0];
  seen[0] = 1;
  const visit = (i: number, j: number) => {
    const state = i * width + j;
    if (seen[state] === 0) {
      seen[state] = 1;
      pending.push(state);
    }
  };
  while (pending.length > 0) {
    const state = pending.pop()!;
    const i = Math.floor(state / width);
    const j = state % width;
    if (i === a.length && j === b.length) return true;
    const ta = a[i];
    const tb = b[j];
    if (ta?.kind === "star") visit(i + 1, j);
    if (tb?.kind === "star") visit(i, j + 1);
    if (ta === undefined || tb === undefined || ta.kind === "never" || tb.kind === "never") continue;
    // two stars reading a character together make no progress a shorter witness lacks
    if (ta.kind === "star" && tb.kind === "star") continue;
    if (ta.kind === "char" && tb.kind === "char" && ta.char !== tb.char) continue;
    visit(ta.kind === "star" ? i : i + 1, tb.kind === "star" ? j : j + 1);
  }
  return false;
}

/** Whether the characters both patterns write at their start, and at their end, agree. */
function literalEndsAgree(a: readonly PatternToken[], b: readonly PatternToken[]): boolean {
  for (let k = 0; k < a.length && k < b.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x.kind !== "char" || y.kind !== "char") break;
    if (x.char !== y.char) return false;
  }
  for (let i = a.length - 1, j = b.length - 1; i >= 0 && j >= 0; i--, j--) {
    const x = a[i]!;
    const y = b[j]!;
    if (x.kind !== "char" || y.kind !== "char") break;
    if (x.char !== y.char) return false;
  }
  return true;
}

/**
 * Whether every string `inner` matches, `outer` matches too (inner ⊆ outer). Sound, not complete:
 * `outer` is matched against `inner`'s tokens as if they were text, where an inner `*` can be
 * covered only by an outer `*`, an inner `?` by an outer `?` or `*`, and a character by itself,
 * `?` or `*`. So `true` is always right; `false` may miss an inclusion that needs reasoning
 * across tokens (`a?*` ⊆ `a*?`). When `inner` has no `*` the answer is exact.
 */
export function patternSubsumes(outer: readonly PatternToken[], inner: readonly PatternToken[]): boolean {
  // an inner pattern that can match nothing is inside everything
  if (inner.some((t) => t.kind === "never")) return true;
  // covered[j]: the outer tokens read so far cover the first j inner tokens
  let covered: boolean[] = new Array<boolean>(inner.length + 1).fill(false);
  covered[0] = true;
  for (const token of outer) {
    const next = new Array<boolean>(inner.length + 1).fill(false);
    if (token.kind === "star") {
      let reached = false;
      for (let j = 0; j <= inner.length; j++) {
        reached ||= covered[j]!;
        next[j] = reached;
      }
    } else if (token.kind !== "never") {
      for (let j = 1; j <= inner.length; j++) {
        if (!covered[j - 1]) continue;
        const it = inner[j - 1]!;
        next[j] = token.kind === "any" ? it.kind === "char" || it.kind === "any" : it.kind === "char" && it.char === token.char;
      }
    }
    covered = next;
  }
  return covered[inner.length]!;
}
