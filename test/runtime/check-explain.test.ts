// The runtime's contract: check fails closed on anything it cannot read, explain names the
// deciding statements, the layers, and the conditions that did not hold with the value seen.
import { beforeAll, describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import { loadBundle, type Authorizer, type Request } from "../../runtime/index.js";
import { workspaceFromJson } from "../support/workspace.js";

const ALICE = "arn:aws:iam::111111111111:user/alice";
const manifest = {
  model: "aws",
  policies: [
    { id: "Read", document: { Version: "2012-10-17", Statement: [
      { Sid: "FromOffice", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::app/*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } },
      { Sid: "OwnTeam", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::app/${aws:PrincipalTag/team}/*" },
      { Sid: "NoSecrets", Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::app/secret/*" },
    ] } },
    { id: "Guard", document: { Version: "2012-10-17", Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }] } },
  ],
  accounts: [{ id: "111111111111", scps: [["Guard"]] }],
  principals: [{ id: ALICE, account: "111111111111", policies: ["Read"], tags: { team: "red" } }],
};

describe("runtime check and explain", () => {
  let authz: Authorizer;
  beforeAll(() => {
    authz = loadBundle(compileWorkspace(workspaceFromJson(manifest).workspace!).bundle!);
  });
  const get = (resource: string, context?: Request["context"]): Request => ({ principal: ALICE, action: "s3:GetObject", resource, ...(context ? { context } : {}) });

  it("decides with and without the condition", () => {
    expect(authz.check(get("arn:aws:s3:::app/a", { "aws:SourceIp": "10.1.2.3" }))).toBe("Allow");
    expect(authz.check(get("arn:aws:s3:::app/a", { "aws:SourceIp": "192.168.0.1" }))).toBe("ImplicitDeny");
    expect(authz.check(get("arn:aws:s3:::app/a"))).toBe("ImplicitDeny");
    expect(authz.check(get("arn:aws:s3:::app/secret/k", { "aws:SourceIp": "10.1.2.3" }))).toBe("ExplicitDeny");
  });

  it("uses the manifest's tags for variables, whatever the request says", () => {
    const put = (resource: string, context?: Request["context"]) => authz.check({ principal: ALICE, action: "s3:PutObject", resource, ...(context ? { context } : {}) });
    expect(put("arn:aws:s3:::app/red/x")).toBe("Allow");
    expect(put("arn:aws:s3:::app/blue/x", { "aws:PrincipalTag/team": "blue" })).toBe("ImplicitDeny");
  });

  it("explains an allow: the statements, their layers, and that the conditions held", () => {
    const e = authz.explain(get("arn:aws:s3:::app/a", { "aws:SourceIp": "10.1.2.3" }));
    expect(e.decision).toBe("Allow");
    expect(e.principalClass).toBe(ALICE);
    expect(e.statements).toContainEqual({ policy: "Read", sid: "FromOffice", index: 0, effect: "Allow", layer: "identity", conditional: true });
    expect(e.statements).toContainEqual({ policy: "Guard", sid: "All", index: 0, effect: "Allow", layer: "scp[0]", conditional: false });
    expect(e.layers).toContainEqual({ layer: "scp[0]", verdict: "Allow", required: true });
    expect(e.reason).toMatch(/^allowed by /);
  });

  it("explains which condition failed and the value it saw", () => {
    const e = authz.explain(get("arn:aws:s3:::app/a", { "aws:SourceIp": "192.168.0.1" }));
    expect(e.decision).toBe("ImplicitDeny");
    expect(e.unmet).toEqual([{
      statement: { policy: "Read", sid: "FromOffice", index: 0, effect: "Allow", layer: "identity", conditional: true },
      operator: "IpAddress", key: "aws:SourceIp", values: ["10.0.0.0/8"], seen: "192.168.0.1",
    }]);
    expect(e.reason).toBe("implicitly denied: no statement in identity allows it");
    expect(authz.explain(get("arn:aws:s3:::app/a")).unmet[0]!.seen).toBeUndefined();
  });

  it("explains an explicit deny by the denying statement only", () => {
    const e = authz.explain(get("arn:aws:s3:::app/secret/k", { "aws:SourceIp": "10.1.2.3" }));
    expect(e.decision).toBe("ExplicitDeny");
    expect(e.statements.map((s) => `${s.policy}/${s.sid}`)).toEqual(["Read/NoSecrets"]);
    expect(e.layers.find((l) => l.layer === "identity")?.verdict).toBe("Deny");
  });

  it("fails closed on requests it cannot read, and never throws", () => {
    const bad: unknown[] = [
      null, undefined, 42, "s3:GetObject", [], {},
      { principal: ALICE, action: 1, resource: "arn:aws:s3:::app/a" },
      { principal: ALICE, action: "s3:GetObject" },
      { principal: 7, action: "s3:GetObject", resource: "arn:aws:s3:::app/a" },
      { action: "s3:GetObject", resource: "arn:aws:s3:::app/a" },
      { principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::app/a", context: "ip=10.1.2.3" },
      { principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::app/a", context: { "aws:SourceIp": { toString: () => { throw new Error("boom"); } } } },
    ];
    for (const request of bad) {
      expect(authz.check(request as Request), JSON.stringify(request)).not.toBe("Allow");
      expect(() => authz.explain(request as Request)).not.toThrow();
    }
    // Junk among a key's values matches nothing; a good value still counts (docs/conditions.md).
    const mixed = { "aws:SourceIp": ["192.168.0.1", null, {}, "10.1.2.3"] } as unknown as Request["context"];
    expect(authz.check(get("arn:aws:s3:::app/a", mixed))).toBe("Allow");
    const hostile = Object.create({ principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::app/a" }) as Request;
    expect(() => authz.check(hostile)).not.toThrow();
  });

  it("treats keys named __proto__ or constructor in the context as plain data", () => {
    const context = JSON.parse('{"__proto__": {"aws:SourceIp": "10.1.2.3"}, "constructor": "x"}') as Request["context"];
    expect(authz.check(get("arn:aws:s3:::app/a", context))).toBe("ImplicitDeny");
  });
});
