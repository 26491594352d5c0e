import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileCondition,
  compileConditions,
  type ConditionEnv,
  type ContextValue,
  type Predicate,
} from "../../runtime/conditions.js";

/** A naive glob matcher (memoized recursion): `*` any run, `?` one character. */
function naiveGlob(p: string, s: string): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === p.length) r = j === s.length;
    else if (p[i] === "*") r = go(i + 1, j) || (j < s.length && go(i, j + 1));
    else r = j < s.length && (p[i] === "?" || p[i] === s[j]) && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}
import type { WireCondition, WireTemplate } from "../../runtime/wire.js";

// ---------------------------------------------------------------------------------------------
// helpers

/** A request context; keys compare case-insensitively, as the runtime's env does. */
function env(ctx: Record<string, unknown>): ConditionEnv {
  const m = new Map<string, unknown>();
  for (const [k, v] of Object.entries(ctx)) m.set(k.toLowerCase(), v);
  return { get: (k) => m.get(k) as ContextValue | undefined };
}

type Val = string | WireTemplate;
const tpl = (v: Val): WireTemplate => (typeof v === "string" ? [["t", v]] : v);

interface Opts {
  q?: "" | "any" | "all";
  ie?: boolean;
  key?: string;
}

function wire(op: string, vals: readonly Val[], o: Opts = {}): WireCondition {
  return { op, q: o.q ?? "", ie: o.ie ?? false, key: o.key ?? "k", vals: vals.map(tpl) };
}

function compile(op: string, vals: readonly Val[], o: Opts = {}): Predicate {
  const p = compileCondition(wire(op, vals, o));
  if (p === undefined) throw new Error(`did not compile: ${op} ${JSON.stringify(vals)}`);
  return p;
}

/** Evaluates op/vals against the request value of key `k` (undefined = absent). */
function check(op: string, vals: readonly Val[], value: unknown, o: Opts = {}, extra: Record<string, unknown> = {}) {
  const ctx: Record<string, unknown> = { ...extra };
  if (value !== undefined) ctx[o.key ?? "k"] = value;
  return compile(op, vals, o)(env(ctx));
}

const ABSENT = undefined;

// ---------------------------------------------------------------------------------------------

describe("String operators", () => {
  it("StringEquals is exact and case-sensitive; values are alternatives", () => {
    expect(check("StringEquals", ["abc"], "abc")).toBe(true);
    expect(check("StringEquals", ["abc"], "ABC")).toBe(false);
    expect(check("StringEquals", ["x", "abc"], "abc")).toBe(true);
    expect(check("StringEquals", ["a*"], "abc")).toBe(false);
    expect(check("StringEquals", ["a*"], "a*")).toBe(true);
    expect(check("StringEquals", [""], "")).toBe(true);
    expect(check("StringEquals", ["a", "b", "c", "d", "e", "f"], "f")).toBe(true);
    expect(check("StringEquals", ["a", "b", "c", "d", "e", "f"], "g")).toBe(false);
  });

  it("StringNotEquals is the complement, and holds when the key is absent or empty", () => {
    expect(check("StringNotEquals", ["abc"], "abc")).toBe(false);
    expect(check("StringNotEquals", ["abc"], "abd")).toBe(true);
    expect(check("StringNotEquals", ["abc"], ABSENT)).toBe(true);
    expect(check("StringNotEquals", ["abc"], [])).toBe(true);
    expect(check("StringNotEquals", ["abc"], ["x", "abc"])).toBe(false);
    expect(check("StringNotEquals", ["abc"], ["x", "y"])).toBe(true);
    expect(check("StringEquals", ["abc"], ABSENT)).toBe(false);
    expect(check("StringEquals", ["abc"], null)).toBe(false);
    expect(check("StringNotEquals", ["abc"], null)).toBe(true);
  });

  it("sees numbers in JavaScript decimal form and booleans as true/false", () => {
    expect(check("StringEquals", ["1.1"], 1.1)).toBe(true);
    expect(check("StringEquals", ["42"], 42)).toBe(true);
    expect(check("StringEquals", ["42.0"], 42)).toBe(false);
    expect(check("StringEquals", ["true"], true)).toBe(true);
    expect(check("StringEquals", ["false"], false)).toBe(true);
    expect(check("StringEquals", ["1", "true"], [1, true])).toBe(true);
    expect(check("StringLike", ["4*"], 42)).toBe(true);
  });

  it("treats junk request values as non-matching, never throwing", () => {
    for (const junk of [{}, { toString: () => "abc" }, [[]], Symbol("s"), 10n, () => "abc"]) {
      expect(check("StringEquals", ["abc"], junk)).toBe(false);
      expect(check("StringNotEquals", ["abc"], junk)).toBe(true);
      expect(check("StringLike", ["*"], junk)).toBe(false);
    }
    expect(check("StringEquals", ["abc"], [null, "abc"])).toBe(true);
  });

  it("StringEqualsIgnoreCase lower-cases both sides", () => {
    expect(check("StringEqualsIgnoreCase", ["AbC"], "aBc")).toBe(true);
    expect(check("StringEqualsIgnoreCase", ["AbC", "x", "y"], "ABC")).toBe(true);
    expect(check("StringEqualsIgnoreCase", ["AbC"], "ab")).toBe(false);
    expect(check("StringNotEqualsIgnoreCase", ["AbC"], "ABC")).toBe(false);
    expect(check("StringNotEqualsIgnoreCase", ["AbC"], "ABD")).toBe(true);
    expect(check("StringNotEqualsIgnoreCase", ["AbC"], ABSENT)).toBe(true);
    expect(check("StringEqualsIgnoreCase", ["TRUE"], true)).toBe(true);
    expect(check("StringEqualsIgnoreCase", ["ΟΔΟΣ"], "οδος".toUpperCase())).toBe(true);
  });

  it("condition keys are case-insensitive", () => {
    const p = compile("StringEquals", ["v"], { key: "aws:PrincipalTag/Team" });
    expect(p(env({ "AWS:principaltag/TEAM": "v" }))).toBe(true);
  });
});

