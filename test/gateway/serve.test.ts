// `iamc serve`'s server over real sockets: nginx auth_request subrequests and Envoy ext_authz
// check requests as those proxies send them, the headers and statuses each proxy acts on, health,
// hot reload with keep-last-good, and requests that must not crash it or split its headers.
import { createHmac } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { Agent, request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { jwtVerifier } from "../../gateway/jwt.js";
import { createAuthServer, headerSafe, MAX_TARGET_LENGTH, reservedAnswer, statusFor, type AuthServer, type DecisionRecord } from "../../gateway/serve.js";
import { loadBundle } from "../../runtime/index.js";
import { watchBundle, type BundleWatcher, type WatchEvent } from "../../runtime/node.js";
import { tempDir } from "../cli/helpers.js";
import { ALICE, rawExchange, rawHeaderNames, send, sendEnvoy, sendNginx, storeBundle, STORE_MAPPING } from "./serve-helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(async () => cleanup());

/** Servers a test started, closed after it. */
const running: AuthServer[] = [];
const watchers: BundleWatcher[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  for (const w of watchers.splice(0)) w.close();
});

async function start(options: Partial<Parameters<typeof createAuthServer>[0]> = {}): Promise<number> {
  const server = createAuthServer({ source: loadBundle(storeBundle(1)), mapping: STORE_MAPPING, ...options });
  running.push(server);
  return (await server.listen(0, "127.0.0.1")).port;
}

describe("nginx auth_request", () => {
  it("answers 200 with the decision, deciding statement, principal and revision; empty body", async () => {
    const port = await start();
    const reply = await sendNginx(port, "GET", "/buckets/acme/objects/reports/q1.csv", { "x-user": "alice" });
    expect(reply.status).toBe(200);
    expect(reply.headers).toMatchObject({
      "x-iamc-decision": "Allow", "x-iamc-statement": "Store#ReadObjects", "x-iamc-principal": ALICE, "x-iamc-revision": "1",
    });
    expect(reply.headers["x-iamc-code"]).toBeUndefined();
    expect(reply.body).toBe("");
  });

  it("denies with 403: explicitly with the deny statement, implicitly without one", async () => {
    const port = await start();
    const explicit = await sendNginx(port, "GET", "/buckets/acme/objects/secret/keys.txt", { "x-user": "alice" });
    expect(explicit.status).toBe(403);
    expect(explicit.headers).toMatchObject({ "x-iamc-decision": "ExplicitDeny", "x-iamc-statement": "Store#NoSecrets" });
    expect(explicit.body).toBe("forbidden: ExplicitDeny\n");
    const implicit = await sendNginx(port, "GET", "/buckets/other/objects/a", { "x-user": "alice" });
    expect(implicit.status).toBe(403);
    expect(implicit.headers["x-iamc-decision"]).toBe("ImplicitDeny");
    expect(implicit.headers["x-iamc-statement"]).toBeUndefined();
  });

  it("decides the original method and URI from the headers, not the subrequest's own", async () => {
    const port = await start();
    // the subrequest itself is GET /_iamc; the request nginx asks about is a PUT
    const put = await sendNginx(port, "PUT", "/buckets/acme/objects/a", { "x-user": "alice" });
    expect(put).toMatchObject({ status: 403, headers: { "x-iamc-decision": "ImplicitDeny" } });
    const withQuery = await sendNginx(port, "GET", "/buckets/acme/objects/a?versionId=3", { "x-user": "alice" });
    expect(withQuery.status).toBe(200);
  });

  it("takes {ip} from X-Forwarded-For's first entry and {secure} from X-Forwarded-Proto", async () => {
    const port = await start();
    const list = (forwardedFor: string) => sendNginx(port, "GET", "/buckets/acme", { "x-user": "alice", "x-forwarded-for": forwardedFor });
    expect((await list("10.9.8.7")).status).toBe(200);
    expect((await list("10.9.8.7, 198.51.100.1")).status).toBe(200);
    expect((await list("198.51.100.1, 10.9.8.7")).status).toBe(403);
    expect((await list("not-an-address")).status).toBe(403);
    const del = (proto?: string) => sendNginx(port, "DELETE", "/buckets/acme/objects/a", { "x-user": "alice", ...(proto ? { "x-forwarded-proto": proto } : {}) });
    expect((await del("https")).status).toBe(200);
    expect((await del("http")).status).toBe(403);
    expect((await del()).status).toBe(403);
  });

  it("answers the gateway's 400 and 413 refusals as 403 with the code (nginx would make them a 500)", async () => {
    const port = await start();
    const cases: [string, string, Record<string, string>, string][] = [
      ["GET", "/buckets/acme/objects/a/../secret/k", { "x-user": "alice" }, "IAMC7102"],
      ["GET", "/buckets/acme/objects/%zz", { "x-user": "alice" }, "IAMC7102"],
      ["GET", "/by-header/acme", { "x-user": "alice" }, "IAMC7104"],
      ["POST", "/buckets/acme/objects/a", { "x-user": "alice" }, "IAMC7101"],
      ["GET", `/buckets/acme/objects/${"a".repeat(MAX_TARGET_LENGTH)}`, { "x-user": "alice" }, "IAMC7105"],
    ];
    for (const [method, uri, headers, code] of cases) {
      const reply = await sendNginx(port, method, uri, headers);
      expect(reply.status, `${method} ${uri.slice(0, 60)}`).toBe(403);
      expect(reply.headers).toMatchObject({ "x-iamc-decision": "Refused", "x-iamc-code": code });
      expect(reply.body).toMatch(new RegExp(`^forbidden: ${code} `));
    }
    expect([200, 400, 401, 403, 413].map((s) => statusFor("nginx", s as 200))).toEqual([200, 403, 401, 403, 403]);
  });

  it("refuses a subrequest that carries X-Original-URI twice instead of picking one", async () => {
    const port = await start();
    const response = await rawExchange(port,
      "GET /_iamc HTTP/1.1\r\nhost: x\r\nx-user: alice\r\nx-original-uri: /buckets/acme/objects/a\r\nx-original-uri: /buckets/acme/objects/secret/b\r\nconnection: close\r\n\r\n");
    expect(response).toMatch(/^HTTP\/1\.1 403 /);
    expect(response).toMatch(/x-iamc-code: IAMC7102/i);
  });

  it("does not answer health on an nginx subrequest: /.iamc/health there is a request to decide", async () => {
    const port = await start();
    const reply = await sendNginx(port, "GET", "/.iamc/health", { "x-user": "alice" });
    expect(reply).toMatchObject({ status: 403, headers: { "x-iamc-code": "IAMC7101" } });
  });
});

