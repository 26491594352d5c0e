// Shared by the `iamc serve` tests: a small store workspace compiled at a revision, its mapping,
// and HTTP clients that send exactly the bytes a proxy would (node:http with no agent, and a raw
// socket for what a well-behaved client never sends).
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { expect } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import type { MappingConfig } from "../../gateway/mapping.js";
import { workspaceFromJson } from "../support/workspace.js";

export const ACCOUNT = "111111111111";
export const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;

/**
 * The store's bundle. Revision 1 lets alice read objects (not under secret/, denied explicitly),
 * delete them over TLS only and list buckets from 10.0.0.0/8; `writes` (revision 2 in the tests)
 * also lets her write them.
 */
export function storeBundle(revision: number, options: { writes?: boolean } = {}): Uint8Array {
  const statements: Record<string, unknown>[] = [
    { Sid: "ReadObjects", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme/*" },
    { Sid: "NoSecrets", Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::acme/secret/*" },
    { Sid: "DeleteOverTls", Effect: "Allow", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::acme/*", Condition: { Bool: { "aws:SecureTransport": "true" } } },
    { Sid: "ListFromOffice", Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::acme", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } },
  ];
  if (options.writes) statements.push({ Sid: "WriteObjects", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::acme/*" });
  const { workspace, diagnostics } = workspaceFromJson({
    model: "aws",
    policies: [{ id: "Store", document: { Version: "2012-10-17", Statement: statements } }],
    accounts: [{ id: ACCOUNT }],
    principals: [{ id: ALICE, account: ACCOUNT, policies: ["Store"] }],
  });
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return compileWorkspace(workspace!, { build: { revision, createdAt: "2026-11-23T00:00:00.000Z" } }).bundle!;
}

/** Routes of the store: objects by method, a bucket listing, and one route whose resource needs a header. */
export const STORE_MAPPING: MappingConfig = {
  principal: { header: "x-user", template: `arn:aws:iam::${ACCOUNT}:user/{value}` },
  routes: [
    { method: ["GET", "HEAD"], path: "/buckets/:bucket/objects/*key", action: "s3:GetObject", resource: "arn:aws:s3:::{bucket}/{key}" },
    { method: "PUT", path: "/buckets/:bucket/objects/*key", action: "s3:PutObject", resource: "arn:aws:s3:::{bucket}/{key}" },
    { method: "DELETE", path: "/buckets/:bucket/objects/*key", action: "s3:DeleteObject", resource: "arn:aws:s3:::{bucket}/{key}" },
    { method: "GET", path: "/buckets/:bucket", action: "s3:ListBucket", resource: "arn:aws:s3:::{bucket}" },
    { method: "GET", path: "/by-header/:bucket", action: "s3:GetObject", resource: "arn:aws:s3:::{bucket}/{header:x-object}" },
  ],
  context: { "aws:SecureTransport": "{secure}", "aws:SourceIp": "{ip}" },
};

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request with exactly these headers (node:http adds only Host, and Connection: close). */
export function send(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** What nginx's auth subrequest looks like: the original request in X-Original-* headers, the client's headers along. */
export function sendNginx(port: number, method: string, uri: string, headers: Record<string, string> = {}): Promise<Reply> {
  return send(port, "GET", "/_iamc", {
    "x-original-method": method,
    "x-original-uri": uri,
    "x-forwarded-for": "203.0.113.7",
    ...headers,
  });
}

/**
 * What Envoy's HTTP ext_authz sends: the original method, path_prefix + the original path, the
 * allowed headers, `content-length: 0` and the headers Envoy adds on its way.
 */
export function sendEnvoy(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return send(port, method, path, {
    "content-length": "0",
    "x-forwarded-proto": "https",
    "x-forwarded-for": "10.1.2.3",
    "x-envoy-internal": "true",
    "x-envoy-expected-rq-timeout-ms": "200",
    "x-request-id": "5b1c7e3a-2f0d-4a55-9a8e-0e4f3f0c9d11",
    ...headers,
  });
}

/** Writes raw bytes and collects everything the server sends back until it closes (or a short wait ends). */
export function rawExchange(port: number, bytes: string | Buffer, waitMs = 1500): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString("latin1"));
    };
    const timer = setTimeout(done, waitMs);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", done);
    socket.on("close", done);
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? done() : reject(error)));
    socket.write(bytes);
  });
}

/** The header lines of a raw HTTP response, lowercase names. */
export function rawHeaderNames(response: string): string[] {
  const head = response.split("\r\n\r\n")[0] ?? "";
  return head.split("\r\n").slice(1).map((line) => line.slice(0, line.indexOf(":")).toLowerCase());
}
