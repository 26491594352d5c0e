// The wild gate is sound: a string holding none of its literals matches none of its patterns
// (checked against the reference glob matcher), and it picks literals that keep it shut for
// strings outside the patterns' paths. Resume points are sound: where the main walk passes
// through a state, the wild walk may start at the state's point.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ANY, FIELD, FIELD_CHAR, STAR, buildAutomaton, buildTrieAutomaton, stepAutomaton, type Automaton, type GlobToken } from "../../compiler/automaton.js";
import { neededLiteral, resumePoints, wildGate } from "../../compiler/prefilter.js";
import { WILD_GATE_MAX } from "../../runtime/wire.js";

const tokens = (text: string): GlobToken[] => [...text].map((c) => (c === "*" ? STAR : c === "?" ? ANY : c.charCodeAt(0)));

/** Whether `text` matches `pattern` as a whole (FIELD: a run without `:`; FIELD_CHAR: one character but `:`). */
function matches(pattern: readonly GlobToken[], text: string): boolean {
  const source = pattern.map((t) => (t === STAR ? "[^]*" : t === ANY ? "[^]" : t === FIELD ? "[^:]*" : t === FIELD_CHAR ? "[^:]" : `\\u${t.toString(16).padStart(4, "0")}`)).join("");
  return new RegExp(`^${source}$`).test(text);
}

describe("wild gate", () => {
  it("takes a pattern's longest inner literal, its leading one only when no inner one is long enough", () => {
    expect(neededLiteral(tokens("arn:aws:*:::*/secret/*"))).toBe("/secret/");
    expect(neededLiteral(tokens("arn:aws:s3:::app-*/logs/*"))).toBe("/logs/");
    expect(neededLiteral(tokens("arn:aws:s3:::app-*/x/*"))).toBe("arn:aws:s3:::app-");
    expect(neededLiteral(tokens("a*b?c"))).toBeUndefined();
    expect(neededLiteral([...tokens("arn:"), FIELD, 58, FIELD, 58, ...tokens("111122223333:"), STAR])).toBe(":111122223333:");
  });

  it("keeps the inner of two nested literals, and sorts them", () => {
    expect(wildGate([tokens("*/private/*"), tokens("*/secret/*")])).toEqual(["/private/", "/secret/"]);
    expect(wildGate([tokens("*/logs/*"), tokens("*/app/logs/old/*")])).toEqual(["/logs/"]);
  });

  it("gives no gate when a pattern needs no long literal or the gate would be long, and a shut one for no pattern", () => {
    expect(wildGate([tokens("*/secret/*"), tokens("a*b")])).toBeUndefined();
    expect(wildGate([])).toEqual([]);
    const many = Array.from({ length: WILD_GATE_MAX + 1 }, (_, i) => tokens(`*/dir${i}x/*`));
    expect(wildGate(many)).toBeUndefined();
    expect(wildGate(many.slice(0, WILD_GATE_MAX))).toHaveLength(WILD_GATE_MAX);
  });

  it("is sound: a string holding none of the gate's literals matches none of the patterns", () => {
    const alphabet = ["a", "b", "c", "d", "/", ":"];
    const token = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...alphabet).map((c) => c.charCodeAt(0)) },
      { weight: 2, arbitrary: fc.constant(STAR) },
      { weight: 1, arbitrary: fc.constant(ANY) },
      { weight: 1, arbitrary: fc.constant(FIELD) },
      { weight: 1, arbitrary: fc.constant(FIELD_CHAR) },
    );
    const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 14 }).map((cs) => cs.join(""));
    let shut = 0;
    fc.assert(
      fc.property(fc.array(fc.array(token, { maxLength: 12 }), { minLength: 1, maxLength: 5 }), fc.array(text, { minLength: 1, maxLength: 30 }), (patterns, texts) => {
        const gate = wildGate(patterns);
        for (const t of texts) {
          if (gate === undefined || gate.some((g) => t.includes(g))) continue;
          shut++;
          for (const p of patterns) expect(matches(p, t), `${JSON.stringify(p)} on ${t}, gate ${JSON.stringify(gate)}`).toBe(false);
        }
      }),
      { numRuns: 1500 },
    );
    expect(shut).toBeGreaterThan(100); // the property was exercised, not vacuous
  });
});

