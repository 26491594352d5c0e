// The decision table for the cloudalus model, from IR built by hand (the front end has its own
// tests): callers adopting identities through trusts, owners passing the resource check,
// resource policies admitting identities or everyone, deny anywhere winning.
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import type { CloudalusWorkspace, Policy, PrincipalRef, Statement } from "../../compiler/ir.js";
import { loadBundle, type Request } from "../../runtime/index.js";

const text = (t: string) => ({ source: t, parts: [{ kind: "text" as const, text: t }] });

function trustStatement(policy: string, index: number, effect: "Allow" | "Deny", actions: string[], resources: string[]): Statement {
  return { effect, actions: { negated: false, patterns: actions.map(text) }, resources: { negated: false, patterns: resources.map(text) }, conditions: [], source: { policy, index } };
}

function resourceStatement(policy: string, index: number, effect: "Allow" | "Deny", actions: string[], identities: string[]): Statement {
  const refs: PrincipalRef[] = identities.map((id) => (id === "*" ? { kind: "everyone" } : { kind: "principal", id }));
  return { ...trustStatement(policy, index, effect, actions, ["*"]), principals: { negated: false, refs } };
}

const policies: Policy[] = [
  { id: "CiTrust", statements: [trustStatement("CiTrust", 0, "Allow", ["kvdb:Get", "kvdb:Put"], ["kvdb/orders"]), trustStatement("CiTrust", 1, "Deny", ["kvdb:Delete"], ["*"])] },
  { id: "AnaTrust", statements: [trustStatement("AnaTrust", 0, "Allow", ["kvdb:*"], ["*"])] },
  { id: "OrdersPolicy", statements: [resourceStatement("OrdersPolicy", 0, "Allow", ["kvdb:Get"], ["org/acme", "pi/deployer"]), resourceStatement("OrdersPolicy", 1, "Allow", ["kvdb:List"], ["*"])] },
  { id: "PublicPolicy", statements: [resourceStatement("PublicPolicy", 0, "Allow", ["kvdb:Get"], ["*"]), resourceStatement("PublicPolicy", 1, "Deny", ["kvdb:Put"], ["user/ana"]), resourceStatement("PublicPolicy", 2, "Allow", ["kvdb:Put"], ["user/guest", "org/other"])] },
];

const ws: CloudalusWorkspace = {
  model: "cloudalus",
  policies: new Map(policies.map((p) => [p.id, p])),
  principals: [{ id: "user/ana", kind: "user" }, { id: "pi/deployer", kind: "programmatic" }],
  accessKeys: [{ id: "ak/9f2c", identity: "pi/deployer" }],
  trusts: [
    { id: "t-ci", identity: "org/acme", trustee: "pi/deployer", policy: "CiTrust" },
    { id: "t-ana", identity: "org/acme", trustee: "user/ana", policy: "AnaTrust" },
  ],
  resources: [
    { id: "kvdb/orders", owner: "org/acme", policy: "OrdersPolicy" },
    { id: "kvdb/public", owner: "org/other", policy: "PublicPolicy" },
    { id: "kvdb/ana", owner: "user/ana" },
  ],
  sources: [],
};

