// docs/krutrim.md says what the code does: its table of system-managed policies is the catalog,
// its DSL example loads, and its error table lists every code the front end emits.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { SYSTEM_POLICIES } from "../../compiler/krutrim/system-policies.js";
import { REPO } from "../cli/helpers.js";
import { loadKrutrimText } from "../support/krutrim-workspace.js";

const doc = readFileSync(join(REPO, "docs", "krutrim.md"), "utf8");

test("the system-managed policy table is the catalog, row by row", () => {
  const rows = [...doc.matchAll(/^\| `([a-zA-Z]+)` \| `(K\w+)` \| ([^|]+) \| `([^`]+)` \| ([^|]+) \|$/gm)].map((m) => [m[1], m[2], m[3]!.trim(), m[4], m[5]!.trim()]);
  expect(rows).toEqual(SYSTEM_POLICIES.map((p) => [p.service, p.name, p.operations.join(", "), p.resources.join(", "), p.description]));
});

test("the DSL example loads with no diagnostics", () => {
  const block = /```iam\n([\s\S]*?)```/.exec(doc)![1]!;
  expect(loadKrutrimText(block, [], "iamc.iam").diagnostics).toEqual([]);
});

test("the error table names every code the krutrim front end has", () => {
  for (const code of ["IAMC2004", "IAMC2014", "IAMC3001", "IAMC3002", "IAMC3003", "IAMC3008", "IAMC3009"]) expect(doc).toContain(`| \`${code}\` |`);
});
