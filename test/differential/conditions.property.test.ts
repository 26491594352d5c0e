// Differential property test: the reference evaluator (compiler/reference/conditions.ts) and the
// runtime's compiled predicates (runtime/conditions.ts) must agree on every condition a bundle can
// hold, for every request context. docs/conditions.md is the rule both follow; when this test finds
// a disagreement, the doc decides which side is wrong.
//
// Conditions are generated the way the JSON front end lowers them: policy values are texts that
// `checkConditionValue` accepts, read with `parseTemplate` (String and Arn operators under version
// 2012-10-17) or `plainTemplate`, then lowered to the wire shape the bundle carries.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkConditionValue } from "../../compiler/condition-values.js";
import {
  CONDITION_OPERATORS, type Condition, type ConditionOperator, type ContextScalar, type ContextValue, type SetQualifier,
  type Template,
} from "../../compiler/ir.js";
import { evaluateCondition } from "../../compiler/reference/conditions.js";
import { parseTemplate, plainTemplate } from "../../compiler/template.js";
import { compileCondition, type ConditionEnv } from "../../runtime/conditions.js";
import type { WireCondition, WirePart } from "../../runtime/wire.js";

const SEED = 42;
/** Conditions per run; each is checked against 1-4 contexts. */
const RUNS = 40_000;

// ---------------------------------------------------------------------------------------------
// Operator families

type Family = "string" | "like" | "numeric" | "date" | "bool" | "binary" | "ip" | "arn" | "null";

function familyOf(op: ConditionOperator): Family {
  if (op === "StringLike" || op === "StringNotLike") return "like";
  if (op.startsWith("String")) return "string";
  if (op.startsWith("Numeric")) return "numeric";
  if (op.startsWith("Date")) return "date";
  if (op === "Bool") return "bool";
  if (op === "BinaryEquals") return "binary";
  if (op === "IpAddress" || op === "NotIpAddress") return "ip";
  if (op.startsWith("Arn")) return "arn";
  return "null";
}

/** Operators whose values may hold policy variables (as the front end's TEMPLATED). */
const templated = (family: Family) => family === "string" || family === "like" || family === "arn";

// ---------------------------------------------------------------------------------------------
// Small generator helpers

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const joined = (units: readonly string[], minLength: number, maxLength: number, sep = "") =>
  fc.array(fc.constantFrom(...units), { minLength, maxLength }).map((parts) => parts.join(sep));
const pad = (n: number, width: number) => String(n).padStart(width, "0");

// ---------------------------------------------------------------------------------------------
// Strings and ARNs

/**
 * Request text: a tiny alphabet, so that globs and equalities hit often; `*`, `?` as data too, and
 * letters whose case mapping is not one-to-one (`ß`, `İ`, final `ς`, Kelvin sign).
 */
const requestString = joined(["a", "b", "A", "*", "?", ":", "a", "b", "é", "\u{1f600}", "ß", "SS", "İ", "Σ", "ς", "\u212a", "k"], 0, 4);

/** Policy text for String operators: wildcards, variables (with fallbacks, odd spacing), escapes. */
const policyString = joined(
  [
    "a", "b", "A", "*", "?", ":", "a", "b", "0", "-", "\u{1f600}", "ß", "ss", "Σ", "σ", "K",
    "${v1}", "${V2}", "${ v1 }", "${v1, 'a*'}", "${v1, 'a'}", "${V2,'b'}", "${missing}", "${missing, 'b'}", "${missing,''}",
    "${aws:key}",
    "${*}", "${?}", "${$}", "$", "${",
  ],
  0,
  4,
);

