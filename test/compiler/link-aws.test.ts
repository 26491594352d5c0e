import { describe, expect, test } from "vitest";
import { at, brief, codes, loadText } from "./front-end-helpers.js";

const identity = { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: "*" } };
const withPrincipal = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }] };
const json = (value: unknown) => JSON.stringify(value, null, 2);
const workspace = (rest: Record<string, unknown>, policies: Record<string, unknown> = { ReadAppData: identity, Bucket: withPrincipal }) =>
  json({ model: "aws", policies: Object.entries(policies).map(([id, document]) => ({ id, document })), ...rest });

describe("references", () => {
  test("a complete workspace links and lowers its entities", () => {
    const text = workspace({
      accounts: [{ id: "111111111111", scps: [["ReadAppData"]], rcps: [["Bucket"]] }, { id: "222222222222" }],
      groups: [{ id: "devs", account: "111111111111", policies: ["ReadAppData"] }],
      principals: [{ id: "arn:aws:iam::111111111111:user/alice", account: "111111111111", policies: ["ReadAppData"], groups: ["devs"], boundary: "ReadAppData", sessionPolicies: ["ReadAppData"], tags: { team: "red" } }, { id: "bob" }, { id: "carol", sessionPolicies: [] }],
      resources: [{ id: "arn:aws:s3:::app-data", account: "111111111111", policy: "Bucket" }, { id: "arn:aws:s3:::other" }],
    });
    const result = loadText(text);
    expect(result.diagnostics).toEqual([]);
    const ws = result.value!;
    expect(ws.accounts.map(({ origin: _, ...a }) => a)).toEqual([
      { id: "111111111111", scps: [["ReadAppData"]], rcps: [["Bucket"]] },
      { id: "222222222222", scps: [], rcps: [] },
    ]);
    expect(ws.groups[0]).toMatchObject({ id: "devs", account: "111111111111", policies: ["ReadAppData"], origin: { file: "iamc.json", pointer: "/groups/0" } });
    const { origin, ...alice } = ws.principals[0]!;
    expect(alice).toEqual({ id: "arn:aws:iam::111111111111:user/alice", account: "111111111111", policies: ["ReadAppData"], groups: ["devs"], boundary: "ReadAppData", sessionPolicies: ["ReadAppData"], tags: { team: "red" } });
    expect(origin).toMatchObject({ pointer: "/principals/0", span: at(text, '{\n      "id": "arn:aws:iam::111111111111:user/alice"') });
    const { origin: _, ...bob } = ws.principals[1]!;
    expect(bob).toEqual({ id: "bob", policies: [], groups: [], tags: {} }); // no sessionPolicies: no session
    expect(ws.principals[2]!.sessionPolicies).toEqual([]); // present and empty: a session that allows nothing
    expect(ws.resources.map(({ origin: _o, ...r }) => r)).toEqual([{ id: "arn:aws:s3:::app-data", account: "111111111111", policy: "Bucket" }, { id: "arn:aws:s3:::other" }]);
  });

  test("every unknown policy reference is IAMC3001 at the reference, with did-you-mean", () => {
    const text = workspace({
      accounts: [{ id: "111111111111", scps: [["ReadAppDta"]], rcps: [["Buckit"]] }],
      groups: [{ id: "g", policies: ["readappdata"] }],
      principals: [{ id: "u", policies: ["Nope"], boundary: "ReadAppDat", sessionPolicies: ["ReadAppData", "ReadAppData2"] }],
      resources: [{ id: "r", policy: "bucket" }],
    });
    const result = loadText(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC3001", pointer: "/accounts/0/scps/0/0", ...at(text, '"ReadAppDta"') },
      { code: "IAMC3001", pointer: "/accounts/0/rcps/0/0", ...at(text, '"Buckit"') },
      { code: "IAMC3001", pointer: "/groups/0/policies/0", ...at(text, '"readappdata"') },
      { code: "IAMC3001", pointer: "/principals/0/policies/0", ...at(text, '"Nope"') },
      { code: "IAMC3001", pointer: "/principals/0/boundary", ...at(text, '"ReadAppDat"') },
      { code: "IAMC3001", pointer: "/principals/0/sessionPolicies/1", ...at(text, '"ReadAppData2"') },
      { code: "IAMC3001", pointer: "/resources/0/policy", ...at(text, '"bucket"') },
    ].sort((a, b) => a.line - b.line));
    const byPointer = new Map(result.diagnostics.map((d) => [d.pointer, d]));
    expect(byPointer.get("/accounts/0/scps/0/0")).toMatchObject({ message: "unknown policy `ReadAppDta`", help: "did you mean `ReadAppData`?" });
    expect(byPointer.get("/groups/0/policies/0")!.help).toBe("did you mean `ReadAppData`?");
    expect(byPointer.get("/resources/0/policy")!.help).toBe("did you mean `Bucket`?");
    expect(byPointer.get("/principals/0/policies/0")!.help).toBe("define it under `policies` (defined: `ReadAppData`, `Bucket`)");
  });

  test("an unknown group is IAMC3003", () => {
    const text = workspace({ groups: [{ id: "devs", policies: [] }], principals: [{ id: "u", groups: ["dev", "ops"] }] });
    const result = loadText(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC3003", pointer: "/principals/0/groups/0", ...at(text, '"dev"') },
      { code: "IAMC3003", pointer: "/principals/0/groups/1", ...at(text, '"ops"') },
    ]);
    expect(result.diagnostics[0]!.help).toBe("did you mean `devs`?");
  });

  test("references to a policy that failed its own checks are not reported again", () => {
    const text = workspace({ principals: [{ id: "u", policies: ["Broken", "BadEntry"] }] }, { Broken: { Statement: { Effect: "Maybe", Action: "*", Resource: "*" } } });
    const withEntry = text.replace('"policies": [', '"policies": [{"id": "BadEntry", "document": {}, "extra": 1}, ');
    // the bad entry's document is not checked: its entry is already wrong
    expect(codes(loadText(withEntry))).toEqual(["IAMC2003", "IAMC2004"]);
    // a misspelling of a broken policy still gets its did-you-mean
    const misspelt = loadText(workspace({ principals: [{ id: "u", policies: ["broken"] }] }, { Broken: { Statement: { Effect: "Maybe", Action: "*", Resource: "*" } } }));
    expect(misspelt.diagnostics.map((d) => [d.code, d.help])).toEqual([["IAMC2004", "use `Allow` or `Deny`"], ["IAMC3001", "did you mean `Broken`?"]]);
  });
});