describe("cloudalus decision table", () => {
  const { bundle, diagnostics } = compileWorkspace(ws);
  expect(diagnostics).toEqual([]);
  const authz = loadBundle(bundle!);
  const r = (principal: string | null, action: string, resource: string, extra: Partial<Request> = {}): Request => ({ principal, action, resource, ...extra });

  it.each([
    ["a programmatic identity as itself, admitted by the resource policy", r("pi/deployer", "kvdb:Get", "kvdb/orders"), "Allow"],
    ["as itself, an action the resource policy does not admit", r("pi/deployer", "kvdb:Put", "kvdb/orders"), "ImplicitDeny"],
    ["adopting the owner through the default trust", r("pi/deployer", "kvdb:Put", "kvdb/orders", { identity: "org/acme" }), "Allow"],
    ["an access key authenticates as its programmatic identity", r("ak/9f2c", "kvdb:Put", "kvdb/orders", { identity: "org/acme" }), "Allow"],
    ["the trust named in via denies", r("ak/9f2c", "kvdb:Delete", "kvdb/orders", { identity: "org/acme", via: ["t-ci"] }), "ExplicitDeny"],
    ["a trust whose trustee is someone else", r("pi/deployer", "kvdb:Get", "kvdb/orders", { identity: "org/acme", via: ["t-ana"] }), "ImplicitDeny"],
    ["a trust that does not exist", r("pi/deployer", "kvdb:Get", "kvdb/orders", { identity: "org/acme", via: ["t-nope"] }), "ImplicitDeny"],
    ["an identity no trust lends", r("pi/deployer", "kvdb:Get", "kvdb/orders", { identity: "org/other" }), "ImplicitDeny"],
    ["the trust does not cover the resource", r("pi/deployer", "kvdb:Get", "kvdb/public", { identity: "org/acme" }), "ImplicitDeny"],
    ["an owner acting as itself needs no statement", r("user/ana", "kvdb:Delete", "kvdb/ana"), "Allow"],
    ["a resource policy deny naming the caller", r("user/ana", "kvdb:Put", "kvdb/public"), "ExplicitDeny"],
    ["everyone is admitted, the unauthenticated caller too", r(null, "kvdb:Get", "kvdb/public"), "Allow"],
    ["everyone may list orders", r(null, "kvdb:List", "kvdb/orders"), "Allow"],
    ["the unauthenticated caller cannot adopt", r(null, "kvdb:Get", "kvdb/public", { identity: "org/acme" }), "ImplicitDeny"],
    ["an unknown access key is unauthenticated", r("ak/unknown", "kvdb:Get", "kvdb/public"), "Allow"],
    ["an unknown key is not the owner", r("ak/unknown", "kvdb:Delete", "kvdb/ana"), "ImplicitDeny"],
    ["ana adopting the owner of orders", r("user/ana", "kvdb:Put", "kvdb/orders", { identity: "org/acme" }), "Allow"],
    ["ana adopting org/acme is not ana for public's deny, nor allowed to put", r("user/ana", "kvdb:Put", "kvdb/public", { identity: "org/acme" }), "ImplicitDeny"],
    ["ana adopting org/acme may get public (everyone)", r("user/ana", "kvdb:Get", "kvdb/public", { identity: "org/acme", via: ["t-ana"] }), "Allow"],
    ["an ARN-shaped resource does not make anyone its owner", r("pi/deployer", "kvdb:Get", "arn:a:b:c:org/acme:x", { identity: "org/acme" }), "ImplicitDeny"],
    ["an unlisted resource fails the resource check", r("user/ana", "kvdb:Get", "kvdb/elsewhere"), "ImplicitDeny"],
    ["identity equal to the caller is acting as itself", r("user/ana", "kvdb:Delete", "kvdb/ana", { identity: "user/ana" }), "Allow"],
    ["an empty via is acting as itself", r("user/ana", "kvdb:Delete", "kvdb/ana", { via: [] }), "Allow"],
    ["an outside caller a resource policy names is admitted", r("user/guest", "kvdb:Put", "kvdb/public"), "Allow"],
    ["an outside caller is not admitted where it is not named", r("user/guest", "kvdb:Put", "kvdb/orders"), "ImplicitDeny"],
    ["an outside caller cannot adopt, even itself", r("user/guest", "kvdb:Put", "kvdb/public", { identity: "user/guest" }), "ImplicitDeny"],
    ["an outside caller named like an owner owns nothing", r("org/other", "kvdb:Delete", "kvdb/public"), "ImplicitDeny"],
    ["an outside caller named like an owner gets what the policy names", r("org/other", "kvdb:Put", "kvdb/public"), "Allow"],
    ["an unknown access key is not an outside caller", r("ak/guest", "kvdb:Put", "kvdb/public"), "ImplicitDeny"],
    ["a via that is not a list fails closed", r("user/ana", "kvdb:Delete", "kvdb/ana", { via: "t-ana" as unknown as string[] }), "ImplicitDeny"],
  ] as const)("%s", (_, request, decision) => {
    expect(authz.check(request)).toBe(decision);
  });

  it("explain names the trust a grant or a deny came through", () => {
    const denied = authz.explain(r("ak/9f2c", "kvdb:Delete", "kvdb/orders", { identity: "org/acme" }));
    expect(denied.statements.map((s) => `${s.policy}#${s.index} ${s.layer}`)).toEqual(["CiTrust#1 trust t-ci"]);
    const allowed = authz.explain(r("pi/deployer", "kvdb:Get", "kvdb/orders"));
    expect(allowed.statements.map((s) => `${s.policy}#${s.index} ${s.layer}`)).toEqual(["OrdersPolicy#0 resource"]);
  });
});
