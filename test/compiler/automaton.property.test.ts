// The automaton recognizes exactly what the reference glob matcher matches: for random pattern
// sets and strings, the class a string walks to is the set of patterns that match it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ANY, FIELD, FIELD_CHAR, STAR, buildAutomaton, buildTrieAutomaton, classify, foldString, type GlobToken } from "../../compiler/automaton.js";
import { matchTokens } from "../../compiler/reference/glob.js";

const ALPHABET = ["a", "b", ":", "/", "A"];

/** Patterns as tokens, and a regular expression for FIELD tokens (which the reference glob lacks). */
const tokenArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ALPHABET).map((c) => c.charCodeAt(0)) },
  { weight: 2, arbitrary: fc.constant(STAR) },
  { weight: 1, arbitrary: fc.constant(ANY) },
  { weight: 1, arbitrary: fc.constant(FIELD) },
  { weight: 1, arbitrary: fc.constant(FIELD_CHAR) },
);

function matches(tokens: readonly GlobToken[], text: string): boolean {
  if (!tokens.some((t) => t === FIELD || t === FIELD_CHAR)) {
    return matchTokens(tokens.map((t) => (t === STAR ? { kind: "star" } : t === ANY ? { kind: "any" } : { kind: "char", char: String.fromCharCode(t) })), text);
  }
  const source = tokens.map((t) => (t === STAR ? "[^]*" : t === ANY ? "[^]" : t === FIELD ? "[^:]*" : t === FIELD_CHAR ? "[^:]" : `\\u${t.toString(16).padStart(4, "0")}`)).join("");
  return new RegExp(`^${source}$`).test(text);
}

describe("automaton", () => {
  it("classifies every string into the set of patterns that match it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(tokenArbitrary, { maxLength: 6 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.array(fc.constantFrom(...ALPHABET), { maxLength: 8 }).map((cs) => cs.join("")), { minLength: 1, maxLength: 20 }),
        (patterns, texts) => {
          const automaton = buildAutomaton(patterns);
          expect(automaton.classes[0]).toEqual([]);
          for (const text of texts) {
            const want = patterns.flatMap((p, i) => (matches(p, text) ? [i] : []));
            expect(automaton.classes[classify(automaton, text)], `${JSON.stringify(patterns)} on ${JSON.stringify(text)}`).toEqual(want);
          }
        },
      ),
      { seed: 7, numRuns: 3000 },
    );
  });

  it("folds case for actions the same way the runtime does", () => {
    const automaton = buildAutomaton([[..."s3:get"].map((c) => c.charCodeAt(0)).concat(STAR)]);
    expect(automaton.classes[classify(automaton, "S3:GetObject", true)]).toEqual([0]);
    expect(automaton.classes[classify(automaton, "S3:GetObject", false)]).toEqual([]);
    expect(foldString("S3:ÄB")).toBe("s3:äb");
  });

  it("is a trie for literal patterns: one state per distinct prefix", () => {
    const words = ["abc", "abd", "b"];
    const automaton = buildAutomaton(words.map((w) => [...w].map((c) => c.charCodeAt(0))));
    expect(automaton.otherTarget.length).toBe(6); // "", a, ab, abc, abd, b
  });

  it("copes with an empty pattern list and the empty pattern", () => {
    expect(classify(buildAutomaton([]), "anything")).toBe(0);
    const empty = buildAutomaton([[]]);
    expect(empty.classes[classify(empty, "")]).toEqual([0]);
    expect(empty.classes[classify(empty, "a")]).toEqual([]);
  });
});

describe("trie automaton", () => {
  it("recognizes literal and prefix patterns exactly as the general construction does", () => {
    const literal = fc.array(fc.constantFrom(..."ab:/".split("")).map((c) => c.charCodeAt(0)), { maxLength: 5 });
    const prefixPattern = fc.tuple(literal, fc.boolean()).map(([chars, star]) => (star ? [...chars, STAR] : chars));
    fc.assert(
      fc.property(
        fc.array(prefixPattern, { minLength: 1, maxLength: 10 }),
        fc.array(fc.array(fc.constantFrom(..."ab:/x".split("")), { maxLength: 7 }).map((cs) => cs.join("")), { minLength: 1, maxLength: 25 }),
        (patterns, texts) => {
          const trie = buildTrieAutomaton(patterns);
          const general = buildAutomaton(patterns);
          for (const text of texts) {
            expect(trie.classes[classify(trie, text)], JSON.stringify({ patterns, text })).toEqual(general.classes[classify(general, text)]);
          }
        },
      ),
      { seed: 11, numRuns: 3000 },
    );
  });
});
