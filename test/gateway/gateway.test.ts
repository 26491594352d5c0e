// The gateway's decision over a real bundle: the request it builds is the one `check` decides,
// credentials are handled before any check, and anything unexpected denies.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import { createGateway, type DecisionSource, type GatewayAnswer } from "../../gateway/gateway.js";
import { compileMapping, MappingError, type MappingConfig } from "../../gateway/mapping.js";
import { loadBundle, type Request } from "../../runtime/index.js";
import { workspaceFromJson } from "../support/workspace.js";

const ACCOUNT = "111111111111";
const alice = `arn:aws:iam::${ACCOUNT}:user/alice`;

function companyBundle() {
  const { workspace, diagnostics } = workspaceFromJson({
    model: "aws",
    policies: [
      {
        id: "Reader",
        document: {
          Version: "2012-10-17",
          Statement: [
            { Sid: "ReadApp", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::app/*" },
            { Sid: "WriteOwnTeam", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::app/${aws:PrincipalTag/team}/*" },
            { Sid: "NoSecrets", Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::app/secret/*" },
            { Sid: "TlsOnlyAdmin", Effect: "Allow", Action: "s3:DeleteObject", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } },
          ],
        },
      },
    ],
    accounts: [{ id: ACCOUNT }],
    principals: [{ id: alice, account: ACCOUNT, policies: ["Reader"], tags: { team: "red" } }],
  });
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return loadBundle(compileWorkspace(workspace!).bundle!);
}

const MAPPING: MappingConfig = {
  principal: { header: "x-user", template: `arn:aws:iam::${ACCOUNT}:user/{value}` },
  routes: [
    { method: "GET", path: "/objects/*key", action: "s3:GetObject", resource: "arn:aws:s3:::app/{key}" },
    { method: "PUT", path: "/objects/*key", action: "s3:PutObject", resource: "arn:aws:s3:::app/{key}" },
    { method: "DELETE", path: "/objects/*key", action: "s3:DeleteObject", resource: "arn:aws:s3:::app/{key}" },
  ],
  context: { "aws:SecureTransport": "{secure}" },
};

/** Resolves a sync-or-async answer. */
const answer = async (value: GatewayAnswer | Promise<GatewayAnswer>) => value;

describe("gateway decisions over a compiled bundle", () => {
  const authz = companyBundle();
  const gateway = createGateway(authz, MAPPING, { explain: true });
  const decide = (method: string, url: string, user?: string, secure = true) =>
    answer(gateway.decide({ method, url, headers: user ? { "x-user": user } : {}, secure, ip: "127.0.0.1" }));

  it("allows, denies explicitly and implicitly, with the deciding statement", async () => {
    expect(await decide("GET", "/objects/reports/q1.csv", "alice")).toMatchObject({ status: 200, decision: "Allow", statement: "Reader#ReadApp" });
    expect(await decide("GET", "/objects/secret/key", "alice")).toMatchObject({ status: 403, decision: "ExplicitDeny", statement: "Reader#NoSecrets" });
    expect(await decide("PUT", "/objects/blue/x", "alice")).toMatchObject({ status: 403, decision: "ImplicitDeny" });
    expect(await decide("PUT", "/objects/red/x", "alice")).toMatchObject({ status: 200, decision: "Allow", statement: "Reader#WriteOwnTeam" });
  });

  it("passes context from the connection: the TLS-only statement needs {secure}", async () => {
    expect(await decide("DELETE", "/objects/a", "alice", true)).toMatchObject({ status: 200, decision: "Allow" });
    expect(await decide("DELETE", "/objects/a", "alice", false)).toMatchObject({ status: 403, decision: "ImplicitDeny" });
  });

  it("checks a request without the header as the unauthenticated caller, and other principals as outsiders", async () => {
    expect(await decide("GET", "/objects/a")).toMatchObject({ status: 403, decision: "ImplicitDeny", request: { principal: null } });
    expect(await decide("GET", "/objects/a", "mallory")).toMatchObject({ status: 403, decision: "ImplicitDeny" });
  });

  it("refuses before any check: no route, ambiguous path, missing required credential", async () => {
    expect(await decide("POST", "/objects/a", "alice")).toMatchObject({ status: 403, decision: undefined, code: "IAMC7101" });
    expect(await decide("GET", "/objects/x/../secret/key", "alice")).toMatchObject({ status: 400, code: "IAMC7102" });
    const strict = createGateway(authz, { ...MAPPING, principal: { header: "x-user", required: true } });
    expect(await answer(strict.decide({ method: "GET", url: "/objects/a", headers: {} }))).toMatchObject({ status: 401, code: "IAMC7103" });
  });

  it("decides exactly what `check` decides for the request it built (random paths and users)", async () => {
    const plain = createGateway(authz, MAPPING);
    const segment = fc.constantFrom("red", "blue", "secret", "reports", "a b", "x%2Fy", "..", "", "q1.csv");
    await fc.assert(fc.asyncProperty(
      fc.constantFrom("GET", "PUT", "DELETE", "POST"), fc.array(segment, { maxLength: 4 }), fc.constantFrom("alice", "bob", undefined), fc.boolean(),
      async (method, segments, user, secure) => {
        const result = await answer(plain.decide({ method, url: "/objects/" + segments.join("/"), headers: user ? { "x-user": user } : {}, secure }));
        if (result.decision === undefined) expect(result.status).not.toBe(200);
        else expect(result.decision).toBe(authz.check(result.request!));
        expect(result.status === 200).toBe(result.decision === "Allow");
      }), { seed: 11, numRuns: 400 });
  });
});

describe("gateway with JWT principals", () => {
  const authz = companyBundle();
  const jwtMapping: MappingConfig = { ...MAPPING, principal: { jwt: { claim: "sub", template: `arn:aws:iam::${ACCOUNT}:user/{value}` } } };
  const tokens: Record<string, Record<string, unknown> | undefined> = { good: { sub: "alice" }, nosub: { name: "x" }, forged: undefined };
  const request = (authorization?: string) => ({ method: "GET", url: "/objects/a", headers: authorization ? { authorization } : {}, secure: true });

  it("refuses a mapping that needs a verifier without one (IAMC7005)", () => {
    expect(() => createGateway(authz, jwtMapping)).toThrow(MappingError);
    try { createGateway(authz, jwtMapping); } catch (e) { expect((e as MappingError).code).toBe("IAMC7005"); }
  });

  for (const mode of ["sync", "async"] as const) {
    it(`takes the caller from the verified claim (${mode} verifier)`, async () => {
      const verifyJwt = (token: string) => (mode === "sync" ? tokens[token] : Promise.resolve(tokens[token]));
      const gateway = createGateway(authz, jwtMapping, { verifyJwt });
      expect(await answer(gateway.decide(request("Bearer good")))).toMatchObject({ status: 200, request: { principal: alice } });
      expect(await answer(gateway.decide(request("Bearer forged")))).toMatchObject({ status: 401, code: "IAMC7103" });
      expect(await answer(gateway.decide(request("Bearer nosub")))).toMatchObject({ status: 401, code: "IAMC7103" });
      expect(await answer(gateway.decide(request("Basic abc")))).toMatchObject({ status: 401, code: "IAMC7103" });
      expect(await answer(gateway.decide(request()))).toMatchObject({ status: 403, request: { principal: null } });
    });
  }

  it("a verifier that throws or rejects refuses the request (401), never lets it through", async () => {
    const throwing = createGateway(authz, jwtMapping, { verifyJwt: () => { throw new Error("boom"); } });
    expect(await answer(throwing.decide(request("Bearer good")))).toMatchObject({ status: 401, code: "IAMC7103" });
    const rejecting = createGateway(authz, jwtMapping, { verifyJwt: () => Promise.reject(new Error("boom")) });
    expect(await answer(rejecting.decide(request("Bearer good")))).toMatchObject({ status: 401, code: "IAMC7103" });
  });
});

describe("gateway headers and verbs", () => {
  const authz = companyBundle();

  it("reads a UTF-8 principal header that Node decoded as latin1", async () => {
    const gateway = createGateway(authz, MAPPING);
    const latin1 = Buffer.from("josé", "utf8").toString("latin1");
    expect(await answer(gateway.decide({ method: "GET", url: "/objects/a", headers: { "x-user": latin1 } })))
      .toMatchObject({ request: { principal: `arn:aws:iam::${ACCOUNT}:user/josé` } });
  });

  it("refuses a principal header sent twice (401) instead of checking a joined or chosen one", async () => {
    const gateway = createGateway(authz, MAPPING);
    expect(await answer(gateway.decide({ method: "GET", url: "/objects/a", headers: { "x-user": ["alice", "bob"] } })))
      .toMatchObject({ status: 401, code: "IAMC7103" });
    expect(await answer(gateway.decide({ method: "GET", url: "/objects/a", headers: { "x-user": ["alice"] } })))
      .toMatchObject({ status: 200, request: { principal: alice } });
  });

  it("refuses a target with a fragment, and a query parameter a template reads given twice (400 IAMC7102)", async () => {
    const gateway = createGateway(authz, { ...MAPPING, routes: [...MAPPING.routes, { method: "GET", path: "/list", action: "s3:GetObject", resource: "arn:aws:s3:::app/{query:prefix}" }] });
    const decide = (url: string) => answer(gateway.decide({ method: "GET", url, headers: { "x-user": "alice" } }));
    expect(await decide("/objects/x#/../../secret/k")).toMatchObject({ status: 400, code: "IAMC7102" });
    expect(await decide("/list?prefix=reports/&prefix=secret/")).toMatchObject({ status: 400, code: "IAMC7102" });
    expect(await decide("/list?prefix=reports/&other=1&other=2")).toMatchObject({ status: 200, request: { resource: "arn:aws:s3:::app/reports/" } });
    // also when only the context reads it: leaving the key out could keep a conditional Deny from applying
    const ctx = createGateway(authz, { ...MAPPING, routes: [{ method: "GET", path: "/objects/*key", action: "s3:GetObject", resource: "arn:aws:s3:::app/{key}", context: { "s3:prefix": "{query:prefix}" } }] });
    const viaContext = (url: string) => answer(ctx.decide({ method: "GET", url, headers: { "x-user": "alice" } }));
    expect(await viaContext("/objects/a?prefix=x&prefix=y")).toMatchObject({ status: 400, code: "IAMC7102" });
    expect(await viaContext("/objects/a?prefix=x")).toMatchObject({ status: 200, request: { context: { "s3:prefix": "x" } } });
  });

  it("names the granting statement of an allow, not a limit every allow needs (an SCP's)", async () => {
    const { workspace } = workspaceFromJson({
      model: "aws",
      policies: [
        { id: "FullAccess", document: { Version: "2012-10-17", Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }] } },
        { id: "Reader", document: { Version: "2012-10-17", Statement: [{ Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] } },
      ],
      accounts: [{ id: ACCOUNT, scps: [["FullAccess"]] }],
      principals: [{ id: alice, account: ACCOUNT, policies: ["Reader"] }],
    });
    const gateway = createGateway(loadBundle(compileWorkspace(workspace!).bundle!), MAPPING, { explain: true });
    expect(await answer(gateway.decide({ method: "GET", url: "/objects/a", headers: { "x-user": "alice" } }))).toMatchObject({ status: 200, statement: "Reader#Read" });
  });

  it("refuses method-override headers (400 IAMC7102): the application might run another method than the one checked", async () => {
    const gateway = createGateway(authz, MAPPING);
    for (const name of ["x-http-method-override", "x-http-method", "x-method-override"]) {
      const result = await answer(gateway.decide({ method: "GET", url: "/objects/a", headers: { "x-user": "alice", [name]: "DELETE" } }));
      expect(result, name).toMatchObject({ status: 400, code: "IAMC7102" });
      expect(result.reason).toContain(name);
    }
  });

  it("refuses a header a template reads when it is sent twice", async () => {
    const gateway = createGateway(authz, { ...MAPPING, routes: [{ method: "GET", path: "/t", action: "s3:GetObject", resource: "arn:aws:s3:::app/{header:x-tenant}/x" }] });
    const decide = (tenant: string | string[]) => answer(gateway.decide({ method: "GET", url: "/t", headers: { "x-user": "alice", "x-tenant": tenant } }));
    expect(await decide(["red", "secret"])).toMatchObject({ status: 400, code: "IAMC7102" });
    expect(await decide(["red"])).toMatchObject({ status: 200, request: { resource: "arn:aws:s3:::app/red/x" } });
  });

  it("a method with no verb on a {verb} route is 403 IAMC7101, saying so", async () => {
    const gateway = createGateway(authz, { routes: [{ path: "/vm/:id", action: "vm:{verb}", resource: "vm/{id}" }] });
    const result = await answer(gateway.decide({ method: "OPTIONS", url: "/vm/1", headers: {} }));
    expect(result).toMatchObject({ status: 403, code: "IAMC7101" });
    expect(result.reason).toContain("no verb for method OPTIONS");
  });
});

describe("gateway fails closed", () => {
  it("a source that throws denies with 403", async () => {
    const broken: DecisionSource = {
      check: (_: Request) => { throw new Error("bundle gone"); },
      explain: (_: Request) => { throw new Error("bundle gone"); },
    };
    const result = await answer(createGateway(broken, compileMapping(MAPPING)).decide({ method: "GET", url: "/objects/a", headers: { "x-user": "alice" } }));
    expect(result).toMatchObject({ status: 403, decision: "ImplicitDeny" });
    expect(result.reason).toContain("bundle gone");
  });
});
