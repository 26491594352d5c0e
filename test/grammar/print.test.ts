// The printer and the lexer in small cases: what needs quotes, typed values, lists of one,
// comments kept by fmt, layout, and the values that have no DSL form (IAMC1106).
import { describe, expect, test } from "vitest";
import { formatIam, isBareWord, parseIam, printIam } from "../../grammar/index.js";

const statement = (fields: Record<string, unknown>) => ({ policies: [{ id: "P", document: { Statement: [{ Effect: "Allow", ...fields }] } }] });
const printed = (value: unknown, model?: string) => {
  const result = printIam(value, model === undefined ? {} : { model });
  expect(result.problems).toEqual([]);
  return result.text!;
};
const body = (value: unknown) => printed(value).split("\n").slice(1, -2).map((l) => l.trim());

describe("words and quotes", () => {
  test("a bare word is anything without spaces or punctuation, `${...}` included", () => {
    for (const word of ["s3:GetObject", "arn:aws:s3:::b/${aws:PrincipalTag/team, 'x y'}/*", "*", "10.0.0.0/8", "2001:db8::/32", "ünï", "a#b", "allowed", "user", "a$b"]) {
      expect(isBareWord(word), word).toBe(true);
    }
    for (const text of ["", "a b", "allow", "on", "AWS", "#a", "a=b", "a,b", "x(1)", 'q"', "a'b", "${open", "tab\t", "a!=b"]) {
      expect(isBareWord(text), text).toBe(false);
    }
  });

  test("strings that are not words, or are keywords, are quoted; declaration words stay bare", () => {
    const value = {
      model: "cloudalus",
      principals: [{ id: "user/ana", kind: "user" }, { id: "policy", kind: "a b" }],
    };
    expect(printed(value)).toBe('model cloudalus\n\nprincipal user/ana { kind user }\nprincipal "policy" { kind "a b" }\n');
    expect(parseIam(printed(value)).value).toEqual(value);
  });

  test("a list of one is bracketed, a list of several is not; numbers and booleans are json(...)", () => {
    expect(body(statement({ Action: ["s3:A"], Resource: ["x", "y"], Condition: { StringEquals: { k: [1, "1", true, "true", null] } } }))).toEqual([
      "allow [s3:A] on x, y when k == json(1), 1, json(true), true, json(null)",
    ]);
  });

  test("lists of entity fields drop the brackets even for one item, and spell out what is not a list of strings", () => {
    const value = { model: "aws", groups: [{ id: "a", policies: ["P"] }, { id: "b", policies: [] }, { id: "c", policies: "P" }, { id: "d", policies: [["P"]] }] };
    expect(printed(value)).toBe(
      'model aws\n\ngroup a { policies P }\ngroup b { policies [] }\ngroup c { policies json("P") }\ngroup d { policies [[P]] }\n',
    );
    expect(parseIam(printed(value)).value).toEqual(value);
  });
});

