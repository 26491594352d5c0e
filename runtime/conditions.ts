// Condition predicates, compiled once when a bundle loads (docs/conditions.md is the rule).
// Policy values are parsed here, at compile time; a predicate only parses the request value.
// Nothing here throws on request data: a value that does not parse simply does not match.

import type { WireCondition } from "./wire.js";

export type ContextScalar = string | number | boolean;
export type ContextValue = ContextScalar | readonly ContextScalar[];
/** The request as conditions see it. `get` takes the LOWER-CASED key and returns undefined when absent. */
export interface ConditionEnv {
  get(lowerKey: string): ContextValue | undefined;
}
export type Predicate = (env: ConditionEnv) => boolean;

/** Does one request value match some policy value (the positive form of the operator)? */
type Match = (v: unknown) => boolean;
/** Resolves a condition's policy variables against the request, giving its `Match`. */
type Bind = (env: ConditionEnv) => Match;

// ---------------------------------------------------------------------------------------------
// Public surface

/** Compiles one wire condition. Returns undefined (never throws) when the wire data is malformed or the operator unknown, so the loader can reject the bundle. */
export function compileCondition(wire: WireCondition): Predicate | undefined {
  if (typeof wire !== "object" || wire === null) return undefined;
  const { op, q, ie, key, vals } = wire as unknown as { [k: string]: unknown };
  if (typeof op !== "string" || typeof key !== "string" || typeof ie !== "boolean") return undefined;
  if (q !== "" && q !== "any" && q !== "all") return undefined;
  const templates = readTemplates(vals);
  if (templates === undefined) return undefined;
  const spec = OPERATORS.get(op);
  if (spec === undefined) return undefined;
  const lowerKey = key.toLowerCase();

  if (spec.family === "null") return compileNull(lowerKey, templates);

  const built = spec.build(templates, spec.arg);
  if (built === undefined) return undefined;
  return makePredicate(lowerKey, modeOf(q, spec.negated), ie, built);
}

