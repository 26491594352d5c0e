// Every code iamc can emit — compiler diagnostics, bundle and runtime errors, gateway codes — is
// listed in README's table of diagnostic codes (singly, or in a range such as `IAMC6001`–`IAMC6010`).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES } from "../../compiler/diagnostics.js";
import { GATEWAY_CODES } from "../../gateway/mapping.js";
import { BUNDLE_ERROR_CODES } from "../../runtime/index.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const table = readme.slice(readme.indexOf("## Diagnostic codes"), readme.indexOf("\n## ", readme.indexOf("## Diagnostic codes") + 5));

/** The codes README's table names: one per row, or every code of a `A`–`B` range. */
function documented(): Set<number> {
  const codes = new Set<number>();
  for (const row of table.split("\n").filter((line) => line.startsWith("| `IAMC"))) {
    const range = /^\| `IAMC(\d{4})`–`IAMC(\d{4})`/.exec(row);
    const single = /^\| `IAMC(\d{4})` \|/.exec(row);
    if (range) for (let c = Number(range[1]); c <= Number(range[2]); c++) codes.add(c);
    else if (single) codes.add(Number(single[1]));
  }
  return codes;
}

describe("README lists every code", () => {
  const listed = documented();
  it.each([
    ["compiler", Object.keys(DIAGNOSTIC_CODES)],
    ["bundle and runtime", Object.keys(BUNDLE_ERROR_CODES)],
    ["gateway", Object.keys(GATEWAY_CODES)],
  ])("%s codes", (_, codes) => {
    expect(codes.length).toBeGreaterThan(5);
    expect(codes.filter((code) => !listed.has(Number(code.slice(4))))).toEqual([]);
  });

  it("names no code that does not exist", () => {
    const known = new Set([...Object.keys(DIAGNOSTIC_CODES), ...Object.keys(BUNDLE_ERROR_CODES), ...Object.keys(GATEWAY_CODES)].map((c) => Number(c.slice(4))));
    expect([...listed].filter((c) => !known.has(c))).toEqual([]);
  });
});