const arnField = (units: readonly string[]) => joined(units, 0, 2);
/** Request ARNs with 3 to 8 colon-separated fields. */
const requestArn = fc.oneof(
  fc.array(arnField(["a", "b", "/", "*"]), { minLength: 3, maxLength: 8 }).map((fields) => fields.join(":")),
  pick(
    "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s",
    "arn:aws:logs:us-east-1:123456789012:log-group:g",
    "arn:aws:iam::123456789012:user/Bob",
    "arn:aws:s3:::bucket/a:b",
    ":::::",
  ),
);
/** Policy ARNs with 4 to 8 fields (fewer than six match nothing), globs and variables in any field. */
const policyArn = fc.oneof(
  { weight: 6, arbitrary: fc.array(arnField(["a", "b", "/", "*", "?", "${v1}", "${*}", "${?}", "${V2, 'a:b'}"]), { minLength: 4, maxLength: 8 }).map((f) => f.join(":")) },
  {
    weight: 1,
    arbitrary: pick(
      "arn:aws:logs:*:*:log-group:*",
      "arn:aws:logs:*:*:log-group:*:log-stream:*",
      "arn:aws:logs:us-east-1:123456789012:*",
      "arn:aws:iam::*:user/*",
      "arn:aws:iam::${v1}:user/*",
      "arn:aws:s3:::bucket/?:b",
      "*:*:*:*:*:*",
      "*",
    ),
  },
);

// ---------------------------------------------------------------------------------------------
// Numbers

const decimalText = fc
  .tuple(fc.boolean(), pick("0", "1", "2", "10", "007", "99"), fc.option(joined(["0", "5", "1"], 1, 3)))
  .map(([negative, int, fraction]) => `${negative ? "-" : ""}${int}${fraction === null ? "" : `.${fraction}`}`);
const numberEdge = pick(
  "-0", "0.0", "1e3", ".5", "+1", "1.", "", " 1", "1 ", "0x10", "Infinity", "NaN", "-", "--1", "1,000",
  "99999999999999999999999999999", `1${"0".repeat(400)}`,
);
const policyNumber = fc.oneof({ weight: 5, arbitrary: decimalText }, { weight: 1, arbitrary: numberEdge });
const requestNumber = fc.oneof(
  { weight: 3, arbitrary: decimalText },
  { weight: 1, arbitrary: numberEdge },
  { weight: 3, arbitrary: fc.integer({ min: -12, max: 100 }) },
  { weight: 1, arbitrary: pick(0.5, -0, 2.5, 1.1, -10.5, 1e3, 1e21, 1e-7, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER) },
);

// ---------------------------------------------------------------------------------------------
// Dates: a few instants, each written in every ISO form the reference reads, or as epoch seconds

const BASE_INSTANTS = [
  Date.UTC(2024, 2, 15, 10), // 2024-03-15T10:00:00Z
  Date.UTC(2024, 1, 29), // a leap day
  0, // the epoch
  Date.UTC(1969, 11, 31, 23, 59), // before the epoch
  Date.UTC(9999, 11, 31, 23, 59, 59, 999), // the last 4-digit year
  -62167219200000, // 0000-01-01
];
const DELTAS = [0, 0, 1, -1, 123, 999, 1000, -1000, 60_000, -60_000, 86_400_000];
const OFFSETS = [0, 60, -90, 330, 23 * 60 + 59, -(23 * 60 + 59)];

interface DateForm {
  readonly at: number;
  readonly form: "date" | "hm" | "hms" | "frac" | "epoch";
  readonly zone: "" | "Z" | "offset";
  readonly offset: number;
  readonly fractionDigits: number;
  readonly lower: "" | "t" | "z";
  readonly epochPad: boolean;
}

