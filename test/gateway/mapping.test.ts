// The mapping config: checked with JSON pointers, routes matched strictly, templates filled.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileMapping, fillContext, fillTemplate, matchRoute, MappingError, type HttpRequestView, type MappingConfig, type Refusal,
} from "../../gateway/mapping.js";

const S3: MappingConfig = {
  principal: { header: "x-user", template: "arn:aws:iam::111111111111:user/{value}" },
  routes: [
    { method: "GET", path: "/buckets/:bucket/objects/*key", action: "s3:GetObject", resource: "arn:aws:s3:::{bucket}/{key}" },
    { method: ["PUT", "POST"], path: "/buckets/:bucket/objects/*key", action: "s3:PutObject", resource: "arn:aws:s3:::{bucket}/{key}" },
    { path: "/vms/:id", action: "vm:{verb}", resource: "vm/{id}", context: { "app:tenant": "{header:x-tenant}" } },
    { path: "/", action: "svc:Root", resource: "root" },
  ],
  context: { "aws:SourceIp": "{ip}", "aws:SecureTransport": "{secure}", "app:tier": 3, "app:tenant": "none" },
};

function problemsOf(config: unknown): { code: string; pointer: string; message: string }[] {
  try {
    compileMapping(config);
  } catch (error) {
    expect(error).toBeInstanceOf(MappingError);
    return (error as MappingError).problems.map((p) => ({ ...p }));
  }
  throw new Error("expected the mapping to be refused");
}

describe("mapping config", () => {
  it("accepts a full config", () => {
    const mapping = compileMapping(S3);
    expect(mapping.routes).toHaveLength(4);
    expect(mapping.principal.kind).toBe("header");
  });

  it("refuses shapes with IAMC7001 at their JSON pointers, all at once", () => {
    const problems = problemsOf({ routes: [{ path: "/a", action: 3 }, { path: "/b", action: "x:Y", resource: "r", extra: 1 }], principal: { cookie: "s" } });
    const at = problems.map((p) => `${p.code} ${p.pointer}`);
    expect(at).toEqual(expect.arrayContaining(["IAMC7001 /routes/0/action", "IAMC7001 /routes/0/resource", "IAMC7001 /routes/1/extra", "IAMC7001 /principal"]));
    // in the house style: what is wrong, with the value found
    const messages = Object.fromEntries(problems.map((p) => [p.pointer, p.message]));
    expect(messages).toMatchObject({
      "/routes/0/action": "expected string, found number 3", "/routes/0/resource": "missing `resource`", "/routes/1/extra": "unknown key `extra`",
    });
    expect(messages["/principal"]).toMatch(/^expected `\{"header": NAME\}` or/);
    expect(problemsOf({ routes: [] })[0]).toMatchObject({ code: "IAMC7001", pointer: "/routes" });
    expect(problemsOf("routes")[0]!.code).toBe("IAMC7001");
  });

  it("refuses malformed path patterns with IAMC7002", () => {
    const bad = ["buckets", "/a/*rest/b", "/a/:", "/a/:x/:x", "/a/../b", "/a//b", "/a/:method"];
    bad.forEach((path) => {
      const problems = problemsOf({ routes: [{ path, action: "a:B", resource: "r" }] });
      expect(problems.map((p) => p.code), path).toContain("IAMC7002");
      expect(problems[0]!.pointer).toBe("/routes/0/path");
    });
  });

  it("refuses unknown template variables with IAMC7003 and names the known ones", () => {
    const [problem] = problemsOf({ routes: [{ path: "/b/:bucket", action: "s3:Get", resource: "arn:aws:s3:::{buckt}" }] });
    expect(problem).toMatchObject({ code: "IAMC7003", pointer: "/routes/0/resource" });
    expect(problem!.message).toContain("{bucket}");
    expect(problemsOf({ routes: [{ path: "/", action: "a:{", resource: "r" }] })[0]!.code).toBe("IAMC7003");
    expect(problemsOf({ routes: [{ path: "/", action: "a:B", resource: "{cookie:x}" }] })[0]!.code).toBe("IAMC7003");
    // {principal} is for context only: an action or resource cannot depend on who asks
    expect(problemsOf({ routes: [{ path: "/", action: "a:B", resource: "{principal}" }] })[0]!.code).toBe("IAMC7003");
    expect(problemsOf({ context: { "k": "{nope}" }, routes: [{ path: "/", action: "a:B", resource: "r" }] })[0]!.pointer).toBe("/context/k");
  });

  it("a principal template holds text and {value} only: who the caller is depends on nothing else", () => {
    const [problem] = problemsOf({ principal: { header: "x-user", template: "{header:x-tenant}:{value}" }, routes: [{ path: "/", action: "a:B", resource: "r" }] });
    expect(problem).toMatchObject({ code: "IAMC7003", pointer: "/principal/template" });
    expect(problemsOf({ principal: { jwt: { template: "{method}{value}" } }, routes: [{ path: "/", action: "a:B", resource: "r" }] })[0]).toMatchObject({ code: "IAMC7003", pointer: "/principal/jwt/template" });
  });

  it("reads `{{` and `}}` as literal braces", () => {
    const mapping = compileMapping({ routes: [{ path: "/x/:id", action: "a:B", resource: "{{{id}}}" }] });
    const match = matchRoute(mapping, "GET", "/x/7");
    expect("refused" in match).toBe(false);
    expect(fillTemplate(mapping.routes[0]!.resource, { view: view("GET", "/x/7"), match: match as never, verbs: mapping.verbs })).toBe("{7}");
  });
});

