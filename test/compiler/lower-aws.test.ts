import { describe, expect, test } from "vitest";
import type { Policy } from "../../compiler/ir.js";
import { parseConditionOperator } from "../../compiler/lower-aws.js";
import { at, brief, codes, loadText, manifest, only } from "./front-end-helpers.js";

const allow = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
/** Loads one identity policy `P` held by one principal, and returns the result. */
const one = (statement: unknown, version: string | null = "2012-10-17") =>
  loadText(manifest({ P: statement }, { principals: [{ id: "u", policies: ["P"] }] }, version));
/** Loads one resource policy `R` attached to one resource. */
const resourcePolicy = (statement: unknown) =>
  loadText(manifest({ R: statement }, { resources: [{ id: "arn:aws:s3:::b", policy: "R" }] }));
const policyOf = (result: ReturnType<typeof one>, id = "P"): Policy => {
  expect(result.diagnostics).toEqual([]);
  return result.value!.policies.get(id)!;
};

describe("statements lower to the IR", () => {
  test("Effect, Action, Resource, Sid, index and origin", () => {
    const text = manifest({ P: [allow, { Sid: "Two", Effect: "Deny", NotAction: ["iam:*", "sts:Get?ession*"], NotResource: "arn:aws:s3:::x" }] }, { principals: [{ id: "u", policies: ["P"] }] });
    const result = loadText(text);
    const policy = policyOf(result);
    expect(policy.version).toBe("2012-10-17");
    expect(policy.origin).toMatchObject({ file: "iamc.json", pointer: "/policies/0/document", span: at(text, '{\n        "Version"') });
    const [first, second] = policy.statements;
    expect(first).toMatchObject({
      effect: "Allow",
      actions: { negated: false, patterns: [{ source: "s3:GetObject", parts: [{ kind: "text", text: "s3:GetObject" }] }] },
      resources: { negated: false, patterns: [{ source: "*", parts: [{ kind: "text", text: "*" }] }] },
      conditions: [],
      source: { policy: "P", index: 0, origin: { pointer: "/policies/0/document/Statement/0" } },
    });
    expect(first!.principals).toBeUndefined();
    expect(first!.source.sid).toBeUndefined();
    expect(second).toMatchObject({
      effect: "Deny",
      actions: { negated: true, patterns: [{ source: "iam:*" }, { source: "sts:Get?ession*" }] },
      resources: { negated: true, patterns: [{ source: "arn:aws:s3:::x" }] },
      source: { sid: "Two", index: 1 },
    });
  });

  test("a single statement object is one statement at /Statement", () => {
    const policy = policyOf(one(allow));
    expect(policy.statements).toHaveLength(1);
    expect(policy.statements[0]!.source.origin!.pointer).toBe("/policies/0/document/Statement");
  });

  test("actions must be `*` or service:pattern (IAMC2011)", () => {
    const text = manifest({ P: { ...allow, Action: ["s3:Get*", "*", "s3GetObject", "s3:", ":x", "s3:Get Object", ""] } }, { principals: [{ id: "u", policies: ["P"] }] });
    const result = loadText(text);
    expect(result.diagnostics.map(brief)).toEqual(
      [2, 3, 4, 5, 6].map((i) => ({ code: "IAMC2011", pointer: `/policies/0/document/Statement/Action/${i}`, ...at(text, ["\"s3GetObject\"", '"s3:"', '":x"', '"s3:Get Object"', '""'][i - 2]!) })),
    );
    expect(result.diagnostics[0]!.message).toBe("action `s3GetObject` is not of the form `service:Action`");
    expect(result.diagnostics[0]!.help).toContain("`s3:s3GetObject`");
  });
});

