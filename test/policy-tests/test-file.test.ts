// Policy test files: the JSON and DSL forms read as the same tests, and every problem is
// reported with its code, JSON pointer and line:column, in either form.
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseJsonSource } from "../../compiler/json-source.js";
import { checkPolicyTestFile, readPolicyTestFile, type PolicyTestFile } from "../../compiler/policy-tests/index.js";
import { REPO } from "../cli/helpers.js";
import { brief, checkStyle } from "../compiler/front-end-helpers.js";

const FIXTURES = join(REPO, "test", "fixtures", "policy-tests");

/** What a file says, without where it says it. */
const meaning = (file: PolicyTestFile) => ({ workspace: file.workspace, tests: file.tests.map(({ name, request, expect }) => ({ name, request, expect })) });

async function read(path: string): Promise<PolicyTestFile> {
  const result = await readPolicyTestFile(path);
  expect(result.diagnostics).toEqual([]);
  return result.value!;
}

describe("the JSON and DSL forms are the same tests", () => {
  test.each([
    ["examples/company/tests.json", "examples/company/tests.iam"],
    ["test/fixtures/policy-tests/passing.json", "test/fixtures/policy-tests/passing.iam"],
  ])("%s and %s", async (json, dsl) => {
    const [a, b] = await Promise.all([read(join(REPO, json)), read(join(REPO, dsl))]);
    expect(meaning(b)).toEqual(meaning(a));
    expect(a.tests.length).toBeGreaterThan(3);
  });

  test("a test becomes a request: null principal, context, identity and via as written", async () => {
    const file = await read(join(FIXTURES, "passing.iam"));
    expect(file.workspace).toBe("small");
    expect(file.tests[1]).toMatchObject({
      name: "alice uploads",
      request: { principal: "arn:aws:iam::111111111111:user/alice", action: "s3:PutObject", context: { "aws:SecureTransport": true } },
      expect: "Allow",
    });
    expect(file.tests[3]!.request.principal).toBeNull();
    // each test remembers where it is written, for the report
    expect(file.tests[2]!.origin?.span).toMatchObject({ line: 19, column: 1 });
  });
});

describe("problems are located in either form", () => {
  const JSON_PROBLEMS = [
    { code: "IAMC2002", pointer: "/tests/0/principal", line: 4, column: 5 },
    { code: "IAMC2016", pointer: "/tests/1/expect", line: 5, column: 113 },
    { code: "IAMC2015", pointer: "/tests/2/name", line: 6, column: 15 },
    { code: "IAMC2003", pointer: "/tests/3/contxt", line: 7, column: 119 },
    { code: "IAMC2001", pointer: "/tests/4/principal", line: 8, column: 42 },
    { code: "IAMC2001", pointer: "/tests/4/action", line: 8, column: 55 },
    { code: "IAMC2001", pointer: "/tests/4/context/k", line: 8, column: 94 },
    { code: "IAMC2003", pointer: "/worksapce", line: 10, column: 3 },
  ];
  // the same mistakes in the DSL (where an unknown top-level word is a syntax error instead)
  const DSL_PROBLEMS = [
    { code: "IAMC2002", pointer: "/tests/0/principal", line: 3, column: 1 },
    { code: "IAMC2016", pointer: "/tests/1/expect", line: 13, column: 10 },
    { code: "IAMC2015", pointer: "/tests/2/name", line: 16, column: 6 },
    { code: "IAMC2003", pointer: "/tests/3/contxt", line: 28, column: 3 },
    { code: "IAMC2001", pointer: "/tests/4/principal", line: 32, column: 18 },
    { code: "IAMC2001", pointer: "/tests/4/action", line: 33, column: 10 },
    { code: "IAMC2001", pointer: "/tests/4/context/k", line: 35, column: 17 },
  ];

  test.each([
    ["invalid.json", JSON_PROBLEMS],
    ["invalid.iam", DSL_PROBLEMS],
  ])("%s: every problem, in file order, with code, pointer and line:column", async (name, expected) => {
    const file = join(FIXTURES, name);
    const result = await readPolicyTestFile(file);
    expect(result.value).toBeUndefined();
    expect(result.diagnostics.map(brief)).toEqual(expected);
    for (const d of result.diagnostics) {
      checkStyle(d);
      expect(d.file).toBe(file);
    }
  });

  test("messages say what is wrong and help says what to write", async () => {
    const { diagnostics } = await readPolicyTestFile(join(FIXTURES, "invalid.json"));
    const byCode = (code: string) => diagnostics.find((d) => d.code === code)!;
    expect(byCode("IAMC2016")).toMatchObject({ message: "`Alow` is not a decision" });
    expect(byCode("IAMC2016").help).toMatch(/^did you mean `Allow`\?/);
    expect(byCode("IAMC2015")).toMatchObject({ message: "two tests are named `a misspelt decision`" });
    expect(byCode("IAMC2015").help).toContain("the test at 5:15");
    expect(byCode("IAMC2002").message).toBe("missing required field `principal`");
  });

  test.each([
    ["empty.json", { code: "IAMC2017", pointer: "/tests", line: 1, column: 34 }],
    ["empty.iam", { code: "IAMC2017", pointer: "", line: 2, column: 1 }],
  ])("%s holds no test: IAMC2017", async (name, expected) => {
    const { diagnostics } = await readPolicyTestFile(join(FIXTURES, name));
    expect(diagnostics.map(brief)).toEqual([expected]);
  });

  test("each missing field is reported, and a file that cannot be read is IAMC1002", async () => {
    const json = checkPolicyTestFile(parseJsonSource("t.json", '{"tests": [{"name": "a", "expect": "Allow"}]}').value!);
    expect(json.diagnostics.map((d) => d.code)).toEqual(["IAMC2002", "IAMC2002", "IAMC2002"]);
    const missing = await readPolicyTestFile(join(FIXTURES, "no-such-file.json"));
    expect(missing.diagnostics.map((d) => d.code)).toEqual(["IAMC1002"]);
  });

  test("`expect` must be one of the four decisions, with a suggestion for a near miss", () => {
    const check = (expect: string) =>
      checkPolicyTestFile(parseJsonSource("t.json", JSON.stringify({ tests: [{ name: "t", principal: null, action: "a:B", resource: "r", expect }] })).value!);
    for (const ok of ["Allow", "ExplicitDeny", "ImplicitDeny", "Deny"]) expect(check(ok).diagnostics).toEqual([]);
    expect(check("implicitdeny").diagnostics[0]!.help).toMatch(/^did you mean `ImplicitDeny`\?/);
    expect(check("Maybe").diagnostics.map((d) => d.code)).toEqual(["IAMC2016"]);
  });
});
