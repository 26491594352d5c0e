// iamc/http over real loopback servers: node:http (withIamc and the Connect-style middleware) and
// Fastify (fastifyIamc). Allowed requests reach the handler with the answer recorded; denied and
// refused ones are answered by the gateway (status, JSON body, headers) and never reach it.
import { generateKeyPairSync, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, relative, resolve } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import { ed25519Signer, generateSigningKey } from "../../compiler/signing.js";
import {
  authorize, createGateway, fastifyIamc, iamcAnswerOf, iamcMiddleware, jwtVerifier, MappingError, MAX_HEADER_COUNT, MAX_URL_LENGTH,
  withIamc, type DecisionSource, type GatewayAnswer, type IamcHttpOptions, type MappingConfig,
} from "../../gateway/http.js";
import { loadBundle } from "../../runtime/node.js";
import { REPO, tempDir } from "../cli/helpers.js";
import { workspaceFromJson } from "../support/workspace.js";

const ACCOUNT = "arn:aws:iam::111111111111:user/";
const bundleKey = generateSigningKey();

/** Alice reads bucket `b` except `b/secret/*` (explicitly denied); bob has nothing. */
function bundle(revision: number, readAction = "s3:GetObject"): Uint8Array {
  const { workspace } = workspaceFromJson({
    model: "aws",
    policies: [{
      id: "Reader",
      document: {
        Version: "2012-10-17",
        Statement: [
          { Sid: "Read", Effect: "Allow", Action: readAction, Resource: "arn:aws:s3:::b/*" },
          { Sid: "NoSecrets", Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::b/secret/*" },
        ],
      },
    }],
    principals: [{ id: `${ACCOUNT}alice`, policies: ["Reader"] }, { id: `${ACCOUNT}bob`, policies: [] }],
  });
  return compileWorkspace(workspace!, { build: { revision, createdAt: "2026-11-23T00:00:00.000Z" }, sign: ed25519Signer(bundleKey.privateKeyPem) }).bundle!;
}

const authorizer = loadBundle(bundle(1));

const ROUTES: MappingConfig["routes"] = [
  { method: ["GET", "HEAD"], path: "/buckets/:bucket/objects/*key", action: "s3:GetObject", resource: "arn:aws:s3:::{bucket}/{key}" },
];
const HEADER_MAPPING: MappingConfig = {
  principal: { header: "x-user", template: `${ACCOUNT}{value}`, required: true },
  context: { "aws:SourceIp": "{ip}", "aws:SecureTransport": "{secure}" },
  routes: ROUTES,
};

/** The toy upstream: says who it served and how the gateway decided. */
function upstream(calls: { count: number }) {
  return (req: IncomingMessage, res: ServerResponse) => {
    calls.count++;
    const answer = iamcAnswerOf(req);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, decision: answer?.decision, request: answer?.request }));
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A request sent as written: node:http keeps dot segments that fetch would resolve away. */
function raw(base: string, path: string, headers: Record<string, string | string[]> = {}, method = "GET"): Promise<Reply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk)).on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject).end();
  });
}

async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(base + path, { headers });
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

const manyHeaders = Object.fromEntries(Array.from({ length: MAX_HEADER_COUNT + 1 }, (_, i) => [`x-pad-${i}`, "1"]));

// ---------------------------------------------------------------------------------------------
// One set of cases, three servers.

interface Harness {
  readonly base: string;
  readonly calls: { count: number };
  readonly answers: GatewayAnswer[];
  stop(): Promise<void>;
}

const HARNESSES: Record<string, () => Promise<Harness>> = {
  "node:http withIamc": async () => {
    const calls = { count: 0 };
    const answers: GatewayAnswer[] = [];
    const server = createServer({ maxHeaderSize: 64 * 1024 }, withIamc(upstream(calls), {
      source: authorizer, mapping: HEADER_MAPPING, onDecision: (a) => answers.push(a),
    }));
    return { base: await listen(server), calls, answers, stop: () => close(server) };
  },
  "node:http iamcMiddleware + next": async () => {
    const calls = { count: 0 };
    const answers: GatewayAnswer[] = [];
    const guard = iamcMiddleware({ source: authorizer, mapping: HEADER_MAPPING, onDecision: (a) => answers.push(a) });
    const handler = upstream(calls);
    const server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => void guard(req, res, () => handler(req, res)));
    return { base: await listen(server), calls, answers, stop: () => close(server) };
  },
  "Fastify fastifyIamc": async () => {
    const calls = { count: 0 };
    const answers: GatewayAnswer[] = [];
    const app = Fastify({ http: { maxHeaderSize: 64 * 1024 } });
    await app.register(fastifyIamc, { source: authorizer, mapping: HEADER_MAPPING, onDecision: (a) => answers.push(a) });
    app.get("/buckets/:bucket/objects/*", async (request) => {
      calls.count++;
      const answer = iamcAnswerOf(request);
      return { ok: true, decision: answer?.decision, request: answer?.request };
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    return { base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, calls, answers, stop: () => app.close() };
  },
};

describe.each(Object.keys(HARNESSES))("%s", (name) => {
  let h: Harness;
  beforeAll(async () => (h = await HARNESSES[name]!()));
  afterAll(async () => h.stop());

  it("lets an allowed request reach the handler, with the answer recorded", async () => {
    const before = h.calls.count;
    const reply = await get(h.base, "/buckets/b/objects/docs/readme.txt", { "x-user": "alice" });
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body);
    expect(body).toMatchObject({ ok: true, decision: "Allow" });
    expect(body.request).toEqual({
      principal: `${ACCOUNT}alice`, action: "s3:GetObject", resource: "arn:aws:s3:::b/docs/readme.txt",
      context: { "aws:SourceIp": "127.0.0.1", "aws:SecureTransport": "false" },
    });
    expect(h.calls.count).toBe(before + 1);
    expect(h.answers.at(-1)).toMatchObject({ status: 200, decision: "Allow" });
  });

  it.each([
    ["an implicit deny", "bob", "/buckets/b/objects/docs/readme.txt", "ImplicitDeny"],
    ["an explicit deny", "alice", "/buckets/b/objects/secret/keys.txt", "ExplicitDeny"],
  ])("answers %s with 403 and never calls the handler", async (_, user, path, decision) => {
    const before = h.calls.count;
    const reply = await get(h.base, path, { "x-user": user });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body)).toEqual({ error: "forbidden", decision, code: null });
    expect(reply.headers["x-iamc-decision"]).toBe(decision);
    expect(reply.headers["content-type"]).toMatch(/^application\/json/);
    expect(h.calls.count).toBe(before);
    expect(h.answers.at(-1)).toMatchObject({ status: 403, decision });
  });

  it("answers 401 with a Bearer challenge when the principal header is missing", async () => {
    const before = h.calls.count;
    const reply = await get(h.base, "/buckets/b/objects/docs/readme.txt");
    expect(reply.status).toBe(401);
    expect(reply.headers["www-authenticate"]).toBe("Bearer");
    expect(reply.headers["x-iamc-code"]).toBe("IAMC7103");
    expect(reply.headers["x-iamc-decision"]).toBe("Refused");
    expect(JSON.parse(reply.body)).toMatchObject({ decision: null, code: "IAMC7103" });
    expect(h.calls.count).toBe(before);
  });

  it("answers 401 when the principal header is sent twice, rather than pick one", async () => {
    const before = h.calls.count;
    const reply = await raw(h.base, "/buckets/b/objects/docs/readme.txt", { "x-user": ["bob", "alice"] });
    expect(reply.status).toBe(401);
    expect(reply.headers["x-iamc-code"]).toBe("IAMC7103");
    expect(h.calls.count).toBe(before);
  });

  it.each([
    "/buckets/b/objects/public/../secret/keys.txt",
    "/buckets/b/objects/./secret/keys.txt",
    "/buckets/b/objects/%2e%2e/b/secret/keys.txt",
    "/buckets/b//objects/x",
  ])("answers 400 for the ambiguous path %s", async (path) => {
    const before = h.calls.count;
    const reply = await raw(h.base, path, { "x-user": "alice" });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toMatchObject({ decision: null, code: "IAMC7102" });
    expect(h.calls.count).toBe(before);
  });

  it("answers 403 (IAMC7101) when no route maps the request", async () => {
    const reply = await raw(h.base, "/buckets/b/objects/x", { "x-user": "alice" }, "DELETE");
    expect(reply.status).toBe(403);
    expect(reply.headers["x-iamc-code"]).toBe("IAMC7101");
  });

  it(`answers 413 for more than ${MAX_HEADER_COUNT} header lines and a target over ${MAX_URL_LENGTH} characters`, async () => {
    const before = h.calls.count;
    const many = await raw(h.base, "/buckets/b/objects/x", { "x-user": "alice", ...manyHeaders });
    expect(many.status).toBe(413);
    expect(JSON.parse(many.body)).toMatchObject({ code: "IAMC7105" });
    const long = await raw(h.base, `/buckets/b/objects/${"a".repeat(MAX_URL_LENGTH)}`, { "x-user": "alice" });
    expect(long.status).toBe(413);
    expect(long.headers["x-iamc-code"]).toBe("IAMC7105");
    expect(h.calls.count).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------------

describe("JWT principal, end to end", () => {
  const issuerKeys = generateKeyPairSync("ed25519");
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const mint = (claims: Record<string, unknown>, key = issuerKeys.privateKey) => {
    const input = `${b64({ alg: "EdDSA", typ: "JWT" })}.${b64(claims)}`;
    return `${input}.${sign(null, Buffer.from(input), key).toString("base64url")}`;
  };
  const verifyJwt = jwtVerifier({
    keys: [issuerKeys.publicKey.export({ type: "spki", format: "pem" }).toString()], issuer: "https://id.example", audience: "storage",
  });
  const options: IamcHttpOptions = {
    source: authorizer,
    mapping: { principal: { jwt: { claim: "sub", template: `${ACCOUNT}{value}` }, required: true }, routes: ROUTES },
    verifyJwt,
  };
  const claims = (sub: string) => ({ sub, iss: "https://id.example", aud: "storage", exp: Math.floor(Date.now() / 1000) + 300 });

  for (const [label, verifier] of [["a synchronous verifier", verifyJwt], ["an asynchronous verifier", async (t: string) => verifyJwt(t)]] as const) {
    describe(label, () => {
      let server: Server;
      let base: string;
      const calls = { count: 0 };
      beforeAll(async () => {
        server = createServer(withIamc(upstream(calls), { ...options, verifyJwt: verifier }));
        base = await listen(server);
      });
      afterAll(() => close(server));

      it("lets a signed token's subject through as the principal", async () => {
        const reply = await get(base, "/buckets/b/objects/readme.txt", { authorization: `Bearer ${mint(claims("alice"))}` });
        expect(reply.status).toBe(200);
        expect(JSON.parse(reply.body).request.principal).toBe(`${ACCOUNT}alice`);
      });

      it("denies a valid token whose subject may not", async () => {
        const reply = await get(base, "/buckets/b/objects/readme.txt", { authorization: `Bearer ${mint(claims("bob"))}` });
        expect(reply.status).toBe(403);
        expect(reply.headers["x-iamc-decision"]).toBe("ImplicitDeny");
      });

      it("answers 401 for a missing, malformed, forged, expired or wrong-audience token", async () => {
        const before = calls.count;
        const missing = await get(base, "/buckets/b/objects/readme.txt");
        expect([missing.status, missing.headers["www-authenticate"]]).toEqual([401, "Bearer"]);
        const forged = mint(claims("alice"), generateKeyPairSync("ed25519").privateKey);
        const expired = mint({ ...claims("alice"), exp: Math.floor(Date.now() / 1000) - 3600 });
        const otherAudience = mint({ ...claims("alice"), aud: "billing" });
        for (const value of ["Basic YWxpY2U6cHc=", "Bearer not.a.token", `Bearer ${forged}`, `Bearer ${expired}`, `Bearer ${otherAudience}`]) {
          const reply = await get(base, "/buckets/b/objects/readme.txt", { authorization: value });
          expect(reply.status, value).toBe(401);
          expect(reply.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
          expect(reply.headers["x-iamc-code"]).toBe("IAMC7103");
        }
        // two Authorization headers: node's req.headers would keep the first; the gateway sees both and refuses
        const twice = await raw(base, "/buckets/b/objects/readme.txt", { authorization: [`Bearer ${mint(claims("alice"))}`, `Bearer ${mint(claims("bob"))}`] });
        expect(twice.status).toBe(401);
        expect(calls.count).toBe(before);
      });
    });
  }

  it("refuses to start without a verifier (IAMC7005)", () => {
    expect(() => withIamc(() => {}, { ...options, verifyJwt: undefined })).toThrow(MappingError);
  });
});

describe("a watched bundle file as the source", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await tempDir()));
  afterAll(async () => cleanup());

  it("serves once the first good bundle loads, swaps in a newer one, keeps it through a tampered one", async () => {
    const path = join(dir, "live.iamc");
    await writeFile(path, bundle(1));
    const calls = { count: 0 };
    const listener = withIamc(upstream(calls), { source: path, publicKeys: [bundleKey.publicKeyPem], intervalMs: 60_000, mapping: HEADER_MAPPING });
    const server = createServer(listener);
    const base = await listen(server);
    try {
      await listener.ready();
      const events: string[] = [];
      listener.watcher!.on((e) => events.push(e.type === "loaded" ? `loaded ${e.revision}` : e.code));
      expect((await get(base, "/buckets/b/objects/readme.txt", { "x-user": "alice" })).status).toBe(200);

      // revision 2 grants PutObject instead of GetObject: the read is now denied
      await writeFile(`${path}.next`, bundle(2, "s3:PutObject"));
      await rename(`${path}.next`, path);
      await listener.watcher!.poll();
      expect((await get(base, "/buckets/b/objects/readme.txt", { "x-user": "alice" })).status).toBe(403);

      const tampered = bundle(3);
      tampered[Math.floor(tampered.length / 2)]! ^= 0xff;
      await writeFile(`${path}.next`, tampered);
      await rename(`${path}.next`, path);
      await listener.watcher!.poll();
      expect((await get(base, "/buckets/b/objects/readme.txt", { "x-user": "alice" })).status).toBe(403);
      expect(events).toEqual(["loaded 2", "IAMC5004"]);
    } finally {
      listener.close();
      await close(server);
    }
  });

  it("denies (403) while no good bundle has loaded: fail closed", async () => {
    const path = join(dir, "missing.iamc");
    const calls = { count: 0 };
    const listener = withIamc(upstream(calls), { source: path, intervalMs: 60_000, mapping: HEADER_MAPPING });
    const server = createServer(listener);
    const base = await listen(server);
    try {
      await listener.watcher!.poll();
      const reply = await get(base, "/buckets/b/objects/readme.txt", { "x-user": "alice" });
      expect(reply.status).toBe(403);
      expect(reply.headers["x-iamc-decision"]).toBe("ImplicitDeny");
      expect(calls.count).toBe(0);
    } finally {
      listener.close();
      await close(server);
    }
  });
});

describe("failing closed", () => {
  const throwing: DecisionSource = {
    check: () => { throw new Error("table exploded"); },
    explain: () => { throw new Error("table exploded"); },
  };

  it.each([false, true])("answers 403 when the source throws (explain %s), and the server lives on", async (explain) => {
    const calls = { count: 0 };
    const answers: GatewayAnswer[] = [];
    const server = createServer(withIamc(upstream(calls), {
      source: throwing, mapping: HEADER_MAPPING, explain,
      onDecision: (a) => { answers.push(a); throw new Error("a broken logger"); },
    }));
    const base = await listen(server);
    try {
      for (let i = 0; i < 3; i++) {
        const reply = await get(base, "/buckets/b/objects/readme.txt", { "x-user": "alice" });
        expect(reply.status).toBe(403);
        expect(JSON.parse(reply.body)).toEqual({ error: "forbidden", decision: "ImplicitDeny", code: null });
      }
      expect(calls.count).toBe(0);
      expect(answers[0]!.reason).toContain("table exploded");
    } finally {
      await close(server);
    }
  });

  it("never lets a request through when the JWT verifier throws or rejects", async () => {
    for (const verifyJwt of [() => { throw new Error("jwks down"); }, () => Promise.reject(new Error("jwks down"))]) {
      const calls = { count: 0 };
      const server = createServer(withIamc(upstream(calls), {
        source: authorizer, verifyJwt,
        mapping: { principal: { jwt: {} }, routes: ROUTES },
      }));
      const base = await listen(server);
      try {
        const reply = await get(base, "/buckets/b/objects/readme.txt", { authorization: "Bearer a.b.c" });
        // gateway.ts answers a throwing or rejecting verifier 401 (it verified nothing): either way the handler never runs
        expect([401, 403]).toContain(reply.status);
        expect(calls.count).toBe(0);
      } finally {
        await close(server);
      }
    }
  });
});

describe("the other entry points", () => {
  let server: Server;
  let base: string;
  const seen: GatewayAnswer[] = [];
  const options: IamcHttpOptions = { source: authorizer, mapping: HEADER_MAPPING, trustProxy: true };
  const guard = iamcMiddleware({ source: authorizer, mapping: HEADER_MAPPING });
  const gateway = createGateway(authorizer, HEADER_MAPPING);

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const mode = req.headers["x-mode"];
      if (mode === "middleware-await") {
        // no next: await the answer; on a deny the response is already written
        const answer = await guard(req, res);
        if (answer.status !== 200) return;
        res.end(JSON.stringify({ via: "await", answer: iamcAnswerOf(req) }));
        return;
      }
      const answer = await authorize(req, mode === "gateway" ? gateway : options);
      seen.push(answer);
      res.writeHead(answer.status === 200 ? 200 : 499).end(JSON.stringify(answer));
    });
    base = await listen(server);
  });
  afterAll(() => close(server));

  it("authorize(req, options) answers without writing, taking the client from x-forwarded-* with trustProxy", async () => {
    const reply = await get(base, "/buckets/b/objects/readme.txt", {
      "x-user": "alice", "x-forwarded-for": "203.0.113.7, 10.0.0.1", "x-forwarded-proto": "https",
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).request.context).toEqual({ "aws:SourceIp": "203.0.113.7", "aws:SecureTransport": "true" });
    const denied = await get(base, "/buckets/b/objects/readme.txt", { "x-user": "bob" });
    expect(denied.status).toBe(499); // the caller chose its own response
    expect(JSON.parse(denied.body)).toMatchObject({ status: 403, decision: "ImplicitDeny" });
  });

  it("authorize(req, gateway) uses the socket's address, ignoring x-forwarded-for", async () => {
    const reply = await get(base, "/buckets/b/objects/readme.txt", { "x-user": "alice", "x-mode": "gateway", "x-forwarded-for": "203.0.113.7" });
    expect(JSON.parse(reply.body).request.context["aws:SourceIp"]).toBe("127.0.0.1");
  });

  it("the middleware without next can be awaited; a deny is written for the caller", async () => {
    const allowed = await get(base, "/buckets/b/objects/readme.txt", { "x-user": "alice", "x-mode": "middleware-await" });
    expect(JSON.parse(allowed.body)).toMatchObject({ via: "await", answer: { status: 200, decision: "Allow" } });
    const denied = await get(base, "/buckets/b/objects/secret/x", { "x-user": "alice", "x-mode": "middleware-await" });
    expect(denied.status).toBe(403);
    expect(denied.headers["x-iamc-decision"]).toBe("ExplicitDeny");
  });

  it("explain: true names the deciding statement", async () => {
    const explaining: IamcHttpOptions = { source: authorizer, mapping: HEADER_MAPPING, explain: true };
    const answers: GatewayAnswer[] = [];
    const s = createServer(withIamc(upstream({ count: 0 }), { ...explaining, onDecision: (a) => answers.push(a) }));
    const b = await listen(s);
    try {
      await get(b, "/buckets/b/objects/secret/x", { "x-user": "alice" });
      await get(b, "/buckets/b/objects/readme.txt", { "x-user": "alice" });
      expect(answers.map((a) => [a.decision, a.statement])).toEqual([["ExplicitDeny", "Reader#NoSecrets"], ["Allow", "Reader#Read"]]);
    } finally {
      await close(s);
    }
  });

  it("a bad mapping fails at creation with every problem, not per request", () => {
    expect(() => withIamc(() => {}, { source: authorizer, mapping: { routes: [{ path: "x", action: "{nope}", resource: "r" }] } }))
      .toThrow(MappingError);
  });
});

