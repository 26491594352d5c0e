// The load-ready layout's constants live in runtime/wire.ts; the hot paths (runtime/index.ts,
// runtime/pair-table.ts) keep their own copies, which V8 folds into the loops. They must agree.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as wire from "../../runtime/wire.js";

describe("layout constants", () => {
  it.each(["runtime/index.ts", "runtime/pair-table.ts"])("%s copies wire.ts's values", (file) => {
    const text = readFileSync(file, "utf8");
    const copies = [...text.matchAll(/^const ([A-Z][A-Z0-9_]*) = (-?\d+|1 << \d+);$/gm)].filter(([, name]) => name! in wire);
    expect(copies.length).toBeGreaterThan(5);
    for (const [, name, value] of copies) {
      const number = value!.includes("<<") ? 1 << Number(value!.split("<<")[1]) : Number(value);
      expect(number, `${file}: ${name}`).toBe((wire as unknown as Record<string, number>)[name!]);
    }
  });
});