describe("StringLike globs", () => {
  const like = (pat: string, s: string) => check("StringLike", [pat], s);

  it("matches the whole value with * and ?", () => {
    expect(like("*", "")).toBe(true);
    expect(like("*", "anything")).toBe(true);
    expect(like("", "")).toBe(true);
    expect(like("", "a")).toBe(false);
    expect(like("a*", "abc")).toBe(true);
    expect(like("a*", "bac")).toBe(false);
    expect(like("*c", "abc")).toBe(true);
    expect(like("*c", "abcd")).toBe(false);
    expect(like("*b*", "abc")).toBe(true);
    expect(like("*x*", "abc")).toBe(false);
    expect(like("a*c", "ac")).toBe(true);
    expect(like("a*a", "a")).toBe(false);
    expect(like("a*b*c", "aXbYc")).toBe(true);
    expect(like("a*b*c", "aXcYb")).toBe(false);
    expect(like("a*b*b*c", "abbc")).toBe(true);
    expect(like("a*b*b*c", "abc")).toBe(false);
    expect(like("a?c", "abc")).toBe(true);
    expect(like("a?c", "ac")).toBe(false);
    expect(like("a?c", "abbc")).toBe(false);
    expect(like("??", "ab")).toBe(true);
    expect(like("*?", "")).toBe(false);
    expect(like("*?*b", "xab")).toBe(true);
    expect(like("ABC", "abc")).toBe(false);
    expect(like("a**", "a")).toBe(true);
  });

  it("StringNotLike is the complement and holds when absent", () => {
    expect(check("StringNotLike", ["a*"], "abc")).toBe(false);
    expect(check("StringNotLike", ["a*"], "bcd")).toBe(true);
    expect(check("StringNotLike", ["a*", "b*"], "bcd")).toBe(false);
    expect(check("StringNotLike", ["a*"], ABSENT)).toBe(true);
  });

  it("`l` parts (escapes like ${*}, ${?}) are literal", () => {
    const lit: WireTemplate = [["t", "a"], ["l", "*"], ["t", "*"]];
    expect(check("StringLike", [lit], "a*xyz")).toBe(true);
    expect(check("StringLike", [lit], "abxyz")).toBe(false);
    const q: WireTemplate = [["l", "?"]];
    expect(check("StringLike", [q], "?")).toBe(true);
    expect(check("StringLike", [q], "x")).toBe(false);
    const dollar: WireTemplate = [["t", "cost-"], ["l", "$"], ["t", "*"]];
    expect(check("StringLike", [dollar], "cost-$5")).toBe(true);
  });

  it("agrees with a naive matcher on random patterns", () => {
    const pat = fc.string({ unit: fc.constantFrom("a", "b", "*", "?"), maxLength: 8 });
    const str = fc.string({ unit: fc.constantFrom("a", "b"), maxLength: 10 });
    fc.assert(
      fc.property(pat, str, (p, s) => {
        expect(check("StringLike", [p], s)).toBe(naiveGlob(p, s));
      }),
      { numRuns: 3000 },
    );
  });

  it("the variable-built path agrees with the compiled one", () => {
    const pat = fc.string({ unit: fc.constantFrom("a", "b", "*", "?"), maxLength: 8 });
    const str = fc.string({ unit: fc.constantFrom("a", "b"), maxLength: 10 });
    fc.assert(
      fc.property(pat, str, (p, s) => {
        const dyn: WireTemplate = [["t", p], ["v", "empty"]];
        expect(check("StringLike", [dyn], s, {}, { empty: "" })).toBe(check("StringLike", [p], s));
      }),
      { numRuns: 2000 },
    );
  });

  it("stays fast on adversarial patterns", () => {
    const s = "a".repeat(20_000);
    const started = performance.now();
    expect(check("StringLike", ["*a*a*a*a*a*b"], s)).toBe(false);
    expect(check("StringLike", ["*a?a*a?a*a?a*b"], s)).toBe(false);
    expect(check("StringLike", ["*a*a*a*a*a*a"], s)).toBe(true);
    expect(check("StringLike", [[["t", "*a*a*"], ["v", "x"], ["t", "*b"]]], s, {}, { x: "a" })).toBe(false);
    expect(check("ArnLike", ["arn:a:b:c:d:*a*a*a*a*b"], "arn:a:b:c:d:" + "a:".repeat(5000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("set qualifiers and missing keys", () => {
  // one row per form: [absent, empty, values...] per docs/conditions.md
  const P = ["a"];
  const cases: [string, Opts, boolean, boolean, Record<string, boolean>][] = [
    ["StringEquals", {}, false, false, { a: true, b: false, ab: true, bb: false }],
    ["StringNotEquals", {}, true, true, { a: false, b: true, ab: false, bb: true }],
    ["StringEquals", { q: "any" }, false, false, { a: true, b: false, ab: true, bb: false }],
    ["StringNotEquals", { q: "any" }, false, false, { a: false, b: true, ab: true, bb: true }],
    ["StringEquals", { q: "all" }, true, true, { a: true, b: false, ab: false, aa: true }],
    ["StringNotEquals", { q: "all" }, true, true, { a: false, b: true, ab: false, bb: true }],
  ];
  const values: Record<string, unknown> = { a: "a", b: "b", ab: ["a", "b"], bb: ["b", "b"], aa: ["a", "a"] };

  for (const [op, o, absent, empty, rest] of cases) {
    const name = `${o.q ? (o.q === "any" ? "ForAnyValue:" : "ForAllValues:") : ""}${op}`;
    it(name, () => {
      expect(check(op, P, ABSENT, o)).toBe(absent);
      expect(check(op, P, [], o)).toBe(empty);
      for (const [k, want] of Object.entries(rest)) expect(check(op, P, values[k], o), k).toBe(want);
      // IfExists: absent -> true, everything else as above
      expect(check(op, P, ABSENT, { ...o, ie: true })).toBe(true);
      expect(check(op, P, [], { ...o, ie: true })).toBe(empty);
      for (const [k, want] of Object.entries(rest)) expect(check(op, P, values[k], { ...o, ie: true }), k).toBe(want);
    });
  }

  it("a one-element array behaves as the scalar", () => {
    for (const [op, o] of cases) {
      expect(check(op, P, ["a"], o)).toBe(check(op, P, "a", o));
      expect(check(op, P, ["b"], o)).toBe(check(op, P, "b", o));
    }
  });

  it("ForAllValues with typed operators", () => {
    expect(check("NumericLessThan", ["10"], [1, "2", 3], { q: "all" })).toBe(true);
    expect(check("NumericLessThan", ["10"], [1, "x"], { q: "all" })).toBe(false);
    expect(check("IpAddress", ["10.0.0.0/8"], ["10.1.1.1", "11.0.0.1"], { q: "any" })).toBe(true);
    expect(check("NotIpAddress", ["10.0.0.0/8"], ["10.1.1.1", "11.0.0.1"], { q: "any" })).toBe(true);
  });
});

describe("Null", () => {
  it("true matches absent or empty, false matches present", () => {
    expect(check("Null", ["true"], ABSENT)).toBe(true);
    expect(check("Null", ["true"], null)).toBe(true);
    expect(check("Null", ["true"], [])).toBe(true);
    expect(check("Null", ["true"], "")).toBe(false);
    expect(check("Null", ["true"], ["x"])).toBe(false);
    expect(check("Null", ["false"], ABSENT)).toBe(false);
    expect(check("Null", ["false"], [])).toBe(false);
    expect(check("Null", ["false"], "x")).toBe(true);
    expect(check("Null", ["false"], 0)).toBe(true);
    expect(check("Null", ["false"], false)).toBe(true);
    expect(check("Null", ["true", "false"], ABSENT)).toBe(true);
    expect(check("Null", ["true", "false"], "x")).toBe(true);
    expect(check("Null", ["TRUE"], ABSENT)).toBe(true);
  });

  it("ignores IfExists", () => {
    expect(check("Null", ["false"], ABSENT, { ie: true })).toBe(false);
    expect(check("Null", ["true"], "x", { ie: true })).toBe(false);
  });

  it("ignores set qualifiers: it tests the key, not its values (spec)", () => {
    for (const q of ["any", "all"] as const) {
      expect(check("Null", ["true"], ABSENT, { q }), q).toBe(true);
      expect(check("Null", ["true"], [], { q }), q).toBe(true);
      expect(check("Null", ["true"], ["a", "b"], { q }), q).toBe(false);
      expect(check("Null", ["false"], ABSENT, { q }), q).toBe(false);
      expect(check("Null", ["false"], ["a", "b"], { q }), q).toBe(true);
    }
  });

  it("rejects values other than true/false", () => {
    expect(compileCondition(wire("Null", ["yes"]))).toBeUndefined();
    expect(compileCondition(wire("Null", [[["v", "x"]]]))).toBeUndefined();
  });
});

describe("Numeric operators", () => {
  it("compares numbers and decimal strings", () => {
    expect(check("NumericEquals", ["2.5"], 2.5)).toBe(true);
    expect(check("NumericEquals", ["2.50"], "2.5")).toBe(true);
    expect(check("NumericEquals", ["-1"], "-1")).toBe(true);
    expect(check("NumericEquals", ["0"], "-0")).toBe(true);
    expect(check("NumericEquals", ["007"], 7)).toBe(true);
    expect(check("NumericEquals", ["1", "2", "3"], "3")).toBe(true);
    expect(check("NumericLessThan", ["10"], 9)).toBe(true);
    expect(check("NumericLessThan", ["10"], 10)).toBe(false);
    expect(check("NumericLessThanEquals", ["10"], "10")).toBe(true);
    expect(check("NumericGreaterThan", ["10"], "10.001")).toBe(true);
    expect(check("NumericGreaterThan", ["10"], 10)).toBe(false);
    expect(check("NumericGreaterThanEquals", ["10"], 10)).toBe(true);
    expect(check("NumericGreaterThanEquals", ["10"], -10)).toBe(false);
  });

  it("any policy value may satisfy the comparison", () => {
    expect(check("NumericLessThan", ["1", "100"], 50)).toBe(true);
    expect(check("NumericGreaterThan", ["1", "100"], 50)).toBe(true);
    expect(check("NumericLessThan", ["1", "2"], 50)).toBe(false);
    expect(check("NumericGreaterThan", ["100", "200"], 50)).toBe(false);
  });

  it("does not accept exponents, signs other than -, spaces, bare dots or other types", () => {
    for (const bad of ["1e3", "+1", " 1", "1 ", "1.", ".5", "", "-", "0x10", "Infinity", "NaN", "1,000", true, {}]) {
      expect(check("NumericEquals", ["1000", "1", "0.5", "16"], bad), String(bad)).toBe(false);
      expect(check("NumericNotEquals", ["1000", "1", "0.5", "16"], bad), String(bad)).toBe(true);
      expect(check("NumericLessThan", ["99999"], bad), String(bad)).toBe(false);
    }
    expect(check("NumericLessThan", ["10"], Infinity)).toBe(false);
    expect(check("NumericNotEquals", ["10"], NaN)).toBe(true);
  });

  it("NumericNotEquals is the complement and holds when absent", () => {
    expect(check("NumericNotEquals", ["1", "2"], 2)).toBe(false);
    expect(check("NumericNotEquals", ["1", "2"], 3)).toBe(true);
    expect(check("NumericNotEquals", ["1"], ABSENT)).toBe(true);
    expect(check("NumericEquals", ["1"], ABSENT)).toBe(false);
  });

  it("rejects a malformed policy value", () => {
    for (const bad of ["1e3", "abc", "", "1.", " 1"]) expect(compileCondition(wire("NumericEquals", [bad]))).toBeUndefined();
    expect(compileCondition(wire("NumericEquals", [[["v", "x"]]]))).toBeUndefined();
  });
});

describe("Date operators", () => {
  const T = "2024-03-15T10:00:00Z";
  const ms = Date.UTC(2024, 2, 15, 10);

  it("compares instants across ISO forms and epoch seconds", () => {
    expect(check("DateEquals", [T], "2024-03-15T10:00:00Z")).toBe(true);
    expect(check("DateEquals", [T], "2024-03-15T12:00:00+02:00")).toBe(true);
    expect(check("DateEquals", [T], "2024-03-15T05:30:00-04:30")).toBe(true);
    expect(check("DateEquals", [T], "2024-03-15T10:00:00")).toBe(true);
    expect(check("DateEquals", [T], "2024-03-15T10:00:00.000Z")).toBe(true);
    expect(check("DateEquals", [T], ms / 1000)).toBe(true);
    expect(check("DateEquals", [T], String(ms / 1000))).toBe(true);
    expect(check("DateEquals", [String(ms / 1000)], T)).toBe(true);
    expect(check("DateEquals", ["2024-03-15"], "2024-03-15T00:00:00Z")).toBe(true);
    expect(check("DateEquals", ["0"], "1970-01-01")).toBe(true);
    expect(check("DateEquals", ["1969-12-31T23:59:59Z"], "1970-01-01T00:00:00+00:01")).toBe(false);
    expect(check("DateEquals", ["1969-12-31T23:59:00Z"], "1970-01-01T00:00:00+00:01")).toBe(true);
  });

  it("reads the W3C forms without seconds, as the reference does (spec)", () => {
    expect(check("DateEquals", ["2024-03-15T10:00Z"], T)).toBe(true);
    expect(check("DateEquals", ["2024-03-15T10:00"], T)).toBe(true);
    expect(check("DateEquals", ["2024-03-15T12:00+02:00"], T)).toBe(true);
    expect(check("DateEquals", [T], "2024-03-15T10:00Z")).toBe(true);
    expect(check("DateLessThan", [T], "2024-03-15T09:59-00:00")).toBe(true);
    // a fraction only follows seconds
    expect(compileCondition(wire("DateEquals", ["2024-03-15T10:00.5Z"]))).toBeUndefined();
    expect(check("DateEquals", [T], "2024-03-15T10:00.0Z")).toBe(false);
  });

  it("reads epoch seconds while the milliseconds are a safe integer (spec)", () => {
    expect(check("DateEquals", ["9007199254740"], "9007199254740")).toBe(true);
    expect(check("DateEquals", ["9007199254740"], 9007199254740)).toBe(true);
    expect(check("DateEquals", ["00000000000"], "1970-01-01")).toBe(true);
    expect(compileCondition(wire("DateEquals", ["9007199254741"]))).toBeUndefined();
    expect(compileCondition(wire("DateEquals", ["99999999999999999999"]))).toBeUndefined();
    for (const big of ["9007199254741", 9007199254741, 1e21, "99999999999999999999"]) {
      expect(check("DateGreaterThan", ["2024-03-15"], big), String(big)).toBe(false);
      expect(check("DateNotEquals", ["2024-03-15"], big), String(big)).toBe(true);
    }
  });

  it("has millisecond precision", () => {
    expect(check("DateEquals", ["2024-03-15T10:00:00.123+02:00"], "2024-03-15T08:00:00.123Z")).toBe(true);
    expect(check("DateLessThan", ["2024-03-15T10:00:00.124Z"], "2024-03-15T10:00:00.123Z")).toBe(true);
    expect(check("DateEquals", ["2024-03-15T10:00:00.1Z"], "2024-03-15T10:00:00.100Z")).toBe(true);
    expect(check("DateEquals", ["2024-03-15T10:00:00.12Z"], "2024-03-15T10:00:00.120Z")).toBe(true);
    // digits past the millisecond are truncated
    expect(check("DateEquals", ["2024-03-15T10:00:00.123Z"], "2024-03-15T10:00:00.1239Z")).toBe(true);
  });

  it("orders instants", () => {
    expect(check("DateLessThan", [T], "2024-03-15T09:59:59Z")).toBe(true);
    expect(check("DateLessThan", [T], T)).toBe(false);
    expect(check("DateLessThanEquals", [T], T)).toBe(true);
    expect(check("DateGreaterThan", [T], "2025-01-01")).toBe(true);
    expect(check("DateGreaterThanEquals", [T], ms / 1000 - 1)).toBe(false);
    expect(check("DateGreaterThan", [T], "1999-01-01T00:00:00Z")).toBe(false);
  });

  it("rejects bad request dates (no match, negated holds)", () => {
    for (const bad of [
      "2024-02-30",
      "2023-02-29",
      "2024-13-01",
      "2024-3-15",
      "2024-03-15T24:00:00Z",
      "2024-03-15T10:60:00Z",
      "2024-03-15T10:60Z",
      "2024-03-15T10Z",
      "2024-03-15T10:00:00.Z",
      "2024-03-15 10:00:00Z",
      "2024-03-15T10:00:00+0200",
      "2024-03-15T10:00:00z",
      "2024-03-15t10:00:00Z",
      "2024-03-15T10:00z",
      "-1",
      "1.5",
      -1,
      1.5,
      "",
      true,
      "March 15, 2024",
    ]) {
      expect(check("DateEquals", [T], bad), String(bad)).toBe(false);
      expect(check("DateNotEquals", [T], bad), String(bad)).toBe(true);
      expect(check("DateGreaterThan", ["1900-01-01"], bad), String(bad)).toBe(false);
    }
    expect(check("DateEquals", ["2024-02-29"], "2024-02-29")).toBe(true);
    expect(check("DateEquals", ["2000-02-29"], "2000-02-29")).toBe(true);
    expect(check("DateNotEquals", [T], ABSENT)).toBe(true);
  });

  it("agrees with Date for random instants", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (t) => {
        const iso = new Date(t).toISOString();
        expect(check("DateEquals", [iso], iso.slice(0, 23))).toBe(true);
        expect(check("DateLessThan", [iso], new Date(t - 1).toISOString())).toBe(true);
        const secs = Math.floor(t / 1000);
        if (secs >= 0) expect(check("DateEquals", [String(secs)], new Date(secs * 1000).toISOString())).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("rejects a malformed policy value", () => {
    for (const bad of ["2024-02-30", "yesterday", "", "1.5", "2024-03-15t10:00:00Z", "2024-03-15T10:00:00z"]) {
      expect(compileCondition(wire("DateEquals", [bad])), bad).toBeUndefined();
    }
  });
});

describe("Bool", () => {
  it("accepts booleans and true/false strings in any case", () => {
    expect(check("Bool", ["true"], true)).toBe(true);
    expect(check("Bool", ["true"], "TRUE")).toBe(true);
    expect(check("Bool", ["True"], "true")).toBe(true);
    expect(check("Bool", ["true"], false)).toBe(false);
    expect(check("Bool", ["false"], "False")).toBe(true);
    expect(check("Bool", ["false"], false)).toBe(true);
    expect(check("Bool", ["true", "false"], false)).toBe(true);
    for (const bad of ["yes", "1", 1, 0, "", " true"]) {
      expect(check("Bool", ["true", "false"], bad), String(bad)).toBe(false);
    }
    expect(check("Bool", ["true"], ABSENT)).toBe(false);
    expect(check("Bool", ["true"], ABSENT, { ie: true })).toBe(true);
  });

  it("rejects a malformed policy value", () => {
    expect(compileCondition(wire("Bool", ["yes"]))).toBeUndefined();
  });
});

describe("BinaryEquals", () => {
  const b64 = (s: string) => Buffer.from(s).toString("base64");

  it("compares decoded bytes", () => {
    expect(check("BinaryEquals", [b64("hello")], b64("hello"))).toBe(true);
    expect(check("BinaryEquals", [b64("hello")], b64("hellp"))).toBe(false);
    expect(check("BinaryEquals", [b64("hello")], b64("hello").replace(/=+$/, ""))).toBe(false); // padding required (spec)
    expect(check("BinaryEquals", ["QQ=="], "QR==")).toBe(true); // leftover bits are not data
    expect(check("BinaryEquals", [""], "")).toBe(true);
    expect(check("BinaryEquals", ["x", b64("a")].slice(1), b64("a"))).toBe(true);
  });

  it("treats bad base64 and non-strings as non-matching", () => {
    for (const bad of ["QQ=", "QQ", "QUI", "Q", "QQ==QQ==", "Q Q=", "QQ_-", "====", "Q===", "QUJD===", 5, true]) {
      expect(check("BinaryEquals", ["QQ=="], bad), String(bad)).toBe(false);
    }
  });

  it("handles long values", () => {
    const big = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251)).toString("base64");
    expect(check("BinaryEquals", [big], big)).toBe(true);
    expect(check("BinaryEquals", [big], big.slice(0, -4) + "AAAA")).toBe(false);
  });

  it("rejects malformed policy base64", () => {
    expect(compileCondition(wire("BinaryEquals", ["Q"]))).toBeUndefined();
    expect(compileCondition(wire("BinaryEquals", ["**"]))).toBeUndefined();
    expect(compileCondition(wire("BinaryEquals", ["QQ"]))).toBeUndefined();
  });
});

describe("IpAddress", () => {
  it("matches IPv4 CIDRs, ignoring host bits", () => {
    expect(check("IpAddress", ["10.0.0.0/8"], "10.255.1.2")).toBe(true);
    expect(check("IpAddress", ["10.0.0.0/8"], "11.0.0.0")).toBe(false);
    expect(check("IpAddress", ["10.1.2.3/8"], "10.9.9.9")).toBe(true);
    expect(check("IpAddress", ["192.168.1.7"], "192.168.1.7")).toBe(true);
    expect(check("IpAddress", ["192.168.1.7"], "192.168.1.8")).toBe(false);
    expect(check("IpAddress", ["0.0.0.0/0"], "255.255.255.255")).toBe(true);
    expect(check("IpAddress", ["255.255.255.255/32"], "255.255.255.255")).toBe(true);
    expect(check("IpAddress", ["128.0.0.0/1"], "200.1.1.1")).toBe(true);
    expect(check("IpAddress", ["128.0.0.0/1"], "100.1.1.1")).toBe(false);
    expect(check("IpAddress", ["203.0.113.0/25"], "203.0.113.127")).toBe(true);
    expect(check("IpAddress", ["203.0.113.0/25"], "203.0.113.128")).toBe(false);
    expect(check("IpAddress", ["1.1.1.1", "10.0.0.0/8"], "10.0.0.1")).toBe(true);
  });

  it("matches IPv6 CIDRs in every text form", () => {
    expect(check("IpAddress", ["2001:db8::/32"], "2001:db8:ffff::1")).toBe(true);
    expect(check("IpAddress", ["2001:db8::/32"], "2001:0DB8:0:0:0:0:0:1")).toBe(true);
    expect(check("IpAddress", ["2001:db8::/32"], "2001:db9::1")).toBe(false);
    expect(check("IpAddress", ["::1"], "0:0:0:0:0:0:0:1")).toBe(true);
    expect(check("IpAddress", ["::"], "::")).toBe(true);
    expect(check("IpAddress", ["::/0"], "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).toBe(true);
    expect(check("IpAddress", ["::ffff:0:0/96"], "::ffff:10.1.2.3")).toBe(true);
    expect(check("IpAddress", ["::ffff:10.0.0.0/104"], "::ffff:a01:203")).toBe(true);
    expect(check("IpAddress", ["2001:db8:1:2:3:4:5:6/127"], "2001:db8:1:2:3:4:5:7")).toBe(true);
    expect(check("IpAddress", ["2001:db8:1:2:3:4:5:6/128"], "2001:db8:1:2:3:4:5:7")).toBe(false);
    expect(check("IpAddress", ["2001:db8::/33"], "2001:db8:8000::")).toBe(false);
    expect(check("IpAddress", ["2001:db8::/33"], "2001:db8:7fff::")).toBe(true);
    expect(check("IpAddress", ["1::/16"], "1::")).toBe(true);
    expect(check("IpAddress", ["1:2:3:4:5:6:7::"], "1:2:3:4:5:6:7:0")).toBe(true);
  });

  it("never mixes families", () => {
    expect(check("IpAddress", ["0.0.0.0/0"], "::1")).toBe(false);
    expect(check("IpAddress", ["::/0"], "10.0.0.1")).toBe(false);
    expect(check("IpAddress", ["0.0.0.0/0"], "::ffff:10.0.0.1")).toBe(false);
    expect(check("NotIpAddress", ["0.0.0.0/0"], "::1")).toBe(true);
  });

  it("treats bad addresses as non-matching", () => {
    for (const bad of [
      "10.0.0",
      "10.0.0.0.1",
      "256.0.0.1",
      "010.0.0.1",
      "10.0.0.1/32",
      " 10.0.0.1",
      "10.0.0.a",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
      "1::2::3",
      ":1::",
      "1:::2",
      "1:",
      "12345::",
      "fe80::1%eth0",
      "[::1]",
      "::1.2.3",
      "1:2:3:4:5:6:7:1.2.3.4",
      "1:2:3:4:5:6:7:8::",
      "::1:2:3:4:5:6:7:8",
      "",
      ":",
      5,
    ]) {
      expect(check("IpAddress", ["0.0.0.0/0", "::/0"], bad), String(bad)).toBe(false);
      expect(check("NotIpAddress", ["0.0.0.0/0", "::/0"], bad), String(bad)).toBe(true);
    }
  });

  it("NotIpAddress holds when absent, IpAddress does not", () => {
    expect(check("NotIpAddress", ["10.0.0.0/8"], ABSENT)).toBe(true);
    expect(check("NotIpAddress", ["10.0.0.0/8"], "10.0.0.1")).toBe(false);
    expect(check("IpAddress", ["10.0.0.0/8"], ABSENT)).toBe(false);
  });

  it("agrees with a naive expansion for random IPv6 addresses in compressed form", () => {
    const groups = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(groups, fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 128 }), (g, at, len, prefix) => {
        const full = g.map((x) => x.toString(16).padStart(4, "0")).join(":");
        // compress a run of groups into "::" after zeroing them
        const z = g.slice();
        const end = Math.min(8, at + len);
        for (let i = at; i < end; i++) z[i] = 0;
        const hexes = z.map((x) => x.toString(16));
        const short = `${hexes.slice(0, at).join(":")}::${hexes.slice(end).join(":")}`;
        expect(check("IpAddress", [full], full)).toBe(true);
        expect(check("IpAddress", [z.map((x) => x.toString(16)).join(":")], short)).toBe(true);
        // prefix match against a naive bit comparison
        const bits = (a: number[]) => a.map((x) => x.toString(2).padStart(16, "0")).join("");
        const want = bits(g).slice(0, prefix) === bits(z).slice(0, prefix);
        expect(check("IpAddress", [`${full}/${prefix}`], short)).toBe(want);
      }),
      { numRuns: 1000 },
    );
  });

  it("rejects malformed policy CIDRs", () => {
    for (const bad of ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0/8", "abc", "10.0.0.0/8/8", "::/-1", "", "010.0.0.0/8", "::ffff:1.2.3.04"]) {
      expect(compileCondition(wire("IpAddress", [bad])), bad).toBeUndefined();
    }
  });
});

describe("Arn operators", () => {
  const ROLE = "arn:aws:iam::123456789012:role/admin";

  it("matches six fields, each a glob, ArnEquals identical to ArnLike", () => {
    for (const op of ["ArnEquals", "ArnLike"]) {
      expect(check(op, [ROLE], ROLE)).toBe(true);
      expect(check(op, ["arn:aws:iam::*:role/*"], ROLE)).toBe(true);
      expect(check(op, ["arn:aws:iam::123456789012:role/adm?n"], ROLE)).toBe(true);
      expect(check(op, ["arn:aws:iam::*:user/*"], ROLE)).toBe(false);
      expect(check(op, ["arn:*:iam::*:*"], ROLE)).toBe(true);
      expect(check(op, ["arn:aws:IAM::*:*"], ROLE)).toBe(false);
      expect(check(op, ["arn:aws:s3:::bucket/*"], "arn:aws:s3:::bucket/key")).toBe(true);
    }
  });

  it("a * spans no colon in the first five fields, and any in the sixth", () => {
    // the wildcard in the 4th field cannot eat into the 5th
    expect(check("ArnLike", ["arn:aws:iam:*:role/admin"], ROLE)).toBe(false);
    expect(check("ArnLike", ["arn:aws:*:123456789012:role/admin"], ROLE)).toBe(false);
    // the sixth field takes the rest, colons included, and a * there spans them (spec)
    expect(check("ArnLike", ["arn:aws:logs:us-east-1:1:log-group:*"], "arn:aws:logs:us-east-1:1:log-group:g")).toBe(true);
    expect(check("ArnLike", ["arn:aws:logs:us-east-1:1:log-group:*"], "arn:aws:logs:us-east-1:1:log-group:g:x")).toBe(true);
    expect(check("ArnLike", ["arn:aws:logs:*:*:log-group:*"], "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s")).toBe(true);
    expect(check("ArnEquals", ["arn:aws:logs:*:*:log-group:*"], "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s")).toBe(true);
    expect(check("ArnNotLike", ["arn:aws:logs:*:*:log-group:*"], "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s")).toBe(false);
    expect(check("ArnLike", ["arn:aws:logs:us-east-1:1:*"], "arn:aws:logs:us-east-1:1:log-group:g")).toBe(true);
    expect(check("ArnLike", ["arn:aws:logs:us-east-1:1:*:*"], "arn:aws:logs:us-east-1:1:log-group:g")).toBe(true);
    expect(check("ArnLike", ["arn:aws:logs:us-east-1:1:*:*"], "arn:aws:logs:us-east-1:1:log-group")).toBe(false);
    expect(check("ArnLike", ["arn:aws:logs:us-east-1:1:*:*:*"], "arn:aws:logs:us-east-1:1:a:b:c")).toBe(true);
    expect(check("ArnLike", ["arn:aws:logs:us-east-1:1:a*b"], "arn:aws:logs:us-east-1:1:a:b")).toBe(true);
    expect(check("ArnLike", ["arn:aws:logs:us-east-1:1:a*b"], "arn:aws:logs:us-east-1:1:a:c")).toBe(false);
  });

  it("a ? in the sixth field matches a colon too (spec)", () => {
    expect(check("ArnLike", ["arn:aws:logs:us-east-1:1:a?b"], "arn:aws:logs:us-east-1:1:a:b")).toBe(true);
    expect(check("ArnLike", [[["t", "arn:aws:logs:us-east-1:1:"], ["v", "x"], ["t", "?b"]]], "arn:aws:logs:us-east-1:1:a:b", {}, { x: "a" })).toBe(true);
    // in the first five a ? is one character of that field, never the colon between fields
    expect(check("ArnLike", ["arn:aws?logs:us-east-1:1:a"], "arn:aws:logs:us-east-1:1:a")).toBe(false);
  });

  it("the sixth field agrees with a naive matcher whose star spans anything", () => {
    const pat = fc.string({ unit: fc.constantFrom("a", ":", "*", "?"), maxLength: 8 });
    const str = fc.string({ unit: fc.constantFrom("a", ":"), maxLength: 10 });
    fc.assert(
      fc.property(pat, str, (p, s) => {
        const want = naiveGlob(p, s);
        expect(check("ArnLike", [`arn:x:y:z:1:${p}`], `arn:x:y:z:1:${s}`)).toBe(want);
        expect(check("ArnLike", [[["t", "arn:x:y:z:1:"], ["v", "e"], ["t", p]]], `arn:x:y:z:1:${s}`, {}, { e: "" })).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });

  it("values with fewer than six fields never match", () => {
    expect(check("ArnLike", ["arn:aws:iam::*:*"], "arn:aws:iam::123")).toBe(false);
    expect(check("ArnLike", ["*"], ROLE)).toBe(false);
    expect(check("ArnLike", ["arn:*"], ROLE)).toBe(false);
    expect(check("ArnNotLike", ["*"], ROLE)).toBe(true);
    expect(check("ArnLike", ["*:*:*:*:*:*"], ":::::")).toBe(true);
    expect(check("ArnLike", ["*:*:*:*:*:*"], "::::")).toBe(false);
    expect(check("ArnLike", ["*:*:*:*:*:*"], 42)).toBe(false);
  });

  it("negated forms are complements and hold when absent", () => {
    expect(check("ArnNotEquals", [ROLE], ROLE)).toBe(false);
    expect(check("ArnNotLike", ["arn:aws:iam::*:role/*"], ROLE)).toBe(false);
    expect(check("ArnNotLike", ["arn:aws:iam::*:user/*"], ROLE)).toBe(true);
    expect(check("ArnNotLike", ["arn:aws:iam::*:user/*"], ABSENT)).toBe(true);
    expect(check("ArnLike", ["arn:aws:iam::*:user/*"], ABSENT)).toBe(false);
  });
});

describe("policy variables", () => {
  const v = (key: string, fallback?: string) => (fallback === undefined ? (["v", key] as const) : (["v", key, fallback] as const));

  it("substitutes request values, case-insensitively by key", () => {
    const p: WireTemplate = [["t", "home/"], v("AWS:UserName"), ["t", "/*"]];
    expect(check("StringLike", [p], "home/bob/file", {}, { "aws:username": "bob" })).toBe(true);
    expect(check("StringLike", [p], "home/alice/file", {}, { "aws:username": "bob" })).toBe(false);
    expect(check("StringEquals", [[v("aws:username")]], "bob", {}, { "AWS:USERNAME": "bob" })).toBe(true);
    expect(check("StringEquals", [[v("n")]], "12", {}, { n: 12 })).toBe(true);
    expect(check("StringEquals", [[v("b")]], "true", {}, { b: true })).toBe(true);
  });

  it("uses the fallback only when the key is absent", () => {
    const p: WireTemplate = [v("aws:username", "nobody")];
    expect(check("StringEquals", [p], "nobody")).toBe(true);
    expect(check("StringEquals", [p], "nobody", {}, { "aws:username": "bob" })).toBe(false);
    expect(check("StringEquals", [p], "bob", {}, { "aws:username": "bob" })).toBe(true);
    expect(check("StringEquals", [p], "nobody", {}, { "aws:username": null })).toBe(true);
    expect(check("StringEquals", [[v("x", "")]], "")).toBe(true);
  });

  it("an unresolvable value matches nothing, for positive and negated operators alike", () => {
    const p: WireTemplate = [v("aws:username")];
    // absent without fallback
    expect(check("StringEquals", [p], "bob")).toBe(false);
    expect(check("StringEquals", [p, "bob"], "bob")).toBe(true);
    expect(check("StringNotEquals", [p], "bob")).toBe(true);
    expect(check("StringNotEquals", [p, "bob"], "bob")).toBe(false);
    expect(check("StringLike", [p], "")).toBe(false);
    expect(check("StringNotLike", [p], "")).toBe(true);
    // several values (an array), even with a fallback
    const multi = { "aws:username": ["bob", "eve"] };
    expect(check("StringEquals", [p], "bob", {}, multi)).toBe(false);
    expect(check("StringEquals", [[v("aws:username", "bob")]], "bob", {}, multi)).toBe(false);
    expect(check("StringNotEquals", [p], "bob", {}, multi)).toBe(true);
    expect(check("StringEqualsIgnoreCase", [p], "bob", {}, multi)).toBe(false);
    expect(check("ArnLike", [[["t", "arn:aws:iam::"], v("acct"), ["t", ":role/*"]]], "arn:aws:iam::1:role/x", {}, { acct: ["1"] })).toBe(false);
  });

  it("a key with an array value, even of one element or none, is no variable (spec)", () => {
    expect(check("StringEquals", [[v("u")]], "bob", {}, { u: ["bob"] })).toBe(false);
    expect(check("StringNotEquals", [[v("u")]], "bob", {}, { u: ["bob"] })).toBe(true);
    expect(check("StringLike", [[v("u"), ["t", "*"]]], "bob", {}, { u: ["b"] })).toBe(false);
    // an empty array is present, not absent: the fallback is not used
    expect(check("StringEquals", [[v("u", "bob")]], "bob", {}, { u: [] })).toBe(false);
    expect(check("StringEquals", [[v("u", "bob")]], "bob", {}, { u: null })).toBe(true);
  });

  it("substituted text is literal", () => {
    const p: WireTemplate = [["t", "team-"], v("tag"), ["t", "-*"]];
    expect(check("StringLike", [p], "team-a*-x", {}, { tag: "a*" })).toBe(true);
    expect(check("StringLike", [p], "team-abc-x", {}, { tag: "a*" })).toBe(false);
    expect(check("StringLike", [p], "team-a?-x", {}, { tag: "a?" })).toBe(true);
    expect(check("StringLike", [p], "team-ab-x", {}, { tag: "a?" })).toBe(false);
    expect(check("StringLike", [[v("x", "*")]], "abc")).toBe(false);
    expect(check("StringLike", [[v("x", "*")]], "*")).toBe(true);
  });

  it("works in IgnoreCase and Arn operators", () => {
    expect(check("StringEqualsIgnoreCase", [[["t", "Team-"], v("t")]], "TEAM-RED", {}, { t: "Red" })).toBe(true);
    expect(check("StringNotEqualsIgnoreCase", [[["t", "Team-"], v("t")]], "TEAM-RED", {}, { t: "Red" })).toBe(false);
    const arn: WireTemplate = [["t", "arn:aws:iam::"], v("aws:PrincipalAccount"), ["t", ":role/*"]];
    expect(check("ArnLike", [arn], "arn:aws:iam::111:role/x", {}, { "aws:principalaccount": "111" })).toBe(true);
    expect(check("ArnLike", [arn], "arn:aws:iam::222:role/x", {}, { "aws:principalaccount": "111" })).toBe(false);
    expect(check("ArnNotLike", [arn], "arn:aws:iam::222:role/x", {}, { "aws:principalaccount": "111" })).toBe(true);
    expect(check("ArnEquals", [arn], "arn:aws:iam::111:role/x")).toBe(false);
    expect(check("ArnNotEquals", [arn], "arn:aws:iam::111:role/x")).toBe(true);
    // a variable can hold a colon: it splits fields like any other colon
    expect(check("ArnLike", [[v("a"), ["t", ":*:*"]]], "arn:aws:s3:::b", {}, { a: "arn:aws:s3:" })).toBe(true);
    // the variable-built sixth field follows the same rule: its * spans colons
    expect(check("ArnLike", [[["t", "arn:aws:logs:r:1:"], v("g"), ["t", ":*"]]], "arn:aws:logs:r:1:lg:x:y", {}, { g: "lg" })).toBe(true);
    expect(check("ArnLike", [[["t", "arn:aws:logs:r:1:"], v("g"), ["t", ":*"]]], "arn:aws:logs:r:1:lh:x:y", {}, { g: "lg" })).toBe(false);
    expect(check("ArnLike", [[["t", "arn:aws:logs:r:1:"], v("g"), ["t", ":*"]]], "arn:aws:logs:r:1:lg:x", {}, { g: "lg" })).toBe(true);
  });

  it("resolves nothing when the condition key is absent", () => {
    let reads = 0;
    const p = compile("StringEquals", [[v("x")]]);
    const e: ConditionEnv = { get: (k) => (reads++, k === "x" ? "a" : undefined) };
    expect(p(e)).toBe(false);
    expect(reads).toBe(1);
  });

  it("variables in a set-qualified condition resolve once per check", () => {
    const p: WireTemplate = [v("team")];
    const ctx = { team: "red" };
    expect(check("StringEquals", [p], ["red", "blue"], { q: "any" }, ctx)).toBe(true);
    expect(check("StringEquals", [p], ["red", "blue"], { q: "all" }, ctx)).toBe(false);
    expect(check("StringEquals", [p], ["red", "red"], { q: "all" }, ctx)).toBe(true);
  });
});

describe("malformed wire data", () => {
  const good = wire("StringEquals", ["a"]);
  const bad: [string, unknown][] = [
    ["unknown operator", { ...good, op: "StringMatches" }],
    ["operator with IfExists suffix", { ...good, op: "StringEqualsIfExists" }],
    ["operator in other case", { ...good, op: "stringequals" }],
    ["qualifier", { ...good, q: "some" }],
    ["ie", { ...good, ie: "true" }],
    ["key", { ...good, key: 5 }],
    ["vals not array", { ...good, vals: "a" }],
    ["template not array", { ...good, vals: ["a"] }],
    ["part not array", { ...good, vals: [["t"]] }],
    ["part tag", { ...good, vals: [[["x", "a"]]] }],
    ["part text", { ...good, vals: [[["t", 5]]] }],
    ["part too long", { ...good, vals: [[["t", "a", "b"]]] }],
    ["fallback not string", { ...good, vals: [[["v", "k", 5]]] }],
    ["variable too long", { ...good, vals: [[["v", "k", "f", "g"]]] }],
    ["variable in Numeric", wire("NumericEquals", [[["v", "k"]]])],
    ["variable in Date", wire("DateEquals", [[["v", "k"]]])],
    ["variable in Bool", wire("Bool", [[["v", "k"]]])],
    ["variable in Ip", wire("IpAddress", [[["v", "k"]]])],
    ["variable in Binary", wire("BinaryEquals", [[["v", "k"]]])],
    ["null", null],
    ["string", "StringEquals"],
    ["array", []],
  ];
  for (const [name, w] of bad) {
    it(`returns undefined for a bad ${name}`, () => {
      expect(compileCondition(w as WireCondition)).toBeUndefined();
    });
  }

  it("accepts every operator of the spec", () => {
    const ops: [string, string][] = [
      ["StringEquals", "a"],
      ["StringNotEquals", "a"],
      ["StringEqualsIgnoreCase", "a"],
      ["StringNotEqualsIgnoreCase", "a"],
      ["StringLike", "a*"],
      ["StringNotLike", "a*"],
      ["NumericEquals", "1"],
      ["NumericNotEquals", "1"],
      ["NumericLessThan", "1"],
      ["NumericLessThanEquals", "1"],
      ["NumericGreaterThan", "1"],
      ["NumericGreaterThanEquals", "1"],
      ["DateEquals", "2024-01-01"],
      ["DateNotEquals", "2024-01-01"],
      ["DateLessThan", "2024-01-01"],
      ["DateLessThanEquals", "2024-01-01"],
      ["DateGreaterThan", "2024-01-01"],
      ["DateGreaterThanEquals", "2024-01-01"],
      ["Bool", "true"],
      ["BinaryEquals", "QQ=="],
      ["IpAddress", "10.0.0.0/8"],
      ["NotIpAddress", "10.0.0.0/8"],
      ["ArnEquals", "arn:*:*:*:*:*"],
      ["ArnLike", "arn:*:*:*:*:*"],
      ["ArnNotEquals", "arn:*:*:*:*:*"],
      ["ArnNotLike", "arn:*:*:*:*:*"],
      ["Null", "true"],
    ];
    for (const [op, val] of ops) {
      for (const q of ["", "any", "all"] as const) {
        for (const ie of [false, true]) expect(compileCondition(wire(op, [val], { q, ie })), op).toBeTypeOf("function");
      }
    }
  });

  it("an empty value list compiles and matches nothing", () => {
    expect(check("StringEquals", [], "a")).toBe(false);
    expect(check("StringNotEquals", [], "a")).toBe(true);
    expect(check("NumericLessThan", [], 1)).toBe(false);
    expect(check("Null", [], ABSENT)).toBe(false);
  });
});

describe("compileConditions", () => {
  const a = wire("StringEquals", ["x"], { key: "a" });
  const b = wire("NumericLessThan", ["10"], { key: "b" });
  const c = wire("Bool", ["true"], { key: "c" });

  it("is the AND of its conditions", () => {
    const p2 = compileConditions([a, b]);
    const p3 = compileConditions([a, b, c]);
    expect(p2?.(env({ a: "x", b: 5 }))).toBe(true);
    expect(p2?.(env({ a: "x", b: 50 }))).toBe(false);
    expect(p2?.(env({ a: "y", b: 5 }))).toBe(false);
    expect(p3?.(env({ a: "x", b: 5, c: true }))).toBe(true);
    expect(p3?.(env({ a: "x", b: 5, c: false }))).toBe(false);
    expect(compileConditions([a])?.(env({ a: "x" }))).toBe(true);
  });

  it("is true for no conditions and undefined if any is malformed", () => {
    expect(compileConditions([])?.(env({}))).toBe(true);
    expect(compileConditions([a, { ...b, op: "Nope" }])).toBeUndefined();
    expect(compileConditions("x" as unknown as WireCondition[])).toBeUndefined();
  });
});
