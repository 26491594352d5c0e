import { describe, expect, test } from "vitest";
import { didYouMean, editDistance, suggest } from "../../compiler/suggest.js";

describe("suggest", () => {
  test("edit distance counts insertions, deletions, substitutions and transpositions", () => {
    expect(editDistance("Effect", "Effect")).toBe(0);
    expect(editDistance("Efect", "Effect")).toBe(1);
    expect(editDistance("Aciton", "Action")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abcdef", "x", 2)).toBe(3);
  });

  test("picks the closest candidate, a case-only difference first", () => {
    const fields = ["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "Condition"];
    expect(suggest("Efect", fields)).toBe("Effect");
    expect(suggest("effect", fields)).toBe("Effect");
    expect(suggest("Resources", fields)).toBe("Resource");
    expect(suggest("Principle", fields)).toBe("Principal");
    expect(suggest("Conditions", fields)).toBe("Condition");
    expect(suggest("Banana", fields)).toBeUndefined();
    expect(suggest("Effect", fields)).toBeUndefined();
    expect(didYouMean("idp-1", ["idp-01", "idp-02"])).toBe("did you mean `idp-01`?");
  });
});