function view(method: string, url: string, headers: HttpRequestView["headers"] = {}): HttpRequestView {
  return { method, url, headers, ip: "10.0.0.9", secure: true };
}

describe("route matching", () => {
  const mapping = compileMapping(S3);
  const resourceOf = (method: string, url: string) => {
    const match = matchRoute(mapping, method, url);
    if ("refused" in match) return match;
    return {
      action: fillTemplate(match.route.action, { view: view(method, url), match, verbs: mapping.verbs }),
      resource: fillTemplate(match.route.resource, { view: view(method, url), match, verbs: mapping.verbs }),
    };
  };

  it("takes the first route whose method and path match; rest parameters take the remaining segments", () => {
    expect(resourceOf("GET", "/buckets/app/objects/a/b%20c.txt?versionId=3")).toEqual({ action: "s3:GetObject", resource: "arn:aws:s3:::app/a/b c.txt" });
    expect(resourceOf("post", "/buckets/app/objects/k")).toEqual({ action: "s3:PutObject", resource: "arn:aws:s3:::app/k" });
    expect(resourceOf("DELETE", "/vms/vm-1")).toEqual({ action: "vm:Delete", resource: "vm/vm-1" });
    expect(resourceOf("PATCH", "/vms/vm-1")).toEqual({ action: "vm:Update", resource: "vm/vm-1" });
    expect(resourceOf("GET", "/")).toEqual({ action: "svc:Root", resource: "root" });
    // a rest parameter may be empty: the bucket itself
    expect(resourceOf("GET", "/buckets/app/objects/")).toEqual({ action: "s3:GetObject", resource: "arn:aws:s3:::app/" });
  });

  it("answers 403 IAMC7101 when no route matches", () => {
    const refusals = [resourceOf("DELETE", "/buckets/app/objects/k"), resourceOf("GET", "/nope"), resourceOf("GET", "/vms/a/b"), resourceOf("GET", "/vms/")];
    refusals.forEach((r) => expect(r).toMatchObject({ refused: true, status: 403, code: "IAMC7101" }));
  });

  it("refuses ambiguous paths with 400 IAMC7102 instead of normalizing them", () => {
    const ambiguous = [
      "/buckets/app/objects/../secret/x", "/buckets/app/objects/%2e%2e/secret", "/buckets/app/objects/./x",
      "/buckets/app//objects/x", "/buckets/app/objects/a//b", "/buckets/a%2Fb/objects/x", "/buckets/%zz/objects/x", "buckets/a",
    ];
    ambiguous.forEach((url) => expect(resourceOf("GET", url), url).toMatchObject({ refused: true, status: 400, code: "IAMC7102" }));
    // an encoded slash inside a rest parameter is the same as a slash there
    expect(resourceOf("GET", "/buckets/app/objects/a%2Fb")).toEqual({ action: "s3:GetObject", resource: "arn:aws:s3:::app/a/b" });
  });

  it("builds the context: mapping keys, overridden by the route's, absent values left out", () => {
    const match = matchRoute(mapping, "GET", "/vms/v?x=1") as Exclude<ReturnType<typeof matchRoute>, Refusal>;
    const withTenant = fillContext(match.route, { view: view("GET", "/vms/v", { "x-tenant": "acme" }), match, verbs: mapping.verbs });
    expect({ ...(withTenant as object) }).toEqual({ "aws:SourceIp": "10.0.0.9", "aws:SecureTransport": "true", "app:tier": 3, "app:tenant": "acme" });
    const without = fillContext(match.route, { view: { method: "GET", url: "/vms/v", headers: {} }, match, verbs: mapping.verbs });
    expect({ ...(without as object) }).toEqual({ "aws:SecureTransport": "false", "app:tier": 3 });
  });

  it("reads query parameters and claims into templates", () => {
    const m = compileMapping({ routes: [{ path: "/q", action: "a:B", resource: "r/{query:id}/{claim:org}" }] });
    const match = matchRoute(m, "GET", "/q?x=1&id=a%20b+c") as Exclude<ReturnType<typeof matchRoute>, Refusal>;
    expect(fillTemplate(m.routes[0]!.resource, { view: view("GET", "/q"), match, verbs: m.verbs, claims: { org: "acme" } })).toBe("r/a b c/acme");
    expect(fillTemplate(m.routes[0]!.resource, { view: view("GET", "/q"), match, verbs: m.verbs })).toBeUndefined();
  });

  it("never throws on any URL: a match or a refusal", () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), fc.constantFrom("GET", "PUT", "DELETE", "x"), (url, method) => {
      const result = matchRoute(mapping, method, url);
      if ("refused" in result) expect([400, 403]).toContain(result.status);
      else for (const value of result.params.values()) expect(value.split("/")).not.toContain("..");
    }), { seed: 42, numRuns: 2000 });
  });

  it("a one-segment parameter never holds a `/`, whatever the encoding", () => {
    const segment = fc.array(fc.constantFrom("a", "/", "%2F", "%2f", "%", "2F", ".", "%2E"), { minLength: 1, maxLength: 6 }).map((s) => s.join(""));
    fc.assert(fc.property(segment, (bucket) => {
      const result = matchRoute(mapping, "GET", `/buckets/${bucket}/objects/k`);
      if (!("refused" in result)) expect(result.params.get("bucket")).not.toContain("/");
    }), { seed: 7, numRuns: 1000 });
  });
});
