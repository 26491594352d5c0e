// The reference evaluator for Condition blocks: a line-by-line transcription of
// docs/conditions.md, obviously right and not fast. The runtime's compiled predicates are held to
// it by a property test, so when the two disagree, this file is read against the doc first.
import {
  cidrContains, decodeBase64, parseBool, parseCidr, parseDate, parseIp, parseNumber,
  type Cidr, type IpAddress,
} from "../condition-values.js";
import type { Condition, ConditionOperator, ContextScalar, ContextValue, SetQualifier, Template, TemplatePart } from "../ir.js";
import { matchTokens, tokenize } from "./glob.js";

/** Looks a context key up by its lower-cased name; undefined when absent. */
export type ContextLookup = (lowerKey: string) => ContextValue | undefined;

/** Whether every condition holds (a statement's conditions are ANDed). */
export function evaluateConditions(conditions: readonly Condition[], lookup: ContextLookup): boolean {
  return conditions.every((condition) => evaluateCondition(condition, lookup));
}

// ---------------------------------------------------------------------------------------------
// Shape: negated operators and their positive forms

// spec: "A negated operator ... is the exact complement of its positive form on the same values"
const POSITIVE_FORM: Partial<Record<ConditionOperator, ConditionOperator>> = {
  StringNotEquals: "StringEquals",
  StringNotEqualsIgnoreCase: "StringEqualsIgnoreCase",
  StringNotLike: "StringLike",
  NumericNotEquals: "NumericEquals",
  DateNotEquals: "DateEquals",
  NotIpAddress: "IpAddress",
  ArnNotEquals: "ArnEquals",
  ArnNotLike: "ArnLike",
};

// ---------------------------------------------------------------------------------------------
// Set qualifiers and missing keys: the table of docs/conditions.md, row by row

type Row = { readonly absent: boolean; readonly empty: boolean; readonly otherwise: (values: readonly ContextScalar[], m: Match) => boolean };
type Match = (value: ContextScalar) => boolean;

const TABLE: Record<SetQualifier, { readonly positive: Row; readonly negated: Row }> = {
  none: {
    positive: { absent: false, empty: false, otherwise: (V, M) => V.some(M) },
    negated: { absent: true, empty: true, otherwise: (V, M) => !V.some(M) },
  },
  ForAnyValue: {
    positive: { absent: false, empty: false, otherwise: (V, M) => V.some(M) },
    negated: { absent: false, empty: false, otherwise: (V, M) => V.some((v) => !M(v)) },
  },
  ForAllValues: {
    positive: { absent: true, empty: true, otherwise: (V, M) => V.every(M) },
    negated: { absent: true, empty: true, otherwise: (V, M) => V.every((v) => !M(v)) },
  },
};

/** Whether one (operator, key) condition holds for the request context. */
export function evaluateCondition(condition: Condition, lookup: ContextLookup): boolean {
  const value = lookup(condition.key.toLowerCase());
  // spec: "A key is *absent* when the context lacks it (any case), or its value is null"
  const absent = value === undefined || value === null;
  const V: readonly ContextScalar[] = absent ? [] : Array.isArray(value) ? value : [value as ContextScalar];

  // spec: "`Null` | `true` matches | `true` matches | `false` matches"; IfExists ignored
  if (condition.operator === "Null") {
    const isNull = absent || V.length === 0;
    return condition.values.some((p) => parseBool(p.source) === isNull);
  }

  const positive = POSITIVE_FORM[condition.operator];
  const row = TABLE[condition.qualifier][positive === undefined ? "positive" : "negated"];
  // spec: "`...IfExists` (any of the above) | **true** | as above | as above"
  if (absent) return condition.ifExists ? true : row.absent;
  if (V.length === 0) return row.empty;
  return row.otherwise(V, positiveMatch(positive ?? condition.operator, condition.values, lookup));
}

// ---------------------------------------------------------------------------------------------
// Matching one request value v against the policy values P: M(v) = some p matches v