function formatDate({ at, form, zone, offset, fractionDigits, lower, epochPad }: DateForm): string {
  if (form === "epoch") {
    const seconds = Math.floor(at / 1000);
    return `${epochPad ? "00" : ""}${seconds}`;
  }
  const local = new Date(at + (zone === "offset" ? offset : 0) * 60_000);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}`;
  if (form === "date") return date;
  let time = `${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}`;
  if (form !== "hm") time += `:${pad(local.getUTCSeconds(), 2)}`;
  if (form === "frac") time += `.${`${pad(local.getUTCMilliseconds(), 3)}987`.slice(0, fractionDigits)}`;
  const sign = offset < 0 ? "-" : "+";
  const zoneText = zone === "" ? "" : zone === "Z" ? "Z" : `${sign}${pad(Math.floor(Math.abs(offset) / 60), 2)}:${pad(Math.abs(offset) % 60, 2)}`;
  const t = lower === "t" ? "t" : "T";
  return `${date}${t}${time}${lower === "z" ? zoneText.toLowerCase() : zoneText}`;
}

const instant = fc.tuple(fc.constantFrom(...BASE_INSTANTS), fc.constantFrom(...DELTAS)).map(([base, delta]) => base + delta);
const dateText = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .record({
        at: instant,
        form: pick<DateForm["form"]>("date", "hm", "hms", "frac", "epoch"),
        zone: pick<DateForm["zone"]>("", "Z", "offset"),
        offset: fc.constantFrom(...OFFSETS),
        fractionDigits: fc.integer({ min: 1, max: 6 }),
        lower: fc.oneof({ weight: 8, arbitrary: fc.constant("" as const) }, { weight: 1, arbitrary: pick("t" as const, "z" as const) }),
        epochPad: fc.boolean(),
      })
      .map(formatDate),
  },
  {
    weight: 1,
    arbitrary: pick(
      "2023-02-29", "1900-02-29", "2000-02-29", "2024-04-31", "2024-03-15T24:00", "2024-03-15T10:60Z", "2024-03-15T10:00:60Z",
      "2024-03-15Z", "2024-03-15T10Z", "2024-03-15T10:00:00.Z", "2024-03-15T10:00+0200", "2024-03-15T10:00+24:00",
      "2024-03-15 10:00:00", "2024-3-15", "2024-03-15T10:00.5Z", "2024-03-15T10:00:00-00:00", "2024-03-15T10:00:00.123456789Z",
      "+002024-03-15", "20240315", "2024-03-15T", "0017104968", "99999999999999999999", "9007199254740", "9007199254741", "1e3", "-1", "1.5", "",
    ),
  },
);
const requestDate = fc.oneof(
  { weight: 6, arbitrary: dateText },
  { weight: 2, arbitrary: instant.map((ms) => Math.floor(ms / 1000)) },
  { weight: 1, arbitrary: pick(-1, 1.5, -0, 1e21, 9007199254740, 9007199254741, 1710496800.5, NaN, Infinity) },
);

// ---------------------------------------------------------------------------------------------
// Booleans

const boolText = pick("true", "false", "TRUE", "False", "tRuE", "fAlSe", "yes", "1", "", " true", "t");
const requestBool = fc.oneof(boolText, fc.boolean(), pick(0, 1));

// ---------------------------------------------------------------------------------------------
// IP addresses and CIDRs

const octet = fc.oneof({ weight: 8, arbitrary: pick("0", "1", "10", "127", "128", "255") }, { weight: 1, arbitrary: pick("256", "010", "00", "1a") });
const ipv4 = fc.oneof(
  { weight: 12, arbitrary: fc.array(octet, { minLength: 4, maxLength: 4 }).map((o) => o.join(".")) },
  { weight: 1, arbitrary: fc.array(octet, { minLength: 3, maxLength: 5 }).map((o) => o.join(".")) },
);
const validIpv4 = fc.array(pick("0", "1", "10", "255"), { minLength: 4, maxLength: 4 }).map((o) => o.join("."));
const ipv6 = fc
  .record({
    groups: fc.array(pick(0, 0, 1, 0xdb8, 0x2001, 0xffff, 0xa), { minLength: 8, maxLength: 8 }),
    compress: fc.option(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 8 }))),
    upper: fc.boolean(),
    padded: fc.boolean(),
    tail: fc.option(validIpv4, { freq: 4 }),
  })
  .map(({ groups, compress, upper, padded, tail }) => {
    const hex = groups.map((g) => {
      const text = padded ? g.toString(16).padStart(4, "0") : g.toString(16);
      return upper ? text.toUpperCase() : text;
    });
    // an embedded IPv4 address stands for the last two groups
    const items = tail === null ? hex : [...hex.slice(0, 6), tail];
    if (compress === null) return items.join(":");
    const [start, length] = compress;
    const from = Math.min(start, items.length - 1);
    const to = Math.min(items.length, from + length);
    return `${items.slice(0, from).join(":")}::${items.slice(to).join(":")}`;
  });
const ipEdge = pick(
  "1::2::3", "fe80::1%eth0", "::1.2.3", "[::1]", "1.2.3", " 10.0.0.1", "", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
  "12345::", "00001::", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "::1:2:3:4:5:6:1.2.3.4", "1::1.2.3.4:5",
  "1.2.3.4::", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1:", ":1::", "1:::2",
);
const address = fc.oneof({ weight: 5, arbitrary: ipv4 }, { weight: 5, arbitrary: ipv6 }, { weight: 1, arbitrary: ipEdge });
const prefix = fc.option(pick("0", "1", "8", "16", "24", "31", "32", "33", "64", "96", "127", "128", "129", "08", "008", "0128", "", "-1", " 8"), { freq: 3 });
const policyCidr = fc.tuple(address, prefix).map(([a, p]) => (p === null ? a : `${a}/${p}`));
const requestIp = fc.oneof(
  { weight: 10, arbitrary: address },
  { weight: 1, arbitrary: policyCidr },
  { weight: 1, arbitrary: pick<ContextScalar>(10, true) },
);

// ---------------------------------------------------------------------------------------------
// Base64

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const base64Text = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({ bytes: fc.array(pick(0, 1, 65, 66, 255), { maxLength: 4 }), unpadded: fc.boolean(), leftover: fc.boolean() })
      .map(({ bytes, unpadded, leftover }) => {
        let text = Buffer.from(bytes).toString("base64");
        if (leftover && text.endsWith("=")) {
          // set bits past the data in the last character: the same bytes, other text
          const body = text.replace(/=+$/, "");
          const last = ALPHABET.indexOf(body[body.length - 1]!);
          text = `${body.slice(0, -1)}${ALPHABET[last + 1] ?? "/"}${text.slice(body.length)}`;
        }
        return unpadded ? text.replace(/=+$/, "") : text;
      }),
  },
  { weight: 1, arbitrary: pick("Q", "QQ=", "Q===", "====", "QQ==QQ==", "=QQ=", "QU_D", "QU-D", "QU JD", "QUJD\n", "QUJD===", "é") },
);
const requestBase64 = fc.oneof({ weight: 8, arbitrary: base64Text }, { weight: 1, arbitrary: pick<ContextScalar>(1, true) });

// ---------------------------------------------------------------------------------------------
// Per family: policy texts (valid and not) and request scalars

function policyText(family: Family): fc.Arbitrary<string> {
  switch (family) {
    case "string": case "like": return policyString;
    case "arn": return policyArn;
    case "numeric": return policyNumber;
    case "date": return dateText;
    case "bool": case "null": return boolText;
    case "ip": return policyCidr;
    case "binary": return base64Text;
  }
}

const anyScalar: fc.Arbitrary<ContextScalar> = fc.oneof(
  requestString, requestArn, requestNumber, requestDate, requestBool, requestIp, requestBase64,
  fc.integer({ min: -2, max: 2 }), fc.boolean(),
);

/**
 * A request value made from one of the condition's own policy texts, so that near misses and hits
 * are common: as written, in another case, with fallbacks and escapes resolved, wildcards filled
 * in, or a CIDR's prefix dropped.
 */
function fromPolicy(texts: readonly string[]): fc.Arbitrary<string> {
  const resolved = (text: string) =>
    text.replace(/\$\{[^}]*?,\s*'([^']*)'\s*\}/g, "$1").replace(/\$\{\s*([*?$])\s*\}/g, "$1").replace(/\$\{[^}]*\}/g, "");
  return fc.tuple(fc.constantFrom(...texts), fc.integer({ min: 0, max: 5 })).map(([text, how]) => {
    switch (how) {
      case 0: return text;
      case 1: return text.toUpperCase();
      case 2: return text.toLowerCase();
      case 3: return resolved(text);
      case 4: return resolved(text).replace(/\*/g, "a").replace(/\?/g, "b");
      default: return text.replace(/\/[0-9]*$/, "");
    }
  });
}

function requestScalar(family: Family, texts: readonly string[]): fc.Arbitrary<ContextScalar> {
  const own: fc.Arbitrary<ContextScalar> = (() => {
    switch (family) {
      case "string": case "like": return fc.oneof(requestString, pick<ContextScalar>(1.1, 42, 0, -0, 1e21, true, false, "a:b", "0", "-0"));
      case "arn": return requestArn;
      case "numeric": return requestNumber;
      case "date": return requestDate;
      case "bool": return requestBool;
      case "ip": return requestIp;
      case "binary": return requestBase64;
      case "null": return anyScalar;
    }
  })();
  return fc.oneof({ weight: 4, arbitrary: own }, { weight: 2, arbitrary: fromPolicy(texts) }, { weight: 1, arbitrary: anyScalar });
}

// ---------------------------------------------------------------------------------------------
// Request contexts

const ABSENT = Symbol("absent");
type Slot = ContextValue | null | typeof ABSENT;

/** A key's slot in the context: absent, null, a scalar, an empty array, or 1-4 values. */
const slot = (scalar: fc.Arbitrary<ContextScalar>): fc.Arbitrary<Slot> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant(ABSENT) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 6, arbitrary: scalar },
    { weight: 1, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: scalar.map((v) => [v]) },
    { weight: 3, arbitrary: fc.array(scalar, { minLength: 2, maxLength: 4 }) },
  );

/** The key as written in the context: any letter case. */
const spelling = (key: string) =>
  pick(key, key.toUpperCase(), key.toLowerCase(), [...key].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c.toLowerCase())).join(""));

type Context = readonly (readonly [key: string, value: ContextValue | null])[];

/** The condition's key `aws:Key` and the variables `v1`, `v2` a policy value may read. */
function contextFor(family: Family, texts: readonly string[]): fc.Arbitrary<Context> {
  const variableValue = fc.oneof(
    { weight: 4, arbitrary: family === "arn" ? fc.oneof(arnField(["a", "b", "*"]), pick("a:b", "a:*")) : requestString },
    { weight: 1, arbitrary: pick<ContextScalar>(1.1, 42, 0, -0, true, false) },
  );
  const entry = (key: string, value: fc.Arbitrary<Slot>) => fc.tuple(spelling(key), value);
  return fc
    .tuple(entry("aws:key", slot(requestScalar(family, texts))), entry("v1", slot(variableValue)), entry("v2", slot(variableValue)))
    .map((entries) => entries.filter((e): e is [string, ContextValue | null] => e[1] !== ABSENT));
}

function lookupOf(context: Context): (lowerKey: string) => ContextValue | undefined {
  const map = new Map(context.map(([key, value]) => [key.toLowerCase(), value]));
  // a null value is stored as null: both sides must read it as absent
  return (lowerKey) => map.get(lowerKey) as ContextValue | undefined;
}

// ---------------------------------------------------------------------------------------------
// Conditions as the front end lowers them, and their wire form

const QUALIFIERS: readonly SetQualifier[] = ["none", "ForAnyValue", "ForAllValues"];

/** The IR template of an accepted policy text, or undefined when the front end would refuse it. */
function lowerValue(op: ConditionOperator, text: string, variables: boolean): Template | undefined {
  if (checkConditionValue(op, text) !== undefined) return undefined;
  if (!(variables && templated(familyOf(op)))) return plainTemplate(text);
  const parsed = parseTemplate(text);
  return parsed.ok ? parsed.template : undefined;
}

function toWire(condition: Condition): WireCondition {
  const part = (p: Template["parts"][number]): WirePart =>
    p.kind === "text" ? ["t", p.text] : p.kind === "literal" ? ["l", p.text] : p.fallback === undefined ? ["v", p.key] : ["v", p.key, p.fallback];
  return {
    op: condition.operator,
    q: condition.qualifier === "ForAnyValue" ? "any" : condition.qualifier === "ForAllValues" ? "all" : "",
    ie: condition.ifExists,
    key: condition.key,
    vals: condition.values.map((t) => t.parts.map(part)),
  };
}

interface Case {
  readonly condition: Condition;
  readonly contexts: readonly Context[];
}

const caseArb: fc.Arbitrary<Case> = fc.constantFrom(...CONDITION_OPERATORS).chain((operator) => {
  const family = familyOf(operator);
  return fc
    .array(policyText(family), { minLength: 1, maxLength: 3 })
    .chain((texts) =>
      fc.record({
        qualifier: fc.constantFrom(...QUALIFIERS),
        ifExists: fc.boolean(),
        key: spelling("aws:Key"),
        variables: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        texts: fc.constant(texts),
        contexts: fc.array(contextFor(family, texts), { minLength: 1, maxLength: 4 }),
      }),
    )
    .map(({ qualifier, ifExists, key, variables, texts, contexts }) => {
      const values = texts.map((text) => lowerValue(operator, text, variables)).filter((t): t is Template => t !== undefined);
      return { condition: { operator, qualifier, ifExists, key, values }, contexts };
    })
    // a condition keeps 1-3 values: one with none left is a compile error, never in a bundle
    .filter(({ condition }) => condition.values.length > 0);
});

const show = (value: unknown) =>
  JSON.stringify(value, (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : Object.is(v, -0) ? "-0" : v));

// ---------------------------------------------------------------------------------------------

describe("reference and runtime agree on conditions", () => {
  it(`every accepted condition compiles, and both sides give the same answer (seed ${SEED})`, () => {
    let conditions = 0;
    let evaluations = 0;
    const outcomes = { true: 0, false: 0 };
    const perOperator = new Map<string, number>();
    fc.assert(
      fc.property(caseArb, ({ condition, contexts }) => {
        const predicate = compileCondition(toWire(condition));
        if (predicate === undefined) throw new Error(`the runtime refused an accepted condition: ${show(condition)}`);
        conditions++;
        perOperator.set(condition.operator, (perOperator.get(condition.operator) ?? 0) + 1);
        for (const context of contexts) {
          const lookup = lookupOf(context);
          const env: ConditionEnv = { get: lookup };
          const want = evaluateCondition(condition, lookup);
          const got = predicate(env);
          evaluations++;
          outcomes[String(want) as "true" | "false"]++;
          if (got !== want) {
            throw new Error(`reference ${want}, runtime ${got}\ncondition ${show(toWire(condition))}\ncontext ${show(context)}`);
          }
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // every operator is exercised, and both answers are common
    expect(perOperator.size).toBe(CONDITION_OPERATORS.length);
    expect(Math.min(...perOperator.values())).toBeGreaterThan(RUNS / CONDITION_OPERATORS.length / 3);
    expect(evaluations).toBeGreaterThanOrEqual(20_000);
    expect(Math.min(outcomes.true, outcomes.false)).toBeGreaterThan(evaluations / 5);
    console.info(`conditions: ${conditions} conditions, ${evaluations} evaluations (true ${outcomes.true}, false ${outcomes.false})`);
  }, 120_000);

  it(`the runtime loads exactly the policy values checkConditionValue accepts (seed ${SEED})`, () => {
    let accepted = 0;
    let refused = 0;
    const arb = fc.constantFrom(...CONDITION_OPERATORS).chain((operator) =>
      fc.tuple(fc.constant(operator), policyText(familyOf(operator)), fc.boolean()),
    );
    fc.assert(
      fc.property(arb, ([operator, text, variables]) => {
        const template = lowerValue(operator, text, variables);
        const wire = (t: Template): WireCondition => toWire({ operator, qualifier: "none", ifExists: false, key: "k", values: [t] });
        if (template !== undefined) {
          accepted++;
          expect(compileCondition(wire(template)), `${operator} ${show(text)}`).toBeTypeOf("function");
        } else if (checkConditionValue(operator, text) !== undefined) {
          // a value the compiler refuses is refused by the runtime too: the two read values alike
          refused++;
          expect(compileCondition(wire(plainTemplate(text))), `${operator} ${show(text)}`).toBeUndefined();
        }
      }),
      { seed: SEED, numRuns: 20_000 },
    );
    expect(accepted).toBeGreaterThan(10_000);
    expect(refused).toBeGreaterThan(1_000);
  }, 60_000);
});