describe("schema errors in a statement", () => {
  test.each([
    ["wrong type", { ...allow, Effect: 1 }, "IAMC2001", "/Effect", '"Effect": 1', 10, "`Effect` must be `Allow` or `Deny`, not a number"],
    ["wrong type in a list", { ...allow, Resource: ["a", 2] }, "IAMC2001", "/Resource/1", "2\n", 0, "`Resource[1]` must be a string, not a number"],
    ["empty list", { ...allow, Action: [] }, "IAMC2001", "/Action", '"Action": []', 10, "`Action` must not be an empty array"],
    ["bad enum", { ...allow, Effect: "allow" }, "IAMC2004", "/Effect", '"allow"', 0, "`Effect` must be `Allow` or `Deny`, not `allow`"],
    ["unknown key", { ...allow, Efect: "Allow" }, "IAMC2003", "/Efect", '"Efect"', 0, "unknown field `Efect`"],
    ["object where a string is", { ...allow, Sid: {} }, "IAMC2001", "/Sid", '"Sid": {}', 7, "`Sid` must be a string, not an object"],
    ["principal string other than *", { ...allow, Principal: "arn:aws:iam::111111111111:root" }, "IAMC2004", "/Principal", '"arn:aws:iam::111111111111:root"', 0, "`Principal` must be `*`, not `arn:aws:iam::111111111111:root`"],
    ["unknown principal kind", { ...allow, Principal: { Aws: "*" } }, "IAMC2003", "/Principal/Aws", '"Aws"', 0, "unknown field `Aws`"],
    ["condition value null", { ...allow, Condition: { StringEquals: { k: null } } }, "IAMC2001", "/Condition/StringEquals/k", "null", 0, "`k` must be a string, a number, a boolean or an array, not null"],
    ["condition block not an object", { ...allow, Condition: { Bool: "true" } }, "IAMC2001", "/Condition/Bool", '"true"', 0, "`Bool` must be an object, not a string"],
  ])("%s", (_, statement, code, pointer, needle, shift, message) => {
    const text = manifest({ P: statement }, { resources: [{ id: "r", policy: "P" }] });
    const d = only(loadText(text));
    const where = at(text, needle);
    expect(brief(d)).toEqual({ code, pointer: `/policies/0/document/Statement${pointer}`, line: where.line, column: where.column + shift });
    expect(d.message).toBe(message);
    expect(d.file).toBe("iamc.json");
    expect(d.severity).toBe("error");
  });

  test("unknown fields get a did-you-mean, bad enums too", () => {
    expect(only(one({ ...allow, Conditions: {} })).help).toBe("did you mean `Condition`?");
    const lower = one({ Effect: "Allow", Action: "*", resource: "*" });
    expect(codes(lower)).toEqual(["IAMC2005", "IAMC2003"]);
    expect(lower.diagnostics[1]!.help).toBe("did you mean `Resource`?");
    expect(only(one({ ...allow, Effect: "deny" })).help).toBe("did you mean `Deny`? (values are case-sensitive)");
    expect(only(one({ ...allow, Banana: 1 })).help).toMatch(/^remove it; allowed fields: `Sid`, `Effect`/);
  });

  test("a missing Effect is IAMC2002 at the statement", () => {
    const text = manifest({ P: [allow, { Action: "s3:*", Resource: "*" }] }, { principals: [{ id: "u", policies: ["P"] }] });
    const d = only(loadText(text));
    expect(brief(d)).toEqual({ code: "IAMC2002", pointer: "/policies/0/document/Statement/1/Effect", ...at(text, "{\n            \"Action\": \"s3:*\"") });
    expect(d.message).toBe("missing required field `Effect`");
    expect(d.help).toContain("allows or denies");
  });

  test("document-level errors: Version, Statement, unknown fields", () => {
    const text = JSON.stringify({ model: "aws", policies: [
      { id: "A", document: { Version: "2012-10-18", Statement: [allow] } },
      { id: "B", document: { Statement: [] } },
      { id: "C", document: { Version: "2012-10-17" } },
      { id: "D", document: { Statment: [allow], Statement: allow } },
      { id: "E", document: { Statement: "nope" } },
    ] }, null, 2);
    const result = loadText(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2004", pointer: "/policies/0/document/Version", ...at(text, '"2012-10-18"') },
      { code: "IAMC2001", pointer: "/policies/1/document/Statement", ...at(text, "[]") },
      { code: "IAMC2002", pointer: "/policies/2/document/Statement", ...at(text, '{\n        "Version": "2012-10-17"\n') },
      { code: "IAMC2003", pointer: "/policies/3/document/Statment", ...at(text, '"Statment"') },
      { code: "IAMC2001", pointer: "/policies/4/document/Statement", ...at(text, '"nope"') },
    ]);
    expect(result.diagnostics[3]!.help).toBe("did you mean `Statement`?");
    expect(result.diagnostics[4]!.message).toBe("`Statement` must be an object or an array, not a string");
  });
});