describe("Envoy ext_authz (HTTP service)", () => {
  it("decides the request itself, minus path_prefix, with the headers Envoy sends", async () => {
    const port = await start({ pathPrefix: "/authz" });
    const allowed = await sendEnvoy(port, "GET", "/authz/buckets/acme/objects/reports/q1.csv?part=2", { "x-user": "alice" });
    expect(allowed.status).toBe(200);
    expect(allowed.headers).toMatchObject({ "x-iamc-decision": "Allow", "x-iamc-statement": "Store#ReadObjects", "x-iamc-principal": ALICE, "x-iamc-revision": "1" });
    const denied = await sendEnvoy(port, "PUT", "/authz/buckets/acme/objects/secret/x", { "x-user": "alice" });
    expect(denied).toMatchObject({ status: 403, headers: { "x-iamc-decision": "ExplicitDeny", "x-iamc-statement": "Store#NoSecrets" } });
  });

  it("trusts no forwarded headers: {ip} is the peer, {secure} false (the mapping can read headers itself)", async () => {
    const port = await start({ pathPrefix: "/authz" });
    // x-forwarded-proto: https and x-forwarded-for: 10.1.2.3 are sent, and ignored
    expect((await sendEnvoy(port, "DELETE", "/authz/buckets/acme/objects/a", { "x-user": "alice" })).status).toBe(403);
    expect((await sendEnvoy(port, "GET", "/authz/buckets/acme", { "x-user": "alice" })).status).toBe(403);
  });

  it("passes the gateway's status on (Envoy sends a denial's status to the client), with the code", async () => {
    const port = await start({ pathPrefix: "/authz" });
    const malformed = await sendEnvoy(port, "GET", "/authz/buckets/acme/objects/a/./b", { "x-user": "alice" });
    expect(malformed).toMatchObject({ status: 400, headers: { "x-iamc-decision": "Refused", "x-iamc-code": "IAMC7102" } });
    const huge = await sendEnvoy(port, "GET", `/authz/buckets/acme/objects/${"b".repeat(MAX_TARGET_LENGTH)}`, { "x-user": "alice" });
    expect(huge).toMatchObject({ status: 413, headers: { "x-iamc-code": "IAMC7105" } });
    const outside = await sendEnvoy(port, "GET", "/buckets/acme/objects/a", { "x-user": "alice" });
    expect(outside).toMatchObject({ status: 403, headers: { "x-iamc-code": "IAMC7101" } });
    const lookalike = await sendEnvoy(port, "GET", "/authzbuckets/acme/objects/a", { "x-user": "alice" });
    expect(lookalike).toMatchObject({ status: 403, headers: { "x-iamc-code": "IAMC7101" } });
  });

  it("sends the principal header empty for the unauthenticated caller, so Envoy overwrites a forged one", async () => {
    const port = await start({ pathPrefix: "/authz" });
    const reply = await sendEnvoy(port, "GET", "/authz/buckets/acme/objects/a", { "x-iamc-principal": "arn:forged" });
    expect(reply.status).toBe(403);
    expect(reply.headers["x-iamc-principal"]).toBe("");
  });

  it("refuses a path prefix that Envoy could not have sent", () => {
    for (const bad of ["authz", "/authz/", "/a?b"]) expect(() => createAuthServer({ source: loadBundle(storeBundle(1)), mapping: STORE_MAPPING, pathPrefix: bad })).toThrow(/path prefix/);
  });
});

