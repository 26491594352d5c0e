// Hostile input: `__proto__`, `constructor` and `prototype` as keys and ids anywhere are plain
// data, and adversarial wildcards (`*a*a*a*a*a*b` against long strings) finish — the test's
// timeout is the guard, no timing is asserted.
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import { evaluateIr } from "../../compiler/reference/evaluate.js";
import { loadBundle } from "../../runtime/index.js";
import { workspaceFromJson } from "../support/workspace.js";

describe("prototype keys", () => {
  it("`constructor` and `prototype` are data: tag keys, condition keys, context keys, policy ids, Sids, principal ids", () => {
    const manifest = JSON.parse(`{
      "model": "aws",
      "policies": [
        { "id": "constructor", "document": { "Version": "2012-10-17", "Statement": [
          { "Sid": "prototype", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/\${aws:PrincipalTag/constructor}/*",
            "Condition": { "StringEquals": { "aws:RequestTag/constructor": "yes", "prototype": "x" } } },
          { "Sid": "constructor", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*",
            "Condition": { "StringEquals": { "aws:PrincipalTag/prototype": "locked" } } } ] } }
      ],
      "principals": [
        { "id": "arn:aws:iam::111111111111:user/__proto__", "policies": ["constructor"],
          "tags": { "constructor": "team", "prototype": "locked" } }
      ]
    }`);
    const { workspace, diagnostics } = workspaceFromJson(manifest);
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const authz = loadBundle(compileWorkspace(workspace!).bundle!);
    const who = "arn:aws:iam::111111111111:user/__proto__";
    const requests = [
      { principal: who, action: "s3:GetObject", resource: "arn:aws:s3:::b/team/x", context: JSON.parse('{"aws:RequestTag/constructor": "yes", "prototype": "x", "__proto__": "y"}') },
      { principal: who, action: "s3:GetObject", resource: "arn:aws:s3:::b/team/x", context: JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') },
      { principal: who, action: "s3:GetObject", resource: "arn:aws:s3:::b/other/x", context: JSON.parse('{"aws:RequestTag/constructor": "yes", "prototype": "x"}') },
      { principal: who, action: "s3:DeleteObject", resource: "arn:aws:s3:::b/team/x" },
      { principal: "__proto__", action: "s3:GetObject", resource: "constructor" },
      { principal: "constructor", action: "prototype", resource: "__proto__" },
    ];
    const decisions = requests.map((r) => authz.check(r));
    expect(decisions).toEqual(requests.map((r) => evaluateIr(workspace!, r)));
    expect(decisions).toEqual(["Allow", "ImplicitDeny", "ImplicitDeny", "ExplicitDeny", "ImplicitDeny", "ImplicitDeny"]);
    for (const r of requests) expect(authz.explain(r).decision).toBe(authz.check(r));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("`__proto__` as a tag or condition key is refused with IAMC2018 where it is (it would silently vanish)", () => {
    const text = `{
  "model": "aws",
  "policies": [{ "id": "P", "document": { "Version": "2012-10-17", "Statement": [
    { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": { "StringEquals": { "__proto__": "x" } } }
  ] } }],
  "principals": [{ "id": "arn:aws:iam::111111111111:user/a", "policies": ["P"], "tags": { "__proto__": "t" } }]
}`;
    const { workspace, diagnostics } = workspaceFromJson(JSON.parse(text));
    expect(workspace).toBeUndefined();
    const refused = diagnostics.filter((d) => d.code === "IAMC2018").map((d) => d.pointer);
    expect(refused).toEqual(["/policies/0/document/Statement/0/Condition/StringEquals/__proto__", "/principals/0/tags/__proto__"]);
  });
});

describe("adversarial wildcards finish", () => {
  const long = "a".repeat(100_000);
  it("in Resource patterns (the automata) and StringLike conditions (the runtime matcher)", () => {
    const { workspace } = workspaceFromJson({
      model: "aws",
      policies: [{ id: "P", document: { Version: "2012-10-17", Statement: [
        { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::*a*a*a*a*a*b" },
        { Effect: "Allow", Action: "s3:PutObject", Resource: "*", Condition: { StringLike: { "s3:prefix": ["*a*a*a*a*a*b", "a*a*a*a*a*a*a*a*c"] } } },
      ] } }],
      principals: [{ id: "arn:aws:iam::111111111111:user/alice", policies: ["P"] }],
    });
    const authz = loadBundle(compileWorkspace(workspace!).bundle!);
    const p = "arn:aws:iam::111111111111:user/alice";
    expect(authz.check({ principal: p, action: "s3:GetObject", resource: `arn:aws:s3:::${long}` })).toBe("ImplicitDeny");
    expect(authz.check({ principal: p, action: "s3:GetObject", resource: `arn:aws:s3:::${long}b` })).toBe("Allow");
    expect(authz.check({ principal: p, action: "s3:PutObject", resource: "x", context: { "s3:prefix": long } })).toBe("ImplicitDeny");
    expect(authz.check({ principal: p, action: "s3:PutObject", resource: "x", context: { "s3:prefix": `${long}b` } })).toBe("Allow");
    expect(authz.check({ principal: p, action: "s3:PutObject", resource: "x", context: { "s3:prefix": [long, long, `${long}c`] } })).toBe("Allow");
  });
});