describe("resume points", () => {
  const lit = (text: string) => [...text].map((c) => c.charCodeAt(0));
  /** The states a walk of `text` passes through, each with the index it was in it at (the dead state not included). */
  const visits = (a: Automaton, text: string): [state: number, at: number][] => {
    const out: [number, number][] = [[0, 0]];
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      state = stepAutomaton(a, state, text.charCodeAt(i));
      if (state < 0) break;
      out.push([state, i + 1]);
    }
    return out;
  };
  const wildAfter = (wild: Automaton, text: string): number => {
    let state = 0;
    for (let i = 0; i < text.length && state >= 0; i++) state = stepAutomaton(wild, state, text.charCodeAt(i));
    return state;
  };

  it("start the wild walk past a trie's literal prefix", () => {
    const main = buildTrieAutomaton([tokens("arn:aws:s3:::bucket/*"), tokens("arn:aws:s3:::other")]);
    const wild = buildAutomaton([tokens("arn:aws:*:::*/secret/*"), [...lit("arn:"), FIELD, 58, FIELD, 58, FIELD, 58, ...lit("1111:"), STAR]]);
    const points = resumePoints(main, wild);
    const [end] = visits(main, "arn:aws:s3:::bucket/x/secret/y").at(-1)!;
    expect(points[2 * end]).toBe("arn:aws:s3:::bucket/".length);
    expect(points[2 * end + 1]).toBe(wildAfter(wild, "arn:aws:s3:::bucket/"));
    // the trie's states before the fork are one string each
    const [fork] = visits(main, "arn:aws:s3:::").at(-1)!;
    expect([points[2 * fork], points[2 * fork + 1]]).toEqual([13, wildAfter(wild, "arn:aws:s3:::")]);
    // a prefix the wild automaton cannot follow: dead from there on
    const dead = buildAutomaton([tokens("x*")]);
    const [x] = visits(main, "arn:aws:s3:::other").at(-1)!;
    expect(resumePoints(main, dead)[2 * x + 1]).toBe(-1);
  });

  it("hold for every string and every state its main walk passes through", () => {
    const alphabet = ["a", "b", "/", ":", "1"];
    const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 9 }).map((cs) => cs.join(""));
    const pattern = fc.tuple(text, fc.boolean()).map(([t, star]) => tokens(star ? `${t}*` : t));
    const globChar = fc.constantFrom<GlobToken>(...alphabet.map((c) => c.charCodeAt(0)), STAR, ANY, FIELD, FIELD_CHAR);
    const wildPattern = fc.array(globChar, { minLength: 1, maxLength: 7 });
    let resumed = 0;
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 8 }), fc.array(wildPattern, { maxLength: 3 }), fc.array(wildPattern, { minLength: 1, maxLength: 3 }), fc.array(text, { minLength: 1, maxLength: 12 }), (mains, loose, wilds, texts) => {
        // the trie builder, and the general construction (loops, states with many predecessors)
        const main = loose.length === 0 ? buildTrieAutomaton(mains) : buildAutomaton([...mains, ...loose]);
        const wild = buildAutomaton(wilds);
        const points = resumePoints(main, wild);
        for (const t of texts) {
          for (const [state, at] of visits(main, t)) {
            const depth = points[2 * state]!;
            expect(depth, `${t} state ${state}`).toBeLessThanOrEqual(at);
            expect(points[2 * state + 1], `${t} state ${state} depth ${depth}`).toBe(wildAfter(wild, t.slice(0, depth)));
            if (depth > 0) resumed++;
          }
        }
      }),
      { numRuns: 1500 },
    );
    expect(resumed).toBeGreaterThan(1000); // the property was exercised, not vacuous
  });
});