describe("bearer tokens: 401 goes through in both modes", () => {
  const secret = "a shared secret of thirty-two bytes!";
  const sign = (claims: Record<string, unknown>) => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const input = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
    return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
  };
  const startJwt = () => start({
    mapping: { ...STORE_MAPPING, principal: { jwt: { template: `arn:aws:iam::111111111111:user/{value}` }, required: true } },
    verifyJwt: jwtVerifier({ keys: [{ secret }], algorithms: ["HS256"] }),
  });

  it("401 with a Bearer challenge without a token, invalid_token with a bad one; a good one decides", async () => {
    const port = await startJwt();
    const uri = "/buckets/acme/objects/a";
    const none = await sendNginx(port, "GET", uri);
    expect(none).toMatchObject({ status: 401, headers: { "x-iamc-code": "IAMC7103", "www-authenticate": "Bearer", "x-iamc-decision": "Refused" } });
    const bad = await sendEnvoy(port, "GET", uri, { authorization: `Bearer ${sign({ sub: "alice" })}x` });
    expect(bad).toMatchObject({ status: 401, headers: { "www-authenticate": 'Bearer error="invalid_token"' } });
    const good = await sendNginx(port, "GET", uri, { authorization: `Bearer ${sign({ sub: "alice" })}` });
    expect(good).toMatchObject({ status: 200, headers: { "x-iamc-principal": ALICE } });
  });

  it("a claim with CR/LF or non-ASCII cannot split the response's headers: it is percent-encoded", async () => {
    const port = await startJwt();
    const token = sign({ sub: "bob\r\nx-evil: 1\r\n\r\nsmuggled é" });
    const response = await rawExchange(port,
      `GET /_iamc HTTP/1.1\r\nhost: x\r\nx-original-method: GET\r\nx-original-uri: /buckets/acme/objects/a\r\nauthorization: Bearer ${token}\r\nconnection: close\r\n\r\n`);
    expect(response).toMatch(/^HTTP\/1\.1 403 /);
    expect(rawHeaderNames(response)).not.toContain("x-evil");
    const principal = /\r\nx-iamc-principal: ([^\r\n]*)\r\n/i.exec(response)?.[1];
    expect(principal).toBe("arn:aws:iam::111111111111:user/bob%0D%0Ax-evil: 1%0D%0A%0D%0Asmuggled %C3%A9");
    expect(decodeURIComponent(principal!)).toBe("arn:aws:iam::111111111111:user/bob\r\nx-evil: 1\r\n\r\nsmuggled é");
  });
});