describe("pairs of fields (IAMC2005)", () => {
  test("both Action and NotAction, neither Resource nor NotResource, Principal and NotPrincipal", () => {
    const text = manifest({
      P: [
        { Effect: "Allow", Action: "s3:*", NotAction: "iam:*", Resource: "*" },
        { Effect: "Allow", Action: "s3:*" },
        { Effect: "Allow", Action: "s3:*", Resource: "*", Principal: "*", NotPrincipal: { AWS: "x" } },
        { Effect: "Allow", Resource: "*", Principal: "*" },
      ],
    }, { resources: [{ id: "r", policy: "P" }] });
    const result = loadText(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2005", pointer: "/policies/0/document/Statement/0/NotAction", ...at(text, '"NotAction"') },
      { code: "IAMC2005", pointer: "/policies/0/document/Statement/1", ...at(text, '{\n            "Effect": "Allow",\n            "Action": "s3:*"\n          }') },
      { code: "IAMC2005", pointer: "/policies/0/document/Statement/2/NotPrincipal", ...at(text, '"NotPrincipal"') },
      { code: "IAMC2005", pointer: "/policies/0/document/Statement/3", ...at(text, '{\n            "Effect": "Allow",\n            "Resource": "*"') },
    ]);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      "a statement has both `Action` and `NotAction`",
      "a statement needs `Resource` or `NotResource`",
      "a statement has both `Principal` and `NotPrincipal`",
      "a statement needs `Action` or `NotAction`",
    ]);
  });
});

describe("principals", () => {
  test("forms lower to everyone, account and exact principal refs", () => {
    const result = resourcePolicy([
      { ...allow, Principal: "*" },
      { ...allow, Principal: { AWS: "*" } },
      { ...allow, Principal: { AWS: ["111111111111", "arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:role/ci"] } },
      { ...allow, Principal: { Service: "lambda.amazonaws.com", Federated: ["cognito-identity.amazonaws.com"], CanonicalUser: "79a59df900b949e5" } },
      { ...allow, NotPrincipal: { AWS: "arn:aws:iam::111111111111:user/bob" } },
    ]);
    const statements = policyOf(result, "R").statements;
    expect(statements.map((s) => s.principals)).toEqual([
      { negated: false, refs: [{ kind: "everyone" }] },
      { negated: false, refs: [{ kind: "everyone" }] },
      { negated: false, refs: [{ kind: "account", account: "111111111111" }, { kind: "account", account: "222222222222" }, { kind: "principal", id: "arn:aws:iam::333333333333:role/ci" }] },
      { negated: false, refs: [{ kind: "principal", id: "lambda.amazonaws.com" }, { kind: "principal", id: "cognito-identity.amazonaws.com" }, { kind: "principal", id: "79a59df900b949e5" }] },
      { negated: true, refs: [{ kind: "principal", id: "arn:aws:iam::111111111111:user/bob" }] },
    ]);
  });

  test("wildcards other than a lone `*` are IAMC2009; an empty map is IAMC2001", () => {
    const result = resourcePolicy([
      { ...allow, Principal: { AWS: ["arn:aws:iam::111111111111:user/*", "arn:aws:iam::11111111111?:root"] } },
      { ...allow, Principal: { Service: "*" } },
      { ...allow, Principal: {} },
    ]);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2009", pointer: "/policies/0/document/Statement/0/Principal/AWS/0", line: expect.any(Number), column: expect.any(Number) },
      { code: "IAMC2009", pointer: "/policies/0/document/Statement/0/Principal/AWS/1", line: expect.any(Number), column: expect.any(Number) },
      { code: "IAMC2009", pointer: "/policies/0/document/Statement/1/Principal/Service", line: expect.any(Number), column: expect.any(Number) },
      { code: "IAMC2001", pointer: "/policies/0/document/Statement/2/Principal", line: expect.any(Number), column: expect.any(Number) },
    ]);
    expect(result.diagnostics[2]!.help).toContain("not under `Service`");
  });
});

