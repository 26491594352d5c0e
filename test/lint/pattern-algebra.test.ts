// The pattern algebra against brute force: intersection is exact, subsumption is sound (and exact
// when the inner pattern has no `*`), checked with the reference matcher over every short string
// of a tiny alphabet. Patterns use `a` and `b`; strings also use `c`, which no pattern names, so it
// stands for "any other character" (enough: a string needs at most one character no pattern names).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchesEverything, parsePattern, patternsIntersect, patternSubsumes, patternTokens } from "../../compiler/lint/pattern-algebra.js";
import { matchTemplate } from "../../compiler/reference/glob.js";
import { parseTemplate, plainTemplate } from "../../compiler/template.js";

const SEED = 20240607;
const MAX_TOKENS = 4;

/** Every string over `a`, `b`, `c` by length, up to twice the longest pattern. */
const STRINGS_BY_LENGTH: string[][] = [[""]];
for (let length = 1; length <= 2 * MAX_TOKENS; length++) {
  STRINGS_BY_LENGTH.push(STRINGS_BY_LENGTH[length - 1]!.flatMap((s) => ["a", "b", "c"].map((c) => s + c)));
}

const matches = (pattern: string, text: string) => matchTemplate(plainTemplate(pattern), text);
const nonStar = (pattern: string) => pattern.replaceAll("*", "").length;
const pattern = fc.array(fc.constantFrom("a", "b", "*", "?"), { maxLength: MAX_TOKENS }).map((chars) => chars.join(""));

describe("patternsIntersect", () => {
  it("agrees with brute force: some string matches both", () => {
    fc.assert(
      fc.property(pattern, pattern, (p, q) => {
        // a shortest common string reads at most one character per non-star token of either
        const bound = nonStar(p) + nonStar(q);
        const witness = STRINGS_BY_LENGTH.slice(0, bound + 1).some((strings) => strings.some((s) => matches(p, s) && matches(q, s)));
        expect(patternsIntersect(parsePattern(p), parsePattern(q))).toBe(witness);
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it.each([
    ["arn:aws:s3:::b/*", "arn:aws:s3:::b/logs/x", true],
    ["arn:aws:s3:::b/*", "arn:aws:s3:::c/*", false],
    ["*/secret/*", "arn:aws:s3:::*", true],
    ["a?c", "a*", true],
    ["a?c", "ab", false],
  ])("`%s` and `%s`: %s", (p, q, want) => {
    expect(patternsIntersect(parsePattern(p), parsePattern(q))).toBe(want);
  });

  it("folds case for actions only when asked", () => {
    expect(patternsIntersect(parsePattern("S3:GetObject", true), parsePattern("s3:getobject", true))).toBe(true);
    expect(patternsIntersect(parsePattern("S3:GetObject"), parsePattern("s3:getobject"))).toBe(false);
  });
});

describe("patternSubsumes", () => {
  it("is sound: when it says inner ⊆ outer, every string inner matches, outer matches", () => {
    fc.assert(
      fc.property(pattern, pattern, (outer, inner) => {
        fc.pre(patternSubsumes(parsePattern(outer), parsePattern(inner)));
        for (const strings of STRINGS_BY_LENGTH.slice(0, 2 * MAX_TOKENS - 1)) {
          for (const s of strings) if (matches(inner, s)) expect(matches(outer, s), `\`${s}\` in \`${inner}\` but not \`${outer}\``).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 600 },
    );
  });

  it("is exact when the inner pattern has no `*`", () => {
    const starFree = fc.array(fc.constantFrom("a", "b", "?"), { maxLength: MAX_TOKENS }).map((chars) => chars.join(""));
    fc.assert(
      fc.property(pattern, starFree, (outer, inner) => {
        // a star-free pattern matches only strings of its own length
        const included = STRINGS_BY_LENGTH[inner.length]!.every((s) => !matches(inner, s) || matches(outer, s));
        expect(patternSubsumes(parsePattern(outer), parsePattern(inner))).toBe(included);
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it.each([
    ["arn:aws:s3:::b/*", "arn:aws:s3:::b/logs/*", true],
    ["arn:aws:s3:::b/logs/*", "arn:aws:s3:::b/*", false],
    ["*", "anything*?", true],
    ["s3:*", "s3:Get*", true],
    ["s3:Get*", "s3:*", false],
    // the price of soundness: true, but needs reasoning across tokens
    ["a*?", "a?*", false],
  ])("`%s` ⊇ `%s`: %s", (outer, inner, want) => {
    expect(patternSubsumes(parsePattern(outer), parsePattern(inner))).toBe(want);
  });
});

describe("policy variables", () => {
  const template = (text: string) => {
    const parsed = parseTemplate(text);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.template;
  };
  const home = template("arn:aws:s3:::home/${aws:username}/*");

  it("widened, a variable is `*`: what it may reach is not underestimated", () => {
    const tokens = patternTokens(home, { variables: "widen", ignoreCase: false });
    expect(patternSubsumes(parsePattern("arn:aws:s3:::home/*"), tokens)).toBe(true);
    expect(patternsIntersect(tokens, parsePattern("arn:aws:s3:::home/bob/notes.txt"))).toBe(true);
  });

  it("narrowed, a variable matches nothing: what it surely covers is not overestimated", () => {
    const tokens = patternTokens(home, { variables: "narrow", ignoreCase: false });
    expect(patternSubsumes(tokens, parsePattern("arn:aws:s3:::home/bob/x"))).toBe(false);
    expect(patternsIntersect(tokens, parsePattern("*"))).toBe(false);
    expect(matchesEverything(tokens)).toBe(false);
  });

  it("an escaped `${*}` is a literal star, not a wildcard", () => {
    const tokens = patternTokens(template("arn:aws:s3:::b/${*}"), { variables: "widen", ignoreCase: false });
    expect(patternsIntersect(tokens, parsePattern("arn:aws:s3:::b/x"))).toBe(false);
  });
});
