// The `test` declaration of policy test files: the JSON it stands for, `test` staying a word
// everywhere else, the canonical form `fmt` prints (comments kept), and its syntax errors.
// golden/tests.iam and errors/tests.iam hold the rest.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { formatIam, parseIam, printIam, writeCanonicalJson } from "../../grammar/index.js";
import { REPO } from "../cli/helpers.js";

const valueOf = (text: string) => {
  const parsed = parseIam(text);
  expect(parsed.problems).toEqual([]);
  return parsed.value;
};

describe("test declarations", () => {
  test("each is one entry of `tests`: its header names it, its fields are the request and the decision", () => {
    expect(
      valueOf(`workspace ../company
test "alice reads" {
  principal arn:aws:iam::111111111111:user/alice
  action s3:GetObject
  resource arn:aws:s3:::app/q1.csv
  context { aws:SecureTransport = json(true), aws:SourceIp = [10.0.0.1] }
  expect allow
}
test anonymous { principal json(null)  action kvdb:Get  resource kvdb/catalog  identity org/acme  via t-ci  expect deny }
`),
    ).toEqual({
      workspace: "../company",
      tests: [
        {
          name: "alice reads",
          principal: "arn:aws:iam::111111111111:user/alice",
          action: "s3:GetObject",
          resource: "arn:aws:s3:::app/q1.csv",
          context: { "aws:SecureTransport": true, "aws:SourceIp": ["10.0.0.1"] },
          expect: "Allow",
        },
        { name: "anonymous", principal: null, action: "kvdb:Get", resource: "kvdb/catalog", identity: "org/acme", via: ["t-ci"], expect: "Deny" },
      ],
    });
  });

  test("`allow` and `deny` are the decisions Allow and Deny; other decisions are words, kept as written", () => {
    const tests = (valueOf('test a { expect allow }\ntest b { expect deny }\ntest c { expect ExplicitDeny }\ntest d { expect "allow" }\n') as { tests: { expect: string }[] }).tests;
    expect(tests.map((t) => t.expect)).toEqual(["Allow", "Deny", "ExplicitDeny", "allow"]);
  });

  test("`via` is always a list; several trusts are a comma list", () => {
    const tests = (valueOf("test a { via t-ci }\ntest b { via t-ci, t-oncall }\ntest c { via [] }\n") as { tests: { via: unknown }[] }).tests;
    expect(tests.map((t) => t.via)).toEqual([["t-ci"], ["t-ci", "t-oncall"], []]);
  });

  test("`test` is still a word where a value goes", () => {
    expect(valueOf("model aws\nprincipal test { policies test }\nresource arn:aws:s3:::test { policy test }\n")).toEqual({
      model: "aws",
      principals: [{ id: "test", policies: ["test"] }],
      resources: [{ id: "arn:aws:s3:::test", policy: "test" }],
    });
    expect(valueOf("policy P { allow s3:* on test }\n")).toEqual({ policies: [{ id: "P", document: { Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "test" }] } }] });
  });

  test("tests and workspaces may share a file; the schema check, not the grammar, says a test file has no `model`", () => {
    expect(valueOf("model aws\ntest t { expect allow }\n")).toEqual({ model: "aws", tests: [{ name: "t", expect: "Allow" }] });
  });
});

describe("the canonical form", () => {
  test("one field per line in the order name, principal, identity, via, action, resource, context, expect", () => {
    const value = {
      tests: [{ expect: "Allow", resource: "r", action: "a:B", context: { k: 1 }, via: ["t"], identity: "i", principal: "p", name: "n n" }],
    };
    const printed = printIam(value);
    expect(printed.problems).toEqual([]);
    expect(printed.text).toBe('test "n n" {\n  principal p\n  identity i\n  via t\n  action a:B\n  resource r\n  context { k = json(1) }\n  expect allow\n}\n');
    expect(writeCanonicalJson(value, "manifest")).toBe(
      '{\n  "tests": [\n    {\n      "name": "n n",\n      "principal": "p",\n      "identity": "i",\n      "via": [\n        "t"\n      ],\n      "action": "a:B",\n      "resource": "r",\n      "context": {\n        "k": 1\n      },\n      "expect": "Allow"\n    }\n  ]\n}\n',
    );
  });

  test("fmt keeps comments in and around tests, and is idempotent", () => {
    const text = "# the suite\nworkspace .\n\n# reads\ntest   r {   # why\n  action s3:GetObject   # the action\n  expect   allow\n  # more to come\n}\n";
    const once = formatIam(text).text!;
    expect(once).toBe("# the suite\nworkspace .\n\n# reads\ntest r {\n  # why\n  action s3:GetObject  # the action\n  expect allow\n  # more to come\n}\n");
    expect(formatIam(once).text).toBe(once);
  });

  test("a test without fields prints as `test NAME {}`; a name that is not a scalar becomes a field", () => {
    expect(printIam({ tests: [{ name: "t" }] }).text).toBe("test t {}\n");
    const odd = { tests: [{ name: ["a"], expect: "Deny" }] };
    const printed = printIam(odd).text!;
    expect(printed).toBe("test {\n  name [a]\n  expect deny\n}\n");
    expect(parseIam(printed).value).toEqual(odd);
  });

  test("an empty list of tests is the field `tests []`", () => {
    expect(printIam({ workspace: "w", tests: [] }).text).toBe("workspace w\n\ntests []\n");
    expect(valueOf("workspace w\ntests []\n")).toEqual({ workspace: "w", tests: [] });
  });
});

describe("syntax errors", () => {
  const problems = (text: string) => parseIam(text).problems.map((p) => ({ code: p.code, at: p.offset, message: p.message }));

  test("a test needs braces, and a field a value", () => {
    // the brace is missing at the end of the header's line: the error points there
    expect(problems('test "t"\n  action s3:GetObject\n')).toEqual([{ code: "IAMC1102", at: 8, message: "expected `{`, found `action`" }]);
    expect(problems("test t { action }\n")).toEqual([{ code: "IAMC1102", at: 16, message: "expected `allow`, `deny`, a value or `{`, found `}`" }]);
  });

  test("a field or the name written twice is IAMC1105", () => {
    expect(problems("test t { name u  action a  action b }\n").map((p) => [p.code, p.message])).toEqual([
      ["IAMC1105", "`name` is written twice"],
      ["IAMC1105", "`action` is written twice"],
    ]);
  });
});

test("docs/dsl.md's test file example is the JSON shown beside it", () => {
  const doc = readFileSync(join(REPO, "docs", "dsl.md"), "utf8");
  const section = doc.slice(doc.indexOf("## Policy test files"));
  const iam = /```iam\n([\s\S]*?)```/.exec(section)![1]!;
  const json = /```json\n([\s\S]*?)```/.exec(section)![1]!;
  expect(parseIam(iam).value).toEqual(JSON.parse(json));
});