describe("conditions", () => {
  test("operator keys: qualifiers, IfExists, NullIfExists", () => {
    expect(parseConditionOperator("StringEquals")).toEqual({ ok: true, value: { operator: "StringEquals", qualifier: "none", ifExists: false } });
    expect(parseConditionOperator("ForAllValues:StringLikeIfExists")).toEqual({ ok: true, value: { operator: "StringLike", qualifier: "ForAllValues", ifExists: true } });
    expect(parseConditionOperator("ForAnyValue:ArnLike")).toEqual({ ok: true, value: { operator: "ArnLike", qualifier: "ForAnyValue", ifExists: false } });
    expect(parseConditionOperator("NullIfExists")).toEqual({ ok: true, value: { operator: "Null", qualifier: "none", ifExists: false } });
    expect(parseConditionOperator("StringEqual")).toEqual({ ok: false, suggestion: "StringEquals" });
    expect(parseConditionOperator("stringequals")).toEqual({ ok: false, suggestion: "StringEquals" });
    expect(parseConditionOperator("ForAnyValues:StringEquals")).toEqual({ ok: false, suggestion: "ForAnyValue:StringEquals" });
    expect(parseConditionOperator("ForAllValue:StringEqualsIfExist")).toEqual({ ok: false, suggestion: "ForAllValues:StringEqualsIfExists" });
    expect(parseConditionOperator("IpAdress")).toEqual({ ok: false, suggestion: "IpAddress" });
    expect(parseConditionOperator("Maybe:StringEquals")).toEqual({ ok: false });
    expect(parseConditionOperator("Whatever")).toEqual({ ok: false });
    expect(parseConditionOperator("IfExists")).toEqual({ ok: false });
  });

  test("unknown operator is IAMC2006 at its key, with did-you-mean", () => {
    const text = manifest({ P: { ...allow, Condition: { StringEqual: { "aws:username": "bob" }, Bool: { "aws:SecureTransport": "true" } } } });
    const d = only(loadText(text));
    expect(brief(d)).toEqual({ code: "IAMC2006", pointer: "/policies/0/document/Statement/Condition/StringEqual", ...at(text, '"StringEqual"') });
    expect(d.message).toBe("unknown condition operator `StringEqual`");
    expect(d.help).toBe("did you mean `StringEquals`? (operator names are case-sensitive)");
  });

  test("values lower to text as written; String/Arn values are templates under 2012-10-17", () => {
    const text = manifest({
      P: {
        ...allow,
        Condition: {
          "ForAnyValue:StringLike": { "aws:TagKeys": ["${aws:username}-*", "a${*}b"] },
          NumericLessThan: { "aws:MultiFactorAuthAge": [3600, 2.50, "10"] },
          Bool: { "aws:SecureTransport": true },
          NullIfExists: { "aws:TokenIssueTime": "false" },
          DateGreaterThan: { "aws:CurrentTime": "2024-01-01T00:00:00Z" },
          ArnLikeIfExists: { "aws:SourceArn": "arn:aws:sns:*:${aws:PrincipalAccount}:*" },
        },
      },
    });
    const conditions = policyOf(loadText(text)).statements[0]!.conditions;
    expect(conditions.map(({ origin: _, ...c }) => c)).toEqual([
      { operator: "StringLike", qualifier: "ForAnyValue", ifExists: false, key: "aws:TagKeys", values: [
        { source: "${aws:username}-*", parts: [{ kind: "variable", key: "aws:username" }, { kind: "text", text: "-*" }] },
        { source: "a${*}b", parts: [{ kind: "text", text: "a" }, { kind: "literal", text: "*" }, { kind: "text", text: "b" }] },
      ] },
      { operator: "NumericLessThan", qualifier: "none", ifExists: false, key: "aws:MultiFactorAuthAge", values: [
        { source: "3600", parts: [{ kind: "text", text: "3600" }] },
        { source: "2.5", parts: [{ kind: "text", text: "2.5" }] },
        { source: "10", parts: [{ kind: "text", text: "10" }] },
      ] },
      { operator: "Bool", qualifier: "none", ifExists: false, key: "aws:SecureTransport", values: [{ source: "true", parts: [{ kind: "text", text: "true" }] }] },
      { operator: "Null", qualifier: "none", ifExists: false, key: "aws:TokenIssueTime", values: [{ source: "false", parts: [{ kind: "text", text: "false" }] }] },
      { operator: "DateGreaterThan", qualifier: "none", ifExists: false, key: "aws:CurrentTime", values: [{ source: "2024-01-01T00:00:00Z", parts: [{ kind: "text", text: "2024-01-01T00:00:00Z" }] }] },
      { operator: "ArnLike", qualifier: "none", ifExists: true, key: "aws:SourceArn", values: [
        { source: "arn:aws:sns:*:${aws:PrincipalAccount}:*", parts: [{ kind: "text", text: "arn:aws:sns:*:" }, { kind: "variable", key: "aws:PrincipalAccount" }, { kind: "text", text: ":*" }] },
      ] },
    ]);
    expect(conditions[0]!.origin).toMatchObject({ file: "iamc.json", pointer: "/policies/0/document/Statement/Condition/ForAnyValue:StringLike/aws:TagKeys", span: at(text, '"aws:TagKeys"') });
  });

  test("a number keeps its written form (`2.50` stays `2.50`)", () => {
    const text = '{"model": "aws", "policies": [{"id": "P", "document": {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"k": 2.50}}}}}]}';
    expect(policyOf(loadText(text)).statements[0]!.conditions[0]!.values[0]!.source).toBe("2.50");
  });

  test.each([
    ["IpAddress", "10.0.0.300/8", "is not a CIDR"],
    ["NotIpAddress", "10.0.0.0/33", "is not a CIDR"],
    ["NumericLessThan", "ten", "is not a number"],
    ["NumericEquals", 1e21, "is not a number"],
    ["DateLessThan", "yesterday", "is not a date"],
    ["DateEquals", "2024-02-30", "is not a date"],
    ["BinaryEquals", "abc", "is not base64"],
    ["Bool", "yes", "is not a boolean"],
    ["Null", 1, "is not a boolean"],
  ])("%s `%s` is IAMC2007 at the value", (operator, value, message) => {
    const text = manifest({ P: { ...allow, Condition: { [operator]: { "aws:k": [value] } } } });
    const d = only(loadText(text));
    expect(d.code).toBe("IAMC2007");
    expect(d.pointer).toBe(`/policies/0/document/Statement/Condition/${operator}/aws:k/0`);
    expect(text.slice(d.span!.offset, d.span!.endOffset)).toBe(JSON.stringify(value));
    expect(d.message).toContain(message);
    expect(d.help).toBeTruthy();
  });

  test("keys with `/` and `~` are escaped in pointers and still located", () => {
    const text = manifest({ P: { ...allow, Condition: { DateEquals: { "aws:PrincipalTag/a~b": "soon" } } } });
    const d = only(loadText(text));
    expect(brief(d)).toEqual({ code: "IAMC2007", pointer: "/policies/0/document/Statement/Condition/DateEquals/aws:PrincipalTag~1a~0b", ...at(text, '"soon"') });
  });

  test("an empty value list is IAMC2007; several bad values are all reported", () => {
    const text = manifest({ P: { ...allow, Condition: { StringEquals: { "aws:k": [] }, IpAddress: { "aws:SourceIp": ["1.2.3.4/40", "10.0.0.0/8", "nope"] } } } });
    const result = loadText(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2007", pointer: "/policies/0/document/Statement/Condition/StringEquals/aws:k", ...at(text, "[]") },
      { code: "IAMC2007", pointer: "/policies/0/document/Statement/Condition/IpAddress/aws:SourceIp/0", ...at(text, '"1.2.3.4/40"') },
      { code: "IAMC2007", pointer: "/policies/0/document/Statement/Condition/IpAddress/aws:SourceIp/2", ...at(text, '"nope"') },
    ]);
  });
});

