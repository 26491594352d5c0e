// The syntax-error corpus: each test/grammar/errors/NAME.iam holds mistakes, and NAME.json the
// diagnostics they must give: code, line and column, and the message's gist. Several errors in
// one file are all reported. `IAMC_UPDATE_GOLDEN=1` rewrites the .json files (read the diff).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parseIamSource } from "../../compiler/iam-source.js";
import { renderDiagnostics } from "../../compiler/render.js";
import { checkStyle } from "../compiler/front-end-helpers.js";

const ERRORS = fileURLToPath(new URL("./errors/", import.meta.url));
const UPDATE = process.env.IAMC_UPDATE_GOLDEN === "1";
const NAMES = readdirSync(ERRORS)
  .filter((f) => f.endsWith(".iam"))
  .map((f) => f.slice(0, -4))
  .sort();

interface Expected {
  readonly code: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

describe.each(NAMES)("%s.iam", (name) => {
  const file = join(ERRORS, `${name}.iam`);
  const text = readFileSync(file, "utf8");
  const result = parseIamSource(file, text);

  test("reports every error with its code, line:column and message", () => {
    expect(result.value).toBeUndefined();
    const actual: Expected[] = result.diagnostics.map((d) => ({ code: d.code, line: d.span!.line, column: d.span!.column, message: d.message }));
    const expectedFile = join(ERRORS, `${name}.json`);
    if (UPDATE) writeFileSync(expectedFile, JSON.stringify(actual, null, 2) + "\n");
    expect(actual).toEqual(JSON.parse(readFileSync(expectedFile, "utf8")) as Expected[]);
  });

  test("every diagnostic is styled, located and helpful", () => {
    for (const d of result.diagnostics) {
      checkStyle(d);
      expect(d.file).toBe(file);
      expect(d.help!.length).toBeGreaterThan(10);
    }
  });
});

test("several syntax errors in one file are all reported", () => {
  for (const name of ["several-statements", "unknown-declaration", "written-twice", "values"]) {
    const text = readFileSync(join(ERRORS, `${name}.iam`), "utf8");
    expect(parseIamSource(name, text).diagnostics.length, name).toBeGreaterThanOrEqual(3);
  }
});

test("a DSL error renders like a JSON one: FILE:LINE:COL, the code, a code frame with a caret, and help", () => {
  const text = "policy P {\n  allow s3:* onn *\n}\n";
  const { diagnostics } = parseIamSource("p.iam", text);
  expect(renderDiagnostics(diagnostics, { color: false, readSource: () => text })).toBe(
    [
      "p.iam:2:14 - error IAMC1102: expected a clause (`on`, `by`, `when`), `,` or the next statement, found `onn`",
      "2 |   allow s3:* onn *",
      "  |              ^^^",
      "  help: did you mean `on`? a statement is `allow ACTIONS on RESOURCES [by PRINCIPALS] [when CONDITIONS]`; end the policy with `}`",
      "",
      "1 error, 0 warnings",
      "",
    ].join("\n"),
  );
});