/** M(v) for a positive operator: v matches some policy value. */
function positiveMatch(operator: ConditionOperator, values: readonly Template[], lookup: ContextLookup): Match {
  switch (operator) {
    // spec: "`StringEquals`: v === p"
    case "StringEquals": {
      const P = resolvedTexts(values, lookup);
      return (v) => P.some((p) => asText(v) === p);
    }
    // spec: "`StringEqualsIgnoreCase`: equal after lower-casing both"
    case "StringEqualsIgnoreCase": {
      const P = resolvedTexts(values, lookup);
      return (v) => P.some((p) => asText(v).toLowerCase() === p.toLowerCase());
    }
    // spec: "`StringLike`: p is a glob over the whole of v, case-sensitive"
    case "StringLike": {
      const P = resolvedGlobs(values, lookup);
      return (v) => P.some((p) => matchTokens(p, asText(v)));
    }
    // spec: "`Numeric*`: numeric comparison v OP p"
    case "NumericEquals": return compare(values, parseNumber, asNumber, (v, p) => v === p);
    case "NumericLessThan": return compare(values, parseNumber, asNumber, (v, p) => v < p);
    case "NumericLessThanEquals": return compare(values, parseNumber, asNumber, (v, p) => v <= p);
    case "NumericGreaterThan": return compare(values, parseNumber, asNumber, (v, p) => v > p);
    case "NumericGreaterThanEquals": return compare(values, parseNumber, asNumber, (v, p) => v >= p);
    // spec: "`Date*`: instant comparison v OP p"
    case "DateEquals": return compare(values, parseDate, asDate, (v, p) => v === p);
    case "DateLessThan": return compare(values, parseDate, asDate, (v, p) => v < p);
    case "DateLessThanEquals": return compare(values, parseDate, asDate, (v, p) => v <= p);
    case "DateGreaterThan": return compare(values, parseDate, asDate, (v, p) => v > p);
    case "DateGreaterThanEquals": return compare(values, parseDate, asDate, (v, p) => v >= p);
    // spec: "`Bool`: boolean equality"
    case "Bool": return compare(values, parseBool, asBool, (v, p) => v === p);
    // spec: "`BinaryEquals`: byte equality"
    case "BinaryEquals": return compare(values, decodeBase64, asBinary, sameBytes);
    // spec: "`IpAddress`: v lies in the CIDR p (an IPv4 value never matches an IPv6 CIDR, nor the reverse)"
    case "IpAddress": return compare(values, parseCidr, asIp, (v: IpAddress, p: Cidr) => cidrContains(p, v));
    // spec: "`ArnEquals` / `ArnLike` (identical, per AWS)"
    case "ArnEquals": case "ArnLike": {
      const P = resolvedGlobs(values, lookup);
      return (v) => P.some((p) => matchArn(p, asText(v)));
    }
    default:
      throw new Error(`internal error: \`${operator}\` has no positive match`);
  }
}

/**
 * M(v) for an operator whose policy values are plain text (spec: "Other operators (Numeric, Date,
 * Bool, Ip, Binary, Null) take their values as plain text"). A request value that does not parse
 * matches no p (spec: "anything else does not match (a negated operator then holds)").
 */
function compare<R, P>(
  values: readonly Template[],
  parsePolicy: (text: string) => P | undefined,
  parseRequest: (value: ContextScalar) => R | undefined,
  holds: (v: R, p: P) => boolean,
): Match {
  // INVARIANT: IR policy values were validated by checkConditionValue, so every one parses
  const P = values.map((template) => parsePolicy(template.source)).filter((p): p is P => p !== undefined);
  return (value) => {
    const v = parseRequest(value);
    return v !== undefined && P.some((p) => holds(v, p));
  };
}

// ---------------------------------------------------------------------------------------------
// Request values: how each family reads a context scalar

// spec: "String and Arn operators see numbers as their JavaScript decimal form ... and booleans as `true` / `false`"
function asText(value: ContextScalar): string {
  return typeof value === "string" ? value : String(value);
}

// spec: "Numeric operators accept a number or a string that is a decimal number"
function asNumber(value: ContextScalar): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  return typeof value === "string" ? parseNumber(value) : undefined;
}