describe("policy variables by Version", () => {
  const statement = { ...allow, Resource: ["arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::t/${aws:PrincipalTag/team, 'none'}"], Condition: { StringEquals: { "s3:prefix": "${aws:username}" }, NumericEquals: { k: "1" } } };

  test("2012-10-17 reads variables in Resource and String/Arn values", () => {
    const [s] = policyOf(one(statement)).statements;
    expect(s!.resources.patterns.map((p) => p.parts)).toEqual([
      [{ kind: "text", text: "arn:aws:s3:::home/" }, { kind: "variable", key: "aws:username" }, { kind: "text", text: "/*" }],
      [{ kind: "text", text: "arn:aws:s3:::t/" }, { kind: "variable", key: "aws:PrincipalTag/team", fallback: "none" }],
    ]);
    expect(s!.conditions[0]!.values[0]!.parts).toEqual([{ kind: "variable", key: "aws:username" }]);
  });

  test.each([["2008-10-17"], [null]])("version %s keeps everything as text", (version) => {
    const policy = policyOf(one({ ...statement, Resource: "arn:${unterminated" }, version));
    expect(policy.version).toBe(version ?? undefined);
    const [s] = policy.statements;
    expect(s!.resources.patterns[0]!.parts).toEqual([{ kind: "text", text: "arn:${unterminated" }]);
    expect(s!.conditions[0]!.values[0]!.parts).toEqual([{ kind: "text", text: "${aws:username}" }]);
  });

  test("actions are never templates", () => {
    const [s] = policyOf(one({ ...allow, Action: "s3:Get*" })).statements;
    expect(s!.actions.patterns[0]!.parts).toEqual([{ kind: "text", text: "s3:Get*" }]);
    expect(codes(one({ ...allow, Action: "s3:${aws:username}" }))).toEqual(["IAMC2011"]);
  });

  test("unterminated or empty `${` is IAMC2008 at the value", () => {
    const text = manifest({ P: { ...allow, Resource: ["arn:aws:s3:::${aws:username", "arn:${}"], Condition: { StringLike: { k: "${}" } } } }, { principals: [{ id: "u", policies: ["P"] }] });
    const result = loadText(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2008", pointer: "/policies/0/document/Statement/Resource/0", ...at(text, '"arn:aws:s3:::${aws:username"') },
      { code: "IAMC2008", pointer: "/policies/0/document/Statement/Resource/1", ...at(text, '"arn:${}"') },
      { code: "IAMC2008", pointer: "/policies/0/document/Statement/Condition/StringLike/k", ...at(text, '"${}"') },
    ]);
    expect(codes(one({ ...allow, Condition: { NumericEquals: { k: "${x}" } } }))).toEqual(["IAMC2007"]);
  });
});