describe("header values", () => {
  it("keeps printable ASCII and percent-encodes everything else, % included, reversibly", () => {
    expect(headerSafe("Store#ReadObjects")).toBe("Store#ReadObjects");
    expect(headerSafe("a%b")).toBe("a%25b");
    expect(headerSafe("x\r\ny\0z\u007f")).toBe("x%0D%0Ay%00z%7F");
    expect(headerSafe("ü😀")).toBe("%C3%BC%F0%9F%98%80");
    expect(headerSafe("\ud800")).toBe("%EF%BF%BD");
    for (const value of ["plain", "a%b", "line\nbreak", "naïve", "😀 x"]) expect(decodeURIComponent(headerSafe(value))).toBe(value);
  });

  it("a principal header with bytes outside ASCII comes back encoded, and no other header appears", async () => {
    const port = await start();
    const response = await rawExchange(port, Buffer.concat([
      Buffer.from("GET /_iamc HTTP/1.1\r\nhost: x\r\nx-original-method: GET\r\nx-original-uri: /buckets/acme/objects/a\r\nx-user: al"),
      Buffer.from([0xff, 0x80]),
      Buffer.from("ice\r\nconnection: close\r\n\r\n"),
    ]));
    expect(response).toMatch(/^HTTP\/1\.1 403 /);
    expect(response).toMatch(/\r\nx-iamc-principal: arn:aws:iam::111111111111:user\/al%C3%BF%C2%80ice\r\n/i);
    expect(rawHeaderNames(response).filter((h) => h.startsWith("x-iamc-")).sort()).toEqual(["x-iamc-decision", "x-iamc-principal", "x-iamc-revision"]);
  });

  it("a CR or LF smuggled into a request header is refused by the parser (400), and the server carries on", async () => {
    const port = await start();
    for (const evil of ["x-user: alice\rx-evil: 1", "x-user: ali\u0000ce", "x-user: alice\r\n x-evil: folded"]) {
      const response = await rawExchange(port, `GET /_iamc HTTP/1.1\r\nhost: x\r\nx-original-uri: /buckets/acme/objects/a\r\n${evil}\r\nconnection: close\r\n\r\n`);
      expect(response, JSON.stringify(evil)).toMatch(/^HTTP\/1\.1 400 /);
      expect(rawHeaderNames(response)).not.toContain("x-evil");
    }
    expect((await sendNginx(port, "GET", "/buckets/acme/objects/a", { "x-user": "alice" })).status).toBe(200);
  });
});

describe("health, ready and hot reload", () => {
  it("health and ready are 503 before the first bundle, 200 with the revision after; decisions deny until then", async () => {
    const path = join(dir, "late.iamc");
    const watcher = watchBundle(path, { intervalMs: 60_000 });
    watchers.push(watcher);
    const port = await start({ source: watcher });
    for (const reserved of ["/.iamc/health", "/.iamc/ready"]) {
      expect(await send(port, "GET", reserved)).toMatchObject({ status: 503, body: "no bundle loaded\n" });
    }
    const before = await sendNginx(port, "GET", "/buckets/acme/objects/a", { "x-user": "alice" });
    expect(before).toMatchObject({ status: 403, headers: { "x-iamc-decision": "ImplicitDeny" } });
    expect(before.headers["x-iamc-revision"]).toBeUndefined();

    await writeFile(path, storeBundle(1));
    await watcher.poll();
    for (const reserved of ["/.iamc/health", "/.iamc/ready?probe=1"]) {
      expect(await send(port, "GET", reserved)).toMatchObject({ status: 200, body: "ok revision 1\n", headers: { "x-iamc-revision": "1" } });
    }
    expect((await send(port, "HEAD", "/.iamc/health")).status).toBe(200);
    expect((await send(port, "POST", "/.iamc/health")).status).toBe(405);
    expect((await sendNginx(port, "GET", "/buckets/acme/objects/a", { "x-user": "alice" })).status).toBe(200);
  });

  it("a new revision flips a decision; a tampered bundle mid-run changes nothing and is reported", async () => {
    const path = join(dir, "live.iamc");
    await writeFile(path, storeBundle(1));
    const watcher = watchBundle(path, { intervalMs: 60_000 });
    watchers.push(watcher);
    const events: WatchEvent[] = [];
    watcher.on((e) => events.push(e));
    await watcher.ready();
    const port = await start({ source: watcher });
    const put = () => sendNginx(port, "PUT", "/buckets/acme/objects/a", { "x-user": "alice" });
    expect(await put()).toMatchObject({ status: 403, headers: { "x-iamc-revision": "1" } });

    const two = storeBundle(2, { writes: true });
    await writeFile(path, two);
    await watcher.poll();
    expect(await put()).toMatchObject({ status: 200, headers: { "x-iamc-revision": "2", "x-iamc-statement": "Store#WriteObjects" } });

    await writeFile(path, Uint8Array.from(two, (b, i) => (i === 60 ? b ^ 0xff : b)));
    await watcher.poll();
    expect(await put()).toMatchObject({ status: 200, headers: { "x-iamc-revision": "2" } });
    expect(events.map((e) => (e.type === "loaded" ? `loaded ${e.revision}` : `rejected ${e.code}`))).toEqual(["loaded 1", "loaded 2", "rejected IAMC5004"]);
    expect(await send(port, "GET", "/.iamc/health")).toMatchObject({ status: 200, body: "ok revision 2\n" });
  });

  it("ready says 503 while the server closes; health does not", () => {
    expect(reservedAnswer("/.iamc/ready", true, 3, true)).toEqual({ status: 503, text: "closing\n" });
    expect(reservedAnswer("/.iamc/health", true, 3, true)).toEqual({ status: 200, text: "ok revision 3\n" });
    expect(reservedAnswer("/.iamc/ready", true, undefined, false)).toEqual({ status: 200, text: "ok\n" });
    expect(reservedAnswer("/.iamc/health", false, undefined, true)).toEqual({ status: 503, text: "no bundle loaded\n" });
  });
});