// spec: "Date operators accept an ISO 8601 date-time ... or epoch seconds (number or digit string)"
function asDate(value: ContextScalar): number | undefined {
  // a number is read as its decimal text, so 1710496800 and "1710496800" are the same instant
  if (typeof value === "number") return parseDate(String(value));
  return typeof value === "string" ? parseDate(value) : undefined;
}

// spec: "Bool accepts `true` / `false` booleans or the strings `"true"` / `"false"` in any case"
function asBool(value: ContextScalar): boolean | undefined {
  if (typeof value === "boolean") return value;
  return typeof value === "string" ? parseBool(value) : undefined;
}

// spec: "IpAddress accepts an IPv4 or IPv6 address string"
function asIp(value: ContextScalar): IpAddress | undefined {
  return typeof value === "string" ? parseIp(value) : undefined;
}

// spec: "BinaryEquals compares the base64 text after decoding"
function asBinary(value: ContextScalar): Uint8Array | undefined {
  return typeof value === "string" ? decodeBase64(value) : undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

// ---------------------------------------------------------------------------------------------
// Policy variables (String and Arn operators only)

/**
 * The template with each variable replaced by its value as literal text, or undefined when a
 * variable cannot be resolved.
 * spec: "`${key, 'fallback'}` uses the fallback when the key is absent"; "A key that is absent
 * (with no fallback), or has several values, makes **that value** match nothing"; "Substituted
 * text is literal".
 */
function substitute(parts: readonly TemplatePart[], lookup: ContextLookup): TemplatePart[] | undefined {
  const out: TemplatePart[] = [];
  for (const part of parts) {
    if (part.kind !== "variable") {
      out.push(part);
      continue;
    }
    const value = lookup(part.key.toLowerCase());
    if (value === undefined || value === null) {
      if (part.fallback === undefined) return undefined;
      out.push({ kind: "literal", text: part.fallback });
    } else if (Array.isArray(value)) return undefined;
    else out.push({ kind: "literal", text: asText(value as ContextScalar) });
  }
  return out;
}

/** P for StringEquals(IgnoreCase): each value as plain text, unresolvable ones dropped. */
function resolvedTexts(values: readonly Template[], lookup: ContextLookup): string[] {
  const texts: string[] = [];
  for (const template of values) {
    const parts = substitute(template.parts, lookup);
    if (parts !== undefined) texts.push(parts.map((part) => (part.kind === "variable" ? "" : part.text)).join(""));
  }
  return texts;
}

type Glob = NonNullable<ReturnType<typeof tokenize>>;

/** P for StringLike and Arn*: each value as glob tokens, unresolvable ones dropped. */
function resolvedGlobs(values: readonly Template[], lookup: ContextLookup): Glob[] {
  const globs: Glob[] = [];
  for (const template of values) {
    const parts = substitute(template.parts, lookup);
    const tokens = parts === undefined ? undefined : tokenize(parts);
    if (tokens !== undefined) globs.push(tokens);
  }
  return globs;
}

// ---------------------------------------------------------------------------------------------
// ARNs

/** The six fields of an ARN, the sixth taking the rest; undefined with fewer than six. */
function splitArn<T>(items: readonly T[], isColon: (item: T) => boolean): T[][] | undefined {
  const fields: T[][] = [[]];
  for (const item of items) {
    if (fields.length < 6 && isColon(item)) fields.push([]);
    else fields[fields.length - 1]!.push(item);
  }
  return fields.length === 6 ? fields : undefined;
}

/**
 * spec: "both split on `:` into six fields, the sixth taking the rest of the string (it may
 * contain `:`); v with fewer than six fields does not match; each field of p is a glob over the
 * same field of v, case-sensitive". The first five fields hold no `:`, so a `*` can only span one
 * in the sixth, as AWS's `log-group:*` patterns rely on.
 */
function matchArn(pattern: Glob, text: string): boolean {
  const p = splitArn(pattern, (token) => token.kind === "char" && token.char === ":");
  const v = splitArn(text.split(""), (char) => char === ":");
  if (p === undefined || v === undefined) return false;
  return p.every((field, i) => matchTokens(field, v[i]!.join("")));
}