describe("layout", () => {
  test("a long statement puts each clause on a line, a long list wraps after commas", () => {
    const actions = Array.from({ length: 12 }, (_, i) => `service:LongActionName${i}`);
    const text = printed(statement({ Action: actions, Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" }, IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }));
    const lines = text.split("\n");
    expect(lines.every((line) => line.length <= 100)).toBe(true);
    const shape = lines.slice(1, -2).map((l) => l.replace(/\S.*/, "^")).join("|");
    expect(shape).toMatch(/^ {2}\^(\| {6}\^)+\| {4}\^\| {4}\^\| {4}\^$/);
    expect(text).toContain("\n    when aws:SecureTransport is true\n    and aws:SourceIp in 10.0.0.0/8\n");
    expect(parseIam(text).value).toEqual(statement({ Action: actions, Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" }, IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }));
  });

  test("declarations of one kind on one line stay together; blocks are set apart", () => {
    const value = { model: "aws", accounts: [{ id: "111111111111" }, { id: "222222222222" }], resources: [{ id: "r" }] };
    expect(printed(value)).toBe("model aws\n\naccount 111111111111\naccount 222222222222\n\nresource r\n");
  });
});

describe("fmt keeps comments", () => {
  const text = [
    "# the workspace",
    "model aws  # trailing",
    "",
    "# before P",
    "policy P {  # after the brace",
    "  # before the statement",
    "  allow s3:GetObject   on *   # why",
    "  # at the end of P",
    "}",
    "group g { policies P  # the only policy",
    "}",
    "# the end",
    "",
  ].join("\n");

  test("each comment stays with its item, and fmt is idempotent", () => {
    const once = formatIam(text).text!;
    expect(once).toBe(
      [
        "# the workspace",
        "model aws  # trailing",
        "",
        "# before P",
        "policy P {",
        "  # after the brace",
        "  # before the statement",
        "  allow s3:GetObject on *  # why",
        "  # at the end of P",
        "}",
        "",
        "group g {",
        "  policies P  # the only policy",
        "}",
        "",
        "# the end",
        "",
      ].join("\n"),
    );
    expect(formatIam(once).text).toBe(once);
  });

  test("no comment is lost, wherever it stands", () => {
    const odd = "policy # in the header\n P { allow # inside a statement\n s3:* on * }\nresource r # after a one-line declaration\n";
    const once = formatIam(odd).text!;
    for (const comment of ["# in the header", "# inside a statement", "# after a one-line declaration"]) expect(once).toContain(comment);
    expect(formatIam(once).text).toBe(once);
  });

  test("numbers keep their written form", () => {
    const text = "policy P {\n  allow * on * when n NumericLessThan json(2.50), json(1e3)\n}\n";
    expect(formatIam(text).text).toBe(text);
  });
});

describe("what has no DSL form is a problem, never a guess", () => {
  const problems = (value: unknown, model?: string) =>
    printIam(value, model === undefined ? {} : { model }).problems.map((p) => ({ code: p.code, path: p.path.join("/") }));

  test("each case, at its path", () => {
    expect(problems([])).toEqual([{ code: "IAMC1106", path: "" }]);
    expect(problems({ model: "aws", extra: 1 })).toEqual([{ code: "IAMC1106", path: "extra" }]);
    expect(problems({ policies: [{ id: "P", document: { Statement: [] } }] })).toEqual([{ code: "IAMC1106", path: "policies/0/document/Statement" }]);
    expect(problems({ policies: [{ id: "P", document: { Statement: [1] } }] })).toEqual([{ code: "IAMC1106", path: "policies/0/document/Statement/0" }]);
    expect(problems({ policies: [{ id: "P", document: { Statement: [{ Action: "*" }] } }] })).toEqual([{ code: "IAMC1106", path: "policies/0/document/Statement/0" }]);
    expect(problems(statement({ Bogus: 1 }))).toEqual([{ code: "IAMC1106", path: "policies/0/document/Statement/0/Bogus" }]);
    expect(problems(statement({ Condition: { StringEquals: "x" } }))).toEqual([{ code: "IAMC1106", path: "policies/0/document/Statement/0/Condition/StringEquals" }]);
    expect(problems({ policies: [{ id: "P", document: { rules: [] } }] })).toEqual([{ code: "IAMC1106", path: "policies/0/document/rules" }]);
    expect(problems({ policies: [{ id: "P", document: { Statement: [{ Effect: "Allow" }] } }] }, "krutrim")).toEqual([{ code: "IAMC1106", path: "policies/0/document/Statement" }]);
    expect(problems({ policies: [{ id: ["P"], document: {} }] })).toEqual([{ code: "IAMC1106", path: "policies/0/id" }]);
  });
});

describe("parsing", () => {
  test("a file's own `model` line decides how its policies read; without one, the caller's model", () => {
    const rules = "policy P {\n  allow vm Read on *\n}\n";
    expect(parseIam(rules, { model: "krutrim" }).value).toEqual({ policies: [{ id: "P", document: { rules: [{ effect: "Allow", service: "vm", operations: ["Read"], resources: ["*"] }] } }] });
    expect(parseIam(rules).problems.map((p) => p.code)).toEqual(["IAMC1102"]);
    expect(parseIam(`model krutrim\n${rules}`, { model: "aws" }).problems).toEqual([]);
  });

  test("a byte order mark and CRLF line ends are fine; offsets stay those of the file", () => {
    const parsed = parseIam("\uFEFFmodel aws\r\npolicy P {\r\n  allow * on *\r\n}\r\n");
    expect(parsed.problems).toEqual([]);
    expect(parsed.tree!.children![0]!.offset).toBe(1);
  });

  test("an empty file is an empty manifest", () => {
    expect(parseIam("").value).toEqual({});
    expect(parseIam("# only a comment\n").value).toEqual({});
  });
});
