// docs/dsl.md shows the DSL by example: every ```iam block of it must parse, and the first one
// must be the JSON manifest shown next to it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { parseIam } from "../../grammar/index.js";
import { generateDslWorkspace } from "../../bench/dsl-parse.js";
import { REPO } from "../cli/helpers.js";

const doc = readFileSync(join(REPO, "docs", "dsl.md"), "utf8");
const blocks = (language: string) => [...doc.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);

test("every ```iam example of docs/dsl.md parses (statement snippets inside a policy)", () => {
  const examples = blocks("iam");
  expect(examples.length).toBeGreaterThanOrEqual(5);
  for (const example of examples) {
    const text = /^(model|policy|\$schema|#)/.test(example) ? example : `policy P {\n${example}}\n`;
    expect(parseIam(text).problems, example).toEqual([]);
  }
});

test("the first example is the JSON manifest shown beside it", () => {
  expect(parseIam(blocks("iam")[0]!).value).toEqual(JSON.parse(blocks("json")[0]!));
});

test("the parse-speed workspace of bench/dsl-parse.ts parses cleanly (its speed is the bench's to measure)", () => {
  const text = generateDslWorkspace(2_000);
  expect(text.split("\n").length).toBeGreaterThanOrEqual(2_000);
  expect(parseIam(text).problems).toEqual([]);
});
