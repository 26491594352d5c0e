// Golden files of the grammar: each test/grammar/golden/NAME.iam must parse to NAME.json, and
// printing NAME.json must give what `fmt` gives for NAME.iam. Together they cover every
// construct of every model. `IAMC_UPDATE_GOLDEN=1 npx vitest run test/grammar/golden.test.ts`
// rewrites the .json files from the .iam files (read the diff before committing it).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseTree } from "jsonc-parser";
import { describe, expect, test } from "vitest";
import { formatIam, parseIam, plainValue, printIam, writeCanonicalJson } from "../../grammar/index.js";

const GOLDEN = fileURLToPath(new URL("./golden/", import.meta.url));
const UPDATE = process.env.IAMC_UPDATE_GOLDEN === "1";
const NAMES = readdirSync(GOLDEN)
  .filter((f) => f.endsWith(".iam"))
  .map((f) => f.slice(0, -4))
  .sort();
/** Goldens written in the canonical form: `fmt` leaves them as they are. */
const NOT_CANONICAL = new Set(["sugar"]);

const read = (name: string, extension: string) => readFileSync(join(GOLDEN, `${name}.${extension}`), "utf8");

function readJson(name: string) {
  const text = read(name, "json");
  return plainValue(parseTree(text)!, text);
}

test("the golden corpus covers every model and the fragments", () => {
  expect(NAMES).toEqual(expect.arrayContaining(["aws-statements", "aws-workspace", "cloudalus", "krutrim", "fragment", "sugar", "empty-lists"]));
});

describe.each(NAMES)("%s", (name) => {
  const text = read(name, "iam");
  const parsed = parseIam(text);

  test("parses without a problem to the golden JSON", () => {
    expect(parsed.problems).toEqual([]);
    if (UPDATE) writeFileSync(join(GOLDEN, `${name}.json`), writeCanonicalJson(parsed.value, "manifest", { rawNumbers: parsed.rawNumbers }));
    expect(parsed.value).toEqual(readJson(name).value);
  });

  test("printing the JSON gives fmt's text", () => {
    const json = readJson(name);
    const printed = printIam(json.value, { model: parsed.model, rawNumbers: json.rawNumbers });
    expect(printed.problems).toEqual([]);
    const formatted = printIam(parsed.value, { model: parsed.model, rawNumbers: parsed.rawNumbers });
    expect(printed.text).toBe(formatted.text);
  });

  test("fmt is idempotent (and leaves a canonical file as it is)", () => {
    const once = formatIam(text).text!;
    expect(formatIam(once).text).toBe(once);
    if (!NOT_CANONICAL.has(name)) expect(once).toBe(text);
  });

  test("canonical JSON -> DSL -> canonical JSON is byte-identical", () => {
    const canonical = writeCanonicalJson(parsed.value, "manifest", { rawNumbers: parsed.rawNumbers });
    const again = readCanonical(canonical);
    const printed = printIam(again.value, { model: parsed.model, rawNumbers: again.rawNumbers });
    const reparsed = parseIam(printed.text!, { model: parsed.model });
    expect(reparsed.problems).toEqual([]);
    expect(writeCanonicalJson(reparsed.value, "manifest", { rawNumbers: reparsed.rawNumbers })).toBe(canonical);
  });
});

function readCanonical(text: string) {
  return plainValue(parseTree(text)!, text);
}

describe("the canonical JSON form", () => {
  test("orders keys per kind of object, keeps unknown keys after, and numbers as written", () => {
    const text = '{"resources": [], "policies": [{"document": {"Statement": [{"Resource": "*", "Action": "s3:*", "Effect": "Allow", "Condition": {"NumericLessThan": {"n": 2.50}}}], "Version": "2012-10-17"}, "id": "P"}], "model": "aws", "extra": 1}';
    const { value, rawNumbers } = readCanonical(text);
    expect(writeCanonicalJson(value, "manifest", { rawNumbers })).toBe(
      [
        "{",
        '  "model": "aws",',
        '  "policies": [',
        "    {",
        '      "id": "P",',
        '      "document": {',
        '        "Version": "2012-10-17",',
        '        "Statement": [',
        "          {",
        '            "Effect": "Allow",',
        '            "Action": "s3:*",',
        '            "Resource": "*",',
        '            "Condition": {',
        '              "NumericLessThan": {',
        '                "n": 2.50',
        "              }",
        "            }",
        "          }",
        "        ]",
        "      }",
        "    }",
        "  ],",
        '  "resources": [],',
        '  "extra": 1',
        "}",
        "",
      ].join("\n"),
    );
  });

  test("a policy document's own order: name, description, Version, Id, statements", () => {
    const document = { rules: [{ resources: ["*"], effect: "Allow", service: "vm", operations: ["Read"] }], description: "d", name: "N" };
    expect(JSON.parse(writeCanonicalJson(document, "document"))).toEqual(document);
    expect(Object.keys(JSON.parse(writeCanonicalJson(document, "document")))).toEqual(["name", "description", "rules"]);
    expect(writeCanonicalJson(document, "document")).toContain('"service": "vm",\n      "operations"');
  });
});
