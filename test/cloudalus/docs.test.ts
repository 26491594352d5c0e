// docs/cloudalus.md says what the code does: its DSL example loads, and its error table lists
// every code the cloudalus front end emits.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { REPO } from "../cli/helpers.js";
import { loadCloudalusText } from "../support/cloudalus-workspace.js";

const doc = readFileSync(join(REPO, "docs", "cloudalus.md"), "utf8");

test("the DSL example loads with no diagnostics", () => {
  const block = /```iam\n([\s\S]*?)```/.exec(doc)![1]!;
  expect(loadCloudalusText(block, [], "iamc.iam").diagnostics).toEqual([]);
});

test("the error table names every code the cloudalus front end has", () => {
  const codes = ["IAMC2005", "IAMC2009", "IAMC2011", "IAMC3001", "IAMC3002", "IAMC3005", "IAMC3006", "IAMC3010", "IAMC3011", "IAMC3012"];
  for (const code of codes) expect(doc).toContain(`| \`${code}\` |`);
});
