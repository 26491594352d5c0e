// The wild gate is sound: a string holding none of its literals matches none of its patterns
// (checked against the reference glob matcher), and it picks literals that keep it shut for
// strings outside the patterns' paths.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ANY, FIELD, FIELD_CHAR, STAR, type GlobToken } from "../../compiler/automaton.js";
import { neededLiteral, probePin, wildGate } from "../../compiler/prefilter.js";
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

describe("probe pins", () => {
  const accounts = new Map([["111122223333", 2], ["444455556666", 3]]);

  it("tell the group and KMS flag once a prefix passes the fields the probes read", () => {
    expect(probePin("arn:aws:s3:::bucket/", false, accounts)).toBe(0);
    expect(probePin("arn:aws:sqs:us-east-1:111122223333:queue", true, accounts)).toBe(2 * 2);
    expect(probePin("arn:aws:sqs:us-east-1:999999999999:", false, accounts)).toBe(2 * 1);
    expect(probePin("arn:aws:kms:us-east-1:444455556666:key/", false, accounts)).toBe(2 * 3 + 1);
    expect(probePin("arn:aws:kms:us-east-1:444455556666:alias/x", true, accounts)).toBe(2 * 3);
    expect(probePin("bucket/", false, accounts)).toBe(0);
    expect(probePin("arn", true, accounts)).toBe(0);
  });

  it("are undecided while what follows could still change the answer", () => {
    expect(probePin("ar", false, accounts)).toBe(-1);
    expect(probePin("arn:aws:s3:", false, accounts)).toBe(-1);
    expect(probePin("arn:aws:kms:us-east-1:444455556666:ke", false, accounts)).toBe(-1);
    expect(probePin("arn:aws:kms:us-east-1:444455556666:", false, accounts)).toBe(-1);
  });

  it("agree with the probe patterns on every string that starts with the prefix", () => {
    const alphabet = ["a", "r", "n", ":", "k", "m", "s", "e", "y", "/", "1"];
    const probes: [GlobToken[], (group: number, kms: number) => boolean][] = [];
    const field = FIELD;
    const lit = (text: string) => [...text].map((c) => c.charCodeAt(0));
    const arn = [...lit("arn:"), field, 58, field, 58, field, 58];
    const small = new Map([["11", 2], ["1", 3]]);
    probes.push([[...arn, ...lit("11:"), STAR], (g) => g === 2]);
    probes.push([[...arn, ...lit("1:"), STAR], (g) => g === 3]);
    probes.push([[...arn, FIELD_CHAR, field, 58, STAR], (g) => g !== 0]);
    probes.push([[...lit("arn:"), field, ...lit(":kms:"), field, 58, field, ...lit(":key/"), STAR], (_, kms) => kms === 1]);
    const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 22 }).map((cs) => cs.join(""));
    let pinned = 0;
    fc.assert(
      fc.property(fc.oneof(text, fc.constant("arn:aws:kms:r:11:key/x"), fc.constant("arn:a:s::1:")), fc.nat(24), fc.boolean(), (whole, cut, complete) => {
        const prefix = complete ? whole : whole.slice(0, cut);
        const pin = probePin(prefix, complete, small);
        if (pin < 0) return;
        pinned++;
        const group = pin >> 1;
        const kms = pin & 1;
        for (const [pattern, says] of probes) expect(matches(pattern, whole) && (whole.startsWith(prefix)), `${whole} (prefix ${prefix}, pin ${pin})`).toBe(says(group, kms) && whole.startsWith(prefix));
      }),
      { numRuns: 3000 },
    );
    expect(pinned).toBeGreaterThan(1000);
  });
});