/** AND of several conditions. */
export function compileConditions(wires: readonly WireCondition[]): Predicate | undefined {
  if (!Array.isArray(wires)) return undefined;
  const preds: Predicate[] = [];
  for (const w of wires) {
    const p = compileCondition(w);
    if (p === undefined) return undefined;
    preds.push(p);
  }
  const [a, b] = preds;
  if (a === undefined) return () => true;
  if (b === undefined) return a;
  if (preds.length === 2) return (env) => a(env) && b(env);
  return (env) => {
    for (let i = 0; i < preds.length; i++) if (!(preds[i] as Predicate)(env)) return false;
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// Operators

type Family = "string" | "ci" | "like" | "numeric" | "date" | "bool" | "binary" | "ip" | "arn" | "null";

/** Comparison of a request value x against policy value p. */
const Cmp = { Eq: 0, Lt: 1, Le: 2, Gt: 3, Ge: 4 } as const;
type Cmp = (typeof Cmp)[keyof typeof Cmp];

interface OperatorSpec {
  readonly family: Family;
  readonly negated: boolean;
  readonly arg: Cmp;
  readonly build: (templates: readonly Template[], arg: Cmp) => Built | undefined;
}

/** A compiled condition body: either a fixed `Match`, or a `Bind` when some value holds variables. */
type Built = { readonly match: Match; readonly bind?: undefined } | { readonly match?: undefined; readonly bind: Bind };

const OPERATORS: ReadonlyMap<string, OperatorSpec> = (() => {
  const m = new Map<string, OperatorSpec>();
  const add = (name: string, family: Family, negated: boolean, build: OperatorSpec["build"], arg: Cmp = Cmp.Eq) =>
    m.set(name, { family, negated, arg, build });
  add("StringEquals", "string", false, buildStringEquals);
  add("StringNotEquals", "string", true, buildStringEquals);
  add("StringEqualsIgnoreCase", "ci", false, buildStringEqualsIgnoreCase);
  add("StringNotEqualsIgnoreCase", "ci", true, buildStringEqualsIgnoreCase);
  add("StringLike", "like", false, buildStringLike);
  add("StringNotLike", "like", true, buildStringLike);
  add("NumericEquals", "numeric", false, buildNumeric, Cmp.Eq);
  add("NumericNotEquals", "numeric", true, buildNumeric, Cmp.Eq);
  add("NumericLessThan", "numeric", false, buildNumeric, Cmp.Lt);
  add("NumericLessThanEquals", "numeric", false, buildNumeric, Cmp.Le);
  add("NumericGreaterThan", "numeric", false, buildNumeric, Cmp.Gt);
  add("NumericGreaterThanEquals", "numeric", false, buildNumeric, Cmp.Ge);
  add("DateEquals", "date", false, buildDate, Cmp.Eq);
  add("DateNotEquals", "date", true, buildDate, Cmp.Eq);
  add("DateLessThan", "date", false, buildDate, Cmp.Lt);
  add("DateLessThanEquals", "date", false, buildDate, Cmp.Le);
  add("DateGreaterThan", "date", false, buildDate, Cmp.Gt);
  add("DateGreaterThanEquals", "date", false, buildDate, Cmp.Ge);
  add("Bool", "bool", false, buildBool);
  add("BinaryEquals", "binary", false, buildBinary);
  add("IpAddress", "ip", false, buildIp);
  add("NotIpAddress", "ip", true, buildIp);
  add("ArnEquals", "arn", false, buildArn);
  add("ArnLike", "arn", false, buildArn);
  add("ArnNotEquals", "arn", true, buildArn);
  add("ArnNotLike", "arn", true, buildArn);
  add("Null", "null", false, () => undefined);
  return m;
})();

// ---------------------------------------------------------------------------------------------
// Set qualifiers and missing keys (the table in docs/conditions.md)

/**
 * The four distinct rows of the table. "negated, no qualifier" and "ForAllValues: negated" agree
 * in every column (absent true, empty true, otherwise no v with M(v)), so they share `None`.
 */
const Mode = {
  /** positive, no qualifier; ForAnyValue positive */
  Some: 0,
  /** negated, no qualifier; ForAllValues negated */
  None: 1,
  /** ForAnyValue negated */
  AnyNot: 2,
  /** ForAllValues positive */
  All: 3,
} as const;
type Mode = (typeof Mode)[keyof typeof Mode];

function modeOf(q: "" | "any" | "all", negated: boolean): Mode {
  if (q === "all") return negated ? Mode.None : Mode.All;
  if (q === "any") return negated ? Mode.AnyNot : Mode.Some;
  return negated ? Mode.None : Mode.Some;
}

function makePredicate(lowerKey: string, mode: Mode, ifExists: boolean, built: Built): Predicate {
  const emptyResult = mode === Mode.None || mode === Mode.All;
  const absentResult = ifExists || emptyResult;
  const match = built.match;
  if (match !== undefined) {
    return (env) => {
      const raw = env.get(lowerKey);
      if (raw === undefined || raw === null) return absentResult;
      if (Array.isArray(raw) && raw.length === 0) return emptyResult;
      return evalPresent(mode, raw, match);
    };
  }
  const bind = built.bind as Bind;
  return (env) => {
    const raw = env.get(lowerKey);
    if (raw === undefined || raw === null) return absentResult;
    if (Array.isArray(raw) && raw.length === 0) return emptyResult;
    // Variables resolve only once the key is known to be present.
    return evalPresent(mode, raw, bind(env));
  };
}

/** The "otherwise" column: raw is present, and not an empty array. */
function evalPresent(mode: Mode, raw: unknown, m: Match): boolean {
  if (!Array.isArray(raw)) {
    const r = m(raw);
    return mode === Mode.Some || mode === Mode.All ? r : !r;
  }
  const n = raw.length;
  switch (mode) {
    case Mode.Some:
      for (let i = 0; i < n; i++) if (m(raw[i])) return true;
      return false;
    case Mode.None:
      for (let i = 0; i < n; i++) if (m(raw[i])) return false;
      return true;
    case Mode.AnyNot:
      for (let i = 0; i < n; i++) if (!m(raw[i])) return true;
      return false;
    case Mode.All:
      for (let i = 0; i < n; i++) if (!m(raw[i])) return false;
      return true;
  }
}

function compileNull(lowerKey: string, templates: readonly Template[]): Predicate | undefined {
  // IfExists and set qualifiers mean nothing to Null: both are ignored.
  let onAbsent = false;
  let onPresent = false;
  for (const t of templates) {
    const text = plainText(t);
    if (text === undefined) return undefined;
    const b = parseBoolText(text);
    if (b === 1) onAbsent = true;
    else if (b === 0) onPresent = true;
    else return undefined;
  }
  return (env) => {
    const raw = env.get(lowerKey);
    if (raw === undefined || raw === null) return onAbsent;
    if (Array.isArray(raw) && raw.length === 0) return onAbsent;
    return onPresent;
  };
}

// ---------------------------------------------------------------------------------------------
// Wire templates

/** A template part after validation; variable keys are lower-cased. */
type Part =
  | { readonly kind: "t"; readonly text: string }
  | { readonly kind: "l"; readonly text: string }
  | { readonly kind: "v"; readonly key: string; readonly fallback: string | undefined };

interface Template {
  readonly parts: readonly Part[];
  readonly dynamic: boolean;
}

function readTemplates(vals: unknown): Template[] | undefined {
  if (!Array.isArray(vals)) return undefined;
  const out: Template[] = [];
  for (const t of vals as readonly unknown[]) {
    const tpl = readTemplate(t);
    if (tpl === undefined) return undefined;
    out.push(tpl);
  }
  return out;
}

function readTemplate(t: unknown): Template | undefined {
  if (!Array.isArray(t)) return undefined;
  const parts: Part[] = [];
  let dynamic = false;
  for (const p of t as readonly unknown[]) {
    if (!Array.isArray(p)) return undefined;
    const tag: unknown = p[0];
    const a: unknown = p[1];
    if (typeof a !== "string") return undefined;
    if (tag === "t" || tag === "l") {
      if (p.length !== 2) return undefined;
      parts.push({ kind: tag, text: a });
    } else if (tag === "v") {
      const fb: unknown = p[2];
      if (p.length === 2) parts.push({ kind: "v", key: a.toLowerCase(), fallback: undefined });
      else if (p.length === 3 && typeof fb === "string") parts.push({ kind: "v", key: a.toLowerCase(), fallback: fb });
      else return undefined;
      dynamic = true;
    } else return undefined;
  }
  return { parts, dynamic };
}

/** The text of a template without variables (Numeric, Date, Bool, Ip, Binary, Null values). */
function plainText(t: Template): string | undefined {
  if (t.dynamic) return undefined;
  let s = "";
  for (const p of t.parts) if (p.kind !== "v") s += p.text;
  return s;
}

/** A variable's value as text, or undefined when unresolvable (absent without fallback, an array, junk). */
function resolveVar(env: ConditionEnv, key: string, fallback: string | undefined): string | undefined {
  const raw: unknown = env.get(key);
  if (raw === undefined || raw === null) return fallback;
  return scalarText(raw);
}

/** A template's text with variables substituted (all parts literal), or undefined when unresolvable. */
function resolveText(t: Template, env: ConditionEnv): string | undefined {
  let s = "";
  for (const p of t.parts) {
    if (p.kind === "v") {
      const r = resolveVar(env, p.key, p.fallback);
      if (r === undefined) return undefined;
      s += r;
    } else s += p.text;
  }
  return s;
}

/** How String and Arn operators see a request value; undefined for anything but a scalar. */
function scalarText(v: unknown): string | undefined {
  switch (typeof v) {
    case "string":
      return v;
    case "number":
      return String(v);
    case "boolean":
      return v ? "true" : "false";
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// String operators

function buildStringEquals(templates: readonly Template[]): Built {
  const fixed: string[] = [];
  const dyn: Template[] = [];
  for (const t of templates) {
    if (t.dynamic) dyn.push(t);
    else fixed.push(plainText(t) as string);
  }
  const fixedMatch = stringSetMatch(fixed, false);
  if (dyn.length === 0) return { match: fixedMatch };
  return {
    bind: (env) => {
      const extra = resolveAll(dyn, env, false);
      if (extra.length === 0) return fixedMatch;
      return (v) => fixedMatch(v) || extra.includes(scalarText(v) as string);
    },
  };
}

function buildStringEqualsIgnoreCase(templates: readonly Template[]): Built {
  const fixed: string[] = [];
  const dyn: Template[] = [];
  for (const t of templates) {
    if (t.dynamic) dyn.push(t);
    // lower-case the whole value, not part by part: lower-casing is context-sensitive (final sigma)
    else fixed.push((plainText(t) as string).toLowerCase());
  }
  const fixedMatch = stringSetMatch(fixed, true);
  if (dyn.length === 0) return { match: fixedMatch };
  return {
    bind: (env) => {
      const extra = resolveAll(dyn, env, true);
      if (extra.length === 0) return fixedMatch;
      return (v) => {
        const s = scalarText(v);
        return s !== undefined && (fixedMatch(s) || extra.includes(s.toLowerCase()));
      };
    },
  };
}

function resolveAll(dyn: readonly Template[], env: ConditionEnv, lower: boolean): string[] {
  const out: string[] = [];
  for (const t of dyn) {
    const s = resolveText(t, env);
    if (s !== undefined) out.push(lower ? s.toLowerCase() : s);
  }
  return out;
}

function stringSetMatch(values: readonly string[], lower: boolean): Match {
  if (values.length === 0) return () => false;
  if (values.length === 1) {
    const p = values[0] as string;
    if (lower) {
      return (v) => {
        const s = scalarText(v);
        return s !== undefined && s.toLowerCase() === p;
      };
    }
    return (v) => (typeof v === "string" ? v === p : scalarText(v) === p);
  }
  const set = new Set(values);
  if (lower) {
    return (v) => {
      const s = scalarText(v);
      return s !== undefined && set.has(s.toLowerCase());
    };
  }
  return (v) => {
    const s = scalarText(v);
    return s !== undefined && set.has(s);
  };
}

function buildStringLike(templates: readonly Template[]): Built {
  const fixed: RangeMatcher[] = [];
  const dyn: DynPart[][] = [];
  for (const t of templates) {
    if (t.dynamic) dyn.push(dynParts(t));
    else fixed.push(compileGlob(staticTokens(t)));
  }
  const fixedMatch = globListMatch(fixed);
  if (dyn.length === 0) return { match: fixedMatch };
  return {
    bind: (env) => {
      const extra: Int32Array[] = [];
      for (const parts of dyn) {
        const tok = resolveTokens(parts, env);
        if (tok !== undefined) extra.push(tok);
      }
      if (extra.length === 0) return fixedMatch;
      return (v) => {
        if (fixedMatch(v)) return true;
        const s = scalarText(v);
        if (s === undefined) return false;
        for (const tok of extra) if (matchTokens(tok, s, 0, s.length)) return true;
        return false;
      };
    },
  };
}

function globListMatch(globs: readonly RangeMatcher[]): Match {
  if (globs.length === 0) return () => false;
  if (globs.length === 1) {
    const g = globs[0] as RangeMatcher;
    return (v) => {
      const s = scalarText(v);
      return s !== undefined && g(s, 0, s.length);
    };
  }
  return (v) => {
    const s = scalarText(v);
    if (s === undefined) return false;
    for (let i = 0; i < globs.length; i++) if ((globs[i] as RangeMatcher)(s, 0, s.length)) return true;
    return false;
  };
}

// ---------------------------------------------------------------------------------------------
// Globs. A pattern is an Int32Array of tokens: a UTF-16 code unit (>= 0), STAR or ANY. Text that
// came from `l` parts or from substituted variables holds only code units, so it stays literal.

const STAR = -1;
const ANY = -2;
const COLON = 58;

/** Matches s[from, to) against a pattern fixed at compile time. */
type RangeMatcher = (s: string, from: number, to: number) => boolean;

/** Tokens of a template without variables. */
function staticTokens(t: Template): Int32Array {
  const pieces = t.parts.map((p) => (p.kind === "v" ? new Int32Array(0) : textTokens(p.text, p.kind === "t")));
  const out = new Int32Array(pieces.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const piece of pieces) {
    out.set(piece, o);
    o += piece.length;
  }
  return out;
}

/** A template with variables, its fixed parts already tokenized. */
type DynPart = Int32Array | { readonly key: string; readonly fallback: string | undefined };

function dynParts(t: Template): DynPart[] {
  return t.parts.map((p) => (p.kind === "v" ? { key: p.key, fallback: p.fallback } : textTokens(p.text, p.kind === "t")));
}

/** Tokens with variables substituted as literal text, or undefined when one is unresolvable. */
function resolveTokens(parts: readonly DynPart[], env: ConditionEnv): Int32Array | undefined {
  const texts: (string | undefined)[] = [];
  let n = 0;
  for (const p of parts) {
    if (p instanceof Int32Array) {
      n += p.length;
      continue;
    }
    const r = resolveVar(env, p.key, p.fallback);
    if (r === undefined) return undefined;
    texts.push(r);
    n += r.length;
  }
  const out = new Int32Array(n);
  let o = 0;
  let k = 0;
  for (const p of parts) {
    if (p instanceof Int32Array) {
      out.set(p, o);
      o += p.length;
    } else {
      const r = texts[k++] as string;
      for (let i = 0; i < r.length; i++) out[o++] = r.charCodeAt(i);
    }
  }
  return out;
}

function textTokens(text: string, wild: boolean): Int32Array {
  const out = new Int32Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = wild && c === 42 ? STAR : wild && c === 63 ? ANY : c;
  }
  return out;
}

function tokensToString(tok: Int32Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(tok[i] as number);
  return s;
}

/** Compiles a pattern into the cheapest matcher that fits its shape. */
function compileGlob(tok: Int32Array): RangeMatcher {
  let stars = 0;
  for (let i = 0; i < tok.length; i++) {
    if (tok[i] === ANY) return (s, from, to) => matchTokens(tok, s, from, to);
    if (tok[i] === STAR) stars++;
  }
  if (stars === 0) {
    const text = tokensToString(tok, 0, tok.length);
    const len = text.length;
    return (s, from, to) => to - from === len && s.startsWith(text, from);
  }
  // Literal segments between stars; the first is anchored at the start, the last at the end.
  const segs: string[] = [];
  let start = 0;
  for (let i = 0; i <= tok.length; i++) {
    if (i === tok.length || tok[i] === STAR) {
      segs.push(tokensToString(tok, start, i));
      start = i + 1;
    }
  }
  const first = segs[0] as string;
  const last = segs[segs.length - 1] as string;
  const mids = segs.slice(1, -1).filter((x) => x.length > 0);
  const fl = first.length;
  const ll = last.length;
  const min = fl + ll + mids.reduce((a, x) => a + x.length, 0);
  if (mids.length === 0) {
    if (fl === 0 && ll === 0) return () => true;
    if (ll === 0) return (s, from, to) => to - from >= fl && s.startsWith(first, from);
    if (fl === 0) return (s, from, to) => to - from >= ll && s.startsWith(last, to - ll);
    return (s, from, to) => to - from >= min && s.startsWith(first, from) && s.startsWith(last, to - ll);
  }
  if (mids.length === 1 && fl === 0 && ll === 0) {
    const mid = mids[0] as string;
    const ml = mid.length;
    return (s, from, to) => {
      const i = s.indexOf(mid, from);
      return i !== -1 && i + ml <= to;
    };
  }
  return (s, from, to) => {
    if (to - from < min || !s.startsWith(first, from)) return false;
    const end = to - ll;
    let cur = from + fl;
    // Leftmost placement of each fixed-length segment is never worse than any later one.
    for (let k = 0; k < mids.length; k++) {
      const mid = mids[k] as string;
      const i = s.indexOf(mid, cur);
      if (i === -1 || i + mid.length > end) return false;
      cur = i + mid.length;
    }
    return s.startsWith(last, end);
  };
}

/**
 * Greedy two-pointer wildcard match of s[from, to) with star backtracking: only the most recent
 * star is ever retried, so the worst case is O(n·m) and there is no exponential blow-up.
 */
function matchTokens(p: Int32Array, s: string, from: number, to: number): boolean {
  const m = p.length;
  let i = from;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (i < to) {
    if (j < m) {
      const t = p[j] as number;
      if (t === STAR) {
        star = j++;
        mark = i;
        continue;
      }
      if (t === ANY || t === s.charCodeAt(i)) {
        i++;
        j++;
        continue;
      }
    }
    if (star < 0) return false;
    j = star + 1;
    i = ++mark;
  }
  while (j < m && p[j] === STAR) j++;
  return j === m;
}

// ---------------------------------------------------------------------------------------------
// Arn operators: six `:` fields, the sixth takes the rest; each p field a glob over the v field.
// The first five v fields hold no `:`; in the sixth a `*` spans `:` like any character.

interface ArnPattern {
  readonly fields: readonly RangeMatcher[];
}

function buildArn(templates: readonly Template[]): Built {
  const fixed: ArnPattern[] = [];
  const dyn: DynPart[][] = [];
  for (const t of templates) {
    if (t.dynamic) {
      dyn.push(dynParts(t));
      continue;
    }
    const fields = splitArnTokens(staticTokens(t));
    // A pattern with fewer than six fields matches nothing, so it is dropped here.
    if (fields !== undefined) fixed.push({ fields: fields.map(compileArnField) });
  }
  const fixedMatch = arnListMatch(fixed);
  if (dyn.length === 0) return { match: fixedMatch };
  return {
    bind: (env) => {
      const extra: ArnPattern[] = [];
      for (const parts of dyn) {
        const tok = resolveTokens(parts, env);
        const fields = tok === undefined ? undefined : splitArnTokens(tok);
        if (fields !== undefined) extra.push({ fields: fields.map(dynamicArnField) });
      }
      if (extra.length === 0) return fixedMatch;
      return arnListMatch(fixed.concat(extra));
    },
  };
}

function splitArnTokens(tok: Int32Array): Int32Array[] | undefined {
  const fields: Int32Array[] = [];
  let start = 0;
  for (let i = 0; i < tok.length && fields.length < 5; i++) {
    if (tok[i] === COLON) {
      fields.push(tok.subarray(start, i));
      start = i + 1;
    }
  }
  if (fields.length < 5) return undefined;
  fields.push(tok.subarray(start));
  return fields;
}

/** A field of a policy ARN, fixed at compile time: an ordinary glob (in the sixth field `*` spans `:` too). */
function compileArnField(tok: Int32Array): RangeMatcher {
  return compileGlob(tok.slice());
}

/** A field of a policy ARN built from substituted variables. */
function dynamicArnField(tok: Int32Array): RangeMatcher {
  return (s, from, to) => matchTokens(tok, s, from, to);
}

function arnListMatch(patterns: readonly ArnPattern[]): Match {
  if (patterns.length === 0) return () => false;
  return (v) => {
    const s = scalarText(v);
    if (s === undefined) return false;
    const c1 = s.indexOf(":");
    if (c1 === -1) return false;
    const c2 = s.indexOf(":", c1 + 1);
    if (c2 === -1) return false;
    const c3 = s.indexOf(":", c2 + 1);
    if (c3 === -1) return false;
    const c4 = s.indexOf(":", c3 + 1);
    if (c4 === -1) return false;
    const c5 = s.indexOf(":", c4 + 1);
    if (c5 === -1) return false;
    const n = s.length;
    for (let k = 0; k < patterns.length; k++) {
      const f = (patterns[k] as ArnPattern).fields as readonly [
        RangeMatcher,
        RangeMatcher,
        RangeMatcher,
        RangeMatcher,
        RangeMatcher,
        RangeMatcher,
      ];
      if (
        f[0](s, 0, c1) &&
        f[1](s, c1 + 1, c2) &&
        f[2](s, c2 + 1, c3) &&
        f[3](s, c3 + 1, c4) &&
        f[4](s, c4 + 1, c5) &&
        f[5](s, c5 + 1, n)
      )
        return true;
    }
    return false;
  };
}

// ---------------------------------------------------------------------------------------------
// Numeric and Date operators: both compare numbers (Date: epoch milliseconds).

function buildNumeric(templates: readonly Template[], cmp: Cmp): Built | undefined {
  return buildComparison(templates, cmp, parseDecimal, toNumber);
}

function buildDate(templates: readonly Template[], cmp: Cmp): Built | undefined {
  return buildComparison(templates, cmp, parseDate, toInstant);
}

/** Numeric and Date operators: parse every policy value once, then compare numbers. */
function buildComparison(
  templates: readonly Template[],
  cmp: Cmp,
  parse: (text: string) => number,
  toValue: Parameters<typeof compareMatch>[2],
): Built | undefined {
  const ps: number[] = [];
  for (const t of templates) {
    const text = plainText(t);
    const x = text === undefined ? NaN : parse(text);
    if (Number.isNaN(x)) return undefined;
    ps.push(x);
  }
  return { match: compareMatch(ps, cmp, toValue) };
}

/**
 * "x OP some p" collapses to one comparison against the extreme policy value: x < some p iff
 * x < max(P), x > some p iff x > min(P). Equality keeps the set.
 */
function compareMatch(ps: readonly number[], cmp: Cmp, read: (v: unknown) => number): Match {
  if (ps.length === 0) return () => false;
  let min = Infinity;
  let max = -Infinity;
  for (const p of ps) {
    if (p < min) min = p;
    if (p > max) max = p;
  }
  switch (cmp) {
    case Cmp.Eq: {
      if (ps.length === 1) {
        const p = ps[0] as number;
        return (v) => read(v) === p;
      }
      const set = new Set(ps);
      return (v) => set.has(read(v)); // NaN is never in the set
    }
    case Cmp.Lt:
      return (v) => read(v) < max;
    case Cmp.Le:
      return (v) => read(v) <= max;
    case Cmp.Gt:
      return (v) => read(v) > min;
    case Cmp.Ge:
      return (v) => read(v) >= min;
  }
}

/** A finite number, or a string that is a decimal number (`-1`, `2.50`; not `1e3`); else NaN. */
function toNumber(v: unknown): number {
  if (typeof v === "number") return Number.isFinite(v) ? v : NaN;
  if (typeof v === "string") return parseDecimal(v);
  return NaN;
}

/** `-?[0-9]+(\.[0-9]+)?`, else NaN. */
function parseDecimal(s: string): number {
  const n = s.length;
  let i = 0;
  if (i < n && s.charCodeAt(i) === 45) i++;
  const intStart = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  if (i === intStart) return NaN;
  if (i < n) {
    if (s.charCodeAt(i) !== 46) return NaN;
    const fracStart = ++i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === fracStart || i !== n) return NaN;
  }
  return Number(s);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Epoch milliseconds of a Date operator's request value, else NaN. */
function toInstant(v: unknown): number {
  if (typeof v === "number") {
    // epoch seconds as a number: the same values a digit string can spell
    return Number.isInteger(v) && v >= 0 && Number.isSafeInteger(v * 1000) ? v * 1000 : NaN;
  }
  if (typeof v === "string") return parseDate(v);
  return NaN;
}

const MS_PER_DAY = 86_400_000;

/**
 * Epoch milliseconds, else NaN. Epoch seconds as a digit string (while the milliseconds are a safe
 * integer), or ISO 8601 as the W3C profile writes it: `YYYY-MM-DD` (midnight UTC) or
 * `YYYY-MM-DDTHH:MM[:SS[.fff…]][Z|±HH:MM]` (no zone = UTC; `T` and `Z` upper-case). Fraction digits
 * past the millisecond are truncated.
 */
function parseDate(s: string): number {
  const n = s.length;
  if (n === 0) return NaN;
  let allDigits = true;
  for (let i = 0; i < n; i++) {
    if (!isDigit(s.charCodeAt(i))) {
      allDigits = false;
      break;
    }
  }
  if (allDigits) {
    // epoch seconds, while the milliseconds are exact (a safe integer)
    const ms = Number(s) * 1000;
    return Number.isSafeInteger(ms) ? ms : NaN;
  }
  if (n < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  let ms = daysFromCivil(year, month, day) * MS_PER_DAY;
  if (n === 10) return ms;
  // THH:MM, then optionally :SS and a fraction
  if (n < 16 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58) return NaN;
  const hh = digits(s, 11, 2);
  const mm = digits(s, 14, 2);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return NaN;
  ms += hh * 3_600_000 + mm * 60_000;
  let i = 16;
  if (i < n && s.charCodeAt(i) === 58) {
    const ss = digits(s, 17, 2);
    if (ss < 0 || ss > 59) return NaN;
    ms += ss * 1000;
    i = 19;
    if (i < n && s.charCodeAt(i) === 46) {
      const start = ++i;
      let frac = 0;
      while (i < n && isDigit(s.charCodeAt(i))) {
        if (i - start < 3) frac = frac * 10 + (s.charCodeAt(i) - 48);
        i++;
      }
      if (i === start) return NaN;
      const got = Math.min(i - start, 3);
      ms += got === 1 ? frac * 100 : got === 2 ? frac * 10 : frac;
    }
  }
  if (i === n) return ms;
  const z = s.charCodeAt(i);
  if (z === 90) return i + 1 === n ? ms : NaN; // Z
  if ((z !== 43 && z !== 45) || n !== i + 6 || s.charCodeAt(i + 3) !== 58) return NaN;
  const oh = digits(s, i + 1, 2);
  const om = digits(s, i + 4, 2);
  if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
  const offset = (oh * 60 + om) * 60_000;
  // local time = UTC + offset, so UTC = local - offset
  return z === 43 ? ms - offset : ms + offset;
}

/** The value of `count` decimal digits at s[at], or -1. */
function digits(s: string, at: number, count: number): number {
  let x = 0;
  for (let i = at; i < at + count; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    x = x * 10 + (c - 48);
  }
  return x;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// ---------------------------------------------------------------------------------------------
// Bool

function buildBool(templates: readonly Template[]): Built | undefined {
  let hasTrue = false;
  let hasFalse = false;
  for (const t of templates) {
    const text = plainText(t);
    const b = text === undefined ? -1 : parseBoolText(text);
    if (b === 1) hasTrue = true;
    else if (b === 0) hasFalse = true;
    else return undefined;
  }
  return {
    match: (v) => {
      const b = typeof v === "boolean" ? (v ? 1 : 0) : typeof v === "string" ? parseBoolText(v) : -1;
      return b === 1 ? hasTrue : b === 0 ? hasFalse : false;
    },
  };
}

/** 1 for `true`, 0 for `false` (any case), -1 otherwise. */
function parseBoolText(s: string): number {
  if (s.length === 4 && s.toLowerCase() === "true") return 1;
  if (s.length === 5 && s.toLowerCase() === "false") return 0;
  return -1;
}

// ---------------------------------------------------------------------------------------------
// BinaryEquals

function buildBinary(templates: readonly Template[]): Built | undefined {
  const ps: Uint8Array[] = [];
  for (const t of templates) {
    const text = plainText(t);
    const bytes = text === undefined ? undefined : decodeBase64(text);
    if (bytes === undefined) return undefined;
    ps.push(bytes.slice());
  }
  if (ps.length === 0) return { match: () => false };
  return {
    match: (v) => {
      if (typeof v !== "string") return false;
      const got = decodeBase64(v);
      if (got === undefined) return false;
      const len = got.length;
      outer: for (const p of ps) {
        if (p.length !== len) continue;
        for (let i = 0; i < len; i++) if (p[i] !== got[i]) continue outer;
        return true;
      }
      return false;
    },
  };
}

/** Decode buffer for usual sizes, reused: predicates run to completion one at a time. */
const SCRATCH = new Uint8Array(1024);

const B64 = (() => {
  const t = new Int8Array(128).fill(-1);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

/**
 * Decodes standard padded base64 (RFC 4648 §4), or undefined when invalid: the length is a
 * multiple of 4, `=` only pads the end (at most two), no whitespace. Leftover bits of the last
 * quantum are ignored. The same rule for policy and request values. The result may be a view of
 * a shared buffer, valid until the next call.
 */
function decodeBase64(s: string): Uint8Array | undefined {
  let n = s.length;
  if (n % 4 !== 0) return undefined;
  if (n > 0 && s.charCodeAt(n - 1) === 61) {
    n--;
    if (s.charCodeAt(n - 1) === 61) n--;
  }
  // any other `=` is refused by the alphabet below
  const size = (n * 3) >> 2;
  // a huge request value gets its own buffer rather than growing the shared one for good
  const buf = size <= SCRATCH.length ? SCRATCH : new Uint8Array(size);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const d = c < 128 ? (B64[c] as number) : -1;
    if (d < 0) return undefined;
    acc = ((acc << 6) | d) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      buf[o++] = (acc >> bits) & 0xff;
    }
  }
  return buf.subarray(0, o);
}

// ---------------------------------------------------------------------------------------------
// IpAddress. IPv4 as an unsigned 32-bit number; IPv6 as four 32-bit words. Compared masked.

function buildIp(templates: readonly Template[]): Built | undefined {
  const v4: number[] = []; // pairs: net, mask (int32)
  const v6: number[] = []; // groups of 8: net0..3, mask0..3 (int32)
  for (const t of templates) {
    const text = plainText(t);
    if (text === undefined) return undefined;
    const slash = text.indexOf("/");
    const addr = slash === -1 ? text : text.slice(0, slash);
    let prefix = -1;
    if (slash !== -1) {
      const p = text.slice(slash + 1);
      if (p.length === 0 || p.length > 3) return undefined;
      prefix = digits(p, 0, p.length);
      if (prefix < 0) return undefined;
    }
    if (addr.indexOf(":") === -1) {
      const a = parseIPv4(addr, 0, addr.length);
      if (a < 0) return undefined;
      if (prefix === -1) prefix = 32;
      if (prefix > 32) return undefined;
      const mask = prefix === 0 ? 0 : -1 << (32 - prefix);
      v4.push(a & mask, mask);
    } else {
      if (!parseIPv6(addr)) return undefined;
      if (prefix === -1) prefix = 128;
      if (prefix > 128) return undefined;
      const masks = [0, 0, 0, 0];
      for (let w = 0; w < 4; w++) {
        const bits = Math.min(32, Math.max(0, prefix - 32 * w));
        masks[w] = bits === 0 ? 0 : -1 << (32 - bits);
      }
      for (let w = 0; w < 4; w++) v6.push((ip6[w] as number) & (masks[w] as number));
      for (let w = 0; w < 4; w++) v6.push(masks[w] as number);
    }
  }
  const nets4 = Int32Array.from(v4);
  const nets6 = Int32Array.from(v6);
  return {
    match: (v) => {
      if (typeof v !== "string") return false;
      if (v.indexOf(":") === -1) {
        if (nets4.length === 0) return false;
        const a = parseIPv4(v, 0, v.length);
        if (a < 0) return false;
        for (let i = 0; i < nets4.length; i += 2) {
          if ((a & (nets4[i + 1] as number)) === nets4[i]) return true;
        }
        return false;
      }
      if (nets6.length === 0 || !parseIPv6(v)) return false;
      const w0 = ip6[0] as number;
      const w1 = ip6[1] as number;
      const w2 = ip6[2] as number;
      const w3 = ip6[3] as number;
      for (let i = 0; i < nets6.length; i += 8) {
        if (
          (w0 & (nets6[i + 4] as number)) === nets6[i] &&
          (w1 & (nets6[i + 5] as number)) === nets6[i + 1] &&
          (w2 & (nets6[i + 6] as number)) === nets6[i + 2] &&
          (w3 & (nets6[i + 7] as number)) === nets6[i + 3]
        )
          return true;
      }
      return false;
    },
  };
}

/** Dotted-quad IPv4 in s[from, to): the address as an unsigned number, or -1. No leading zeros. */
function parseIPv4(s: string, from: number, to: number): number {
  let addr = 0;
  let i = from;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= to || s.charCodeAt(i) !== 46) return -1;
      i++;
    }
    const start = i;
    let x = 0;
    while (i < to && i - start < 3) {
      const c = s.charCodeAt(i);
      if (!isDigit(c)) break;
      x = x * 10 + (c - 48);
      i++;
    }
    const len = i - start;
    if (len === 0 || x > 255 || (len > 1 && s.charCodeAt(start) === 48)) return -1;
    addr = addr * 256 + x;
  }
  return i === to ? addr : -1;
}

/** The last parsed IPv6 address, four big-endian 32-bit words. */
const ip6 = new Int32Array(4);
const groups = new Uint16Array(8);

/**
 * RFC 4291 text form into `ip6`: eight groups of 1-4 hex digits, one `::` for a run of zero
 * groups, an optional dotted-quad IPv4 in the last 32 bits. No zone index, no brackets.
 */
function parseIPv6(s: string): boolean {
  const n = s.length;
  if (n < 2) return false;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (s.charCodeAt(0) === COLON) {
    if (s.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    if (count === 8) return false;
    const start = i;
    let x = 0;
    while (i < n && i - start < 5) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      x = (x << 4) | h;
      i++;
    }
    if (i < n && s.charCodeAt(i) === 46) {
      // dotted-quad tail: the rest of the string is two groups
      if (count > 6) return false;
      const a = parseIPv4(s, start, n);
      if (a < 0) return false;
      groups[count++] = Math.floor(a / 65536);
      groups[count++] = a & 0xffff;
      i = n;
      break;
    }
    const len = i - start;
    if (len === 0 || len > 4) return false;
    groups[count++] = x;
    if (i === n) break;
    if (s.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < n && s.charCodeAt(i) === COLON) {
      if (gap !== -1) return false;
      gap = count;
      i++;
    } else if (i === n) return false; // a trailing single colon
  }
  if (gap === -1) {
    if (count !== 8) return false;
  } else {
    if (count > 7) return false;
    const fill = 8 - count;
    for (let k = count - 1; k >= gap; k--) groups[k + fill] = groups[k] as number;
    for (let k = gap; k < gap + fill; k++) groups[k] = 0;
  }
  for (let w = 0; w < 4; w++) ip6[w] = ((groups[2 * w] as number) << 16) | (groups[2 * w + 1] as number);
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