describe("duplicate entity ids (IAMC3002)", () => {
  test("accounts, groups, principals, resources", () => {
    const text = workspace({
      accounts: [{ id: "111111111111" }, { id: "111111111111" }],
      groups: [{ id: "g", policies: [] }, { id: "g", policies: [] }],
      principals: [{ id: "u" }, { id: "v" }, { id: "u" }],
      resources: [{ id: "r" }, { id: "r" }],
    });
    const result = loadText(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC3002", pointer: "/accounts/1/id", ...at(text, '"111111111111"', 1) },
      { code: "IAMC3002", pointer: "/groups/1/id", ...at(text, '"g"', 1) },
      { code: "IAMC3002", pointer: "/principals/2/id", ...at(text, '"u"', 1) },
      { code: "IAMC3002", pointer: "/resources/1/id", ...at(text, '"r"', 1) },
    ]);
    const first = at(text, '"u"');
    expect(result.diagnostics[2]).toMatchObject({ message: "duplicate principal id `u`", help: expect.stringContaining(`first defined at iamc.json:${first.line}:${first.column}`) });
  });
});

describe("policies fit where they are attached", () => {
  test("a resource policy or RCP without Principal is IAMC3005 at each such statement", () => {
    const text = workspace({ accounts: [{ id: "111111111111", rcps: [["ReadAppData"]] }], resources: [{ id: "r", policy: "Mixed" }] }, {
      ReadAppData: identity,
      Mixed: { Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }, { Effect: "Deny", Action: "s3:*", Resource: "*" }] },
    });
    const result = loadText(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC3005", pointer: "/policies/0/document/Statement", ...at(text, '{\n          "Effect": "Allow",\n          "Action"') },
      { code: "IAMC3005", pointer: "/policies/1/document/Statement/1", ...at(text, '{\n            "Effect": "Deny"') },
    ]);
    expect(result.diagnostics[0]!.message).toBe("statement 0 of policy `ReadAppData` names no principal, but the policy is an RCP of account `111111111111`");
    expect(result.diagnostics[1]!.message).toBe("statement 1 of policy `Mixed` names no principal, but the policy is a resource policy of resource `r`");
  });

  test.each([
    ["identity", { principals: [{ id: "u", policies: ["Bucket"] }] }, "an identity policy of principal `u`"],
    ["group", { groups: [{ id: "g", policies: ["Bucket"] }] }, "an identity policy of group `g`"],
    ["boundary", { principals: [{ id: "u", boundary: "Bucket" }] }, "a permissions boundary of principal `u`"],
    ["session", { principals: [{ id: "u", sessionPolicies: ["Bucket"] }] }, "a session policy of principal `u`"],
    ["scp", { accounts: [{ id: "111111111111", scps: [["Bucket"]] }] }, "an SCP of account `111111111111`"],
  ])("a policy with Principal used as %s is IAMC3006 at the Principal key", (_, rest, use) => {
    const text = workspace(rest);
    const result = loadText(text);
    expect(result.diagnostics.map(brief)).toEqual([{ code: "IAMC3006", pointer: "/policies/1/document/Statement/0/Principal", ...at(text, '"Principal"') }]);
    expect(result.diagnostics[0]!.message).toBe(`statement 0 of policy \`Bucket\` has \`Principal\`, but the policy is ${use}`);
  });

  test("a policy used both ways gets both complaints; NotPrincipal is named as written", () => {
    const text = workspace({ principals: [{ id: "u", policies: ["Both"] }], resources: [{ id: "r", policy: "Both" }] }, {
      Both: { Statement: [{ Effect: "Deny", NotPrincipal: { AWS: "x" }, Action: "*", Resource: "*" }, { Effect: "Allow", Action: "*", Resource: "*" }] },
    });
    const result = loadText(text);
    expect(result.diagnostics.map((d) => [d.code, d.pointer])).toEqual([
      ["IAMC3006", "/policies/0/document/Statement/0/NotPrincipal"],
      ["IAMC3005", "/policies/0/document/Statement/1"],
    ]);
  });

  test("more than 12 SCP or RCP levels is IAMC3007", () => {
    const levels = (n: number) => Array.from({ length: n }, () => ["ReadAppData"]);
    const ok = loadText(workspace({ accounts: [{ id: "111111111111", scps: levels(12) }] }));
    expect(ok.diagnostics).toEqual([]);
    const text = workspace({ accounts: [{ id: "111111111111", scps: levels(13), rcps: levels(13).map(() => ["Bucket"]) }] });
    const result = loadText(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC3007", pointer: "/accounts/0/scps", line: at(text, '"scps"').line, column: at(text, '"scps"').column + 8 },
      { code: "IAMC3007", pointer: "/accounts/0/rcps", line: at(text, '"rcps"').line, column: at(text, '"rcps"').column + 8 },
    ]);
    expect(result.diagnostics[0]!.message).toBe("account `111111111111` has 13 levels of scps, more than 12");
  });
});