describe("robustness", () => {
  it("answers malformed HTTP with 400 and keeps serving", async () => {
    const port = await start();
    const garbage = ["GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET /x HTTP/1.1\r\nhost: x\r\ncontent-length: -1\r\n\r\n", "\x00\x01\x02\r\n\r\n"];
    for (const bytes of garbage) expect(await rawExchange(port, bytes), JSON.stringify(bytes)).toMatch(/^HTTP\/1\.1 400 /);
    const oversized = await rawExchange(port, `GET /_iamc HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(80_000)}\r\n\r\n`);
    expect(oversized).toMatch(/^HTTP\/1\.1 431 /);
    // a client that goes away mid-request
    expect(await rawExchange(port, "GET /_iamc HTTP/1.1\r\nhost: x\r\nx-original-", 50)).toBe("");
    expect((await sendNginx(port, "GET", "/buckets/acme/objects/a", { "x-user": "alice" })).status).toBe(200);
  });

  it("keeps connections alive for the proxy: many subrequests on one socket", async () => {
    const port = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    for (let i = 0; i < 5; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest({ port, host: "127.0.0.1", path: "/_iamc", agent, headers: { "x-original-method": "GET", "x-original-uri": `/buckets/acme/objects/${i}`, "x-user": "alice" } }, (res) => {
          sockets.add(req.socket);
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.end();
      });
      expect(status).toBe(200);
    }
    expect(sockets.size).toBe(1);
    agent.destroy();
  });

  it("fails closed when the source throws: 403, never a 2xx or a crash", async () => {
    const broken = { check: () => { throw new Error("bundle gone"); }, explain: () => { throw new Error("bundle gone"); } };
    const port = await start({ source: broken });
    const reply = await sendNginx(port, "GET", "/buckets/acme/objects/a", { "x-user": "alice" });
    expect(reply).toMatchObject({ status: 403, headers: { "x-iamc-decision": "ImplicitDeny" } });
    expect((await send(port, "GET", "/.iamc/health")).status).toBe(200);
  });

  it("reports each decision to onDecision, and a throwing logger changes nothing", async () => {
    const records: DecisionRecord[] = [];
    const port = await start({ onDecision: (r) => { records.push(r); throw new Error("log full"); } });
    expect((await sendNginx(port, "GET", "/buckets/acme/objects/a", { "x-user": "alice" })).status).toBe(200);
    expect((await sendNginx(port, "GET", "/buckets/acme/objects/a/../b")).status).toBe(403);
    expect(records[0]).toMatchObject({
      mode: "nginx", method: "GET", target: "/buckets/acme/objects/a", status: 200, decision: "Allow", statement: "Store#ReadObjects",
      principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::acme/a", revision: 1,
    });
    expect(records[1]).toMatchObject({ mode: "nginx", status: 403, code: "IAMC7102", decision: undefined });
  });

  it("without explain there is no statement header, the rest is the same", async () => {
    const port = await start({ explain: false });
    const reply = await sendNginx(port, "GET", "/buckets/acme/objects/secret/a", { "x-user": "alice" });
    expect(reply).toMatchObject({ status: 403, headers: { "x-iamc-decision": "ExplicitDeny" } });
    expect(reply.headers["x-iamc-statement"]).toBeUndefined();
  });

  it("listen rejects with EADDRINUSE when the port is taken", async () => {
    const port = await start();
    const second = createAuthServer({ source: loadBundle(storeBundle(1)), mapping: STORE_MAPPING });
    await expect(second.listen(port, "127.0.0.1")).rejects.toMatchObject({ code: "EADDRINUSE" });
    await second.close();
  });
});