describe("Fastify specifics", () => {
  let app: FastifyInstance;
  afterAll(async () => app?.close());

  it("guards routes of the registering scope and of nested plugins (skip-override), and fails ready() on a bad mapping", async () => {
    app = Fastify();
    await app.register(fastifyIamc, { source: authorizer, mapping: HEADER_MAPPING });
    app.get("/buckets/:bucket/objects/*", async () => ({ ok: "root" }));
    await app.register(async (child) => {
      child.get("/buckets/:bucket/objects/nested/*", async () => ({ ok: "nested" }));
    });
    const root = await app.inject({ method: "GET", url: "/buckets/b/objects/x", headers: { "x-user": "bob" } });
    expect(root.statusCode).toBe(403);
    const nested = await app.inject({ method: "GET", url: "/buckets/b/objects/nested/x", headers: { "x-user": "bob" } });
    expect(nested.statusCode).toBe(403);
    const allowed = await app.inject({ method: "GET", url: "/buckets/b/objects/nested/x", headers: { "x-user": "alice" } });
    expect([allowed.statusCode, allowed.json()]).toEqual([200, { ok: "nested" }]);

    const broken = Fastify();
    broken.register(fastifyIamc, { source: authorizer, mapping: { routes: [] } });
    await expect(broken.ready()).rejects.toThrow(MappingError);
  });

  it("with a watched bundle, is ready once it serves, and fails to start (pluginTimeout) when none loads", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const path = join(dir, "live.iamc");
      await writeFile(path, bundle(1));
      const watched = Fastify();
      await watched.register(fastifyIamc, { source: path, publicKeys: [bundleKey.publicKeyPem], intervalMs: 60_000, mapping: HEADER_MAPPING });
      watched.get("/buckets/:bucket/objects/*", async () => ({ ok: true }));
      await watched.ready();
      // no poll awaited here: ready() already waited for the first good bundle
      const reply = await watched.inject({ method: "GET", url: "/buckets/b/objects/x", headers: { "x-user": "alice" } });
      expect(reply.statusCode).toBe(200);
      await watched.close();

      const never = Fastify({ pluginTimeout: 300 });
      never.register(fastifyIamc, { source: join(dir, "missing.iamc"), intervalMs: 60_000, mapping: HEADER_MAPPING });
      await expect(never.ready()).rejects.toThrow(/timeout|did not start/i);
      await never.close().catch(() => {});
    } finally {
      await cleanup();
    }
  });
});

describe("what iamc/http ships", () => {
  it("imports nothing of compiler/ or grammar/ (it runs on gateways), walking its relative imports", () => {
    const seen = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      // every relative module specifier: static, side-effect and dynamic imports alike
      for (const [, spec] of text.matchAll(/["'](\.\.?\/[^"']+\.js)["']/g)) {
        walk(resolve(dirname(file), spec!.replace(/\.js$/, ".ts")));
      }
    };
    walk(join(REPO, "gateway", "http.ts"));
    const files = [...seen].map((f) => relative(REPO, f)).sort();
    expect(files).toContain("gateway/jwt.ts");
    expect(files).toContain("runtime/node.ts");
    expect(files.filter((f) => f.startsWith("compiler/") || f.startsWith("grammar/"))).toEqual([]);
  });
});
