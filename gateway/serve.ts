// `iamc serve`'s HTTP server: an authorization service for nginx's `auth_request` and Envoy's HTTP
// `ext_authz`. Both send a request that describes another one and read only the status (and a
// few headers) of the answer; this file translates that to the gateway's one decision and back.
//
// Two ways a request arrives, told apart by one header:
//   nginx  the auth subrequest carries `X-Original-URI` (and `X-Original-Method`), which the
//          nginx config sets; the client's own headers come along. nginx treats 2xx as allow,
//          401 and 403 as deny and anything else as an error (a 500 to the client), so in this
//          mode the answer is only ever 200, 401 or 403.
//   direct Envoy sends the original method, `path_prefix` + the original path, and the headers
//          it is allowed to; the request is the one to decide, minus the prefix. Envoy passes a
//          deny's status to the client, so the gateway's 400 and 413 go out as they are.
// Fail closed throughout: whatever goes wrong while answering is a 403, never a 2xx or a crash.
import { createServer, STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from "node:http";
import { isIP, type AddressInfo, type Socket } from "node:net";
import type { Authorizer } from "../runtime/index.js";
import type { BundleWatcher } from "../runtime/node.js";
import { createGateway, failClosed, type DecisionSource, type GatewayAnswer, type JwtVerifier } from "./gateway.js";
import { MAX_TARGET_LENGTH, type CompiledMapping, type HttpRequestView, type MappingConfig } from "./mapping.js";

/** The response headers every answer may carry. Lowercase, as Node and Envoy's matchers see them. */
export const IAMC_HEADERS = {
  /** `Allow`, `ExplicitDeny`, `ImplicitDeny`, or `Refused` when the gateway answered without a check. */
  decision: "x-iamc-decision",
  /** `Policy#Sid` of the deciding statement, when there is one (and explain is on). */
  statement: "x-iamc-statement",
  /** The principal that was checked; empty for the unauthenticated caller. */
  principal: "x-iamc-principal",
  /** The IAMC71xx code of a refusal. */
  code: "x-iamc-code",
  /** The serving bundle's build revision, when `compile --revision` recorded one. */
  revision: "x-iamc-revision",
} as const;

/** Paths the server answers itself (only to requests that are not nginx subrequests). */
export const RESERVED_PATHS = { health: "/.iamc/health", ready: "/.iamc/ready" } as const;

/** Target lengths past this are refused (IAMC7105): no real route needs them, and they bound the work. */
export { MAX_TARGET_LENGTH };

/** How long close() lets requests in flight finish before it cuts their connections. */
const CLOSE_GRACE_MS = 5000;

/** Which protocol a request came by. */
export type ServeMode = "nginx" | "direct";

/** One decision, as `onDecision` (and `iamc serve --log`) sees it. */
export interface DecisionRecord {
  readonly mode: ServeMode;
  readonly method: string;
  /** The request target that was decided (after the path prefix was taken off). */
  readonly target: string;
  /** The status sent. */
  readonly status: number;
  readonly decision: GatewayAnswer["decision"];
  readonly statement?: string;
  readonly code?: string;
  readonly principal?: string | null;
  readonly action?: string;
  readonly resource?: string;
  readonly reason: string;
  readonly revision?: number;
  /** Time from the request's arrival to the answer, in milliseconds. */
  readonly ms: number;
}

export interface AuthServerOptions {
  /** What decides: a loaded bundle, or a watcher that hot-reloads one. */
  readonly source: DecisionSource | BundleWatcher;
  readonly mapping: MappingConfig | CompiledMapping;
  /** Required when the mapping's principal comes from a JWT. */
  readonly verifyJwt?: JwtVerifier;
  /** Envoy's `http_service.path_prefix`: taken off the path of direct requests. */
  readonly pathPrefix?: string;
  /** Find the deciding statement for the `x-iamc-statement` header (default true). */
  readonly explain?: boolean;
  /** Called after each decision is answered; its failures are ignored. */
  readonly onDecision?: (record: DecisionRecord) => void;
  /** Called on a server-level error after listening (an accept that failed); its failures are ignored. */
  readonly onError?: (error: Error) => void;
}

export interface AuthServer {
  readonly server: Server;
  /** Listens (default 127.0.0.1, port 0: any free one); rejects with the listen error (EADDRINUSE, EACCES). */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting, lets requests in flight finish (briefly), closes every connection. */
  close(): Promise<void>;
}

/**
 * Builds the authorization server. Throws a MappingError (IAMC70xx) on a bad mapping, and an
 * Error on a path prefix that is not `/segment[/segment...]`.
 */
export function createAuthServer(options: AuthServerOptions): AuthServer {
  const pathPrefix = options.pathPrefix ?? "";
  if (pathPrefix !== "" && !isPathPrefix(pathPrefix)) {
    throw new Error(`the path prefix \`${pathPrefix}\` must start with \`/\`, not end with one, and hold no \`?\` or \`#\``);
  }
  const { source } = options;
  const gateway = createGateway(source, options.mapping, {
    explain: options.explain ?? true,
    ...(options.verifyJwt ? { verifyJwt: options.verifyJwt } : {}),
  });
  // a 401 names the scheme the caller should use (nginx and Envoy pass it on); RFC 6750 §3.1:
  // a token that was sent and failed is `invalid_token`, none sent is a bare challenge
  const who = gateway.mapping.principal;
  const challengeFor = (req: IncomingMessage): string | undefined =>
    who.kind !== "jwt" ? undefined : req.headers[who.header] === undefined ? "Bearer" : 'Bearer error="invalid_token"';
  let closing = false;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    // an aborted request or a reset socket emits errors nobody else listens to: they must not crash the server
    req.on("error", ignore);
    res.on("error", ignore);
    let incoming: Incoming;
    try {
      incoming = readIncoming(req, pathPrefix);
    } catch (error) {
      sendAnswer(res, "direct", failClosed(error), revisionOf(source), undefined);
      return;
    }
    if (incoming.kind === "reserved") {
      sendReserved(res, incoming.path, req.method ?? "GET", source, closing);
      return;
    }
    const finish = (answer: GatewayAnswer) => {
      const revision = revisionOf(source);
      const status = sendAnswer(res, incoming.mode, answer, revision, challengeFor(req));
      if (!options.onDecision) return;
      try {
        options.onDecision(decisionRecord(incoming, answer, status, revision, performance.now() - started));
      } catch {
        // a logger's failure must not change or delay the answer
      }
    };
    if (incoming.kind === "refused") {
      finish(incoming.answer);
      return;
    }
    let decided: GatewayAnswer | Promise<GatewayAnswer>;
    try {
      decided = gateway.decide(incoming.view);
    } catch (error) {
      // decide promises never to throw; if it does anyway, deny
      finish(failClosed(error));
      return;
    }
    if (decided instanceof Promise) decided.then(finish, (error: unknown) => finish(failClosed(error)));
    else finish(decided);
  };

  // room for a target at the gateway's own limit twice over (nginx's subrequest carries it in
  // X-Original-URI besides its own request line), so the gateway answers it, not Node's 431
  const server = createServer({ maxHeaderSize: 4 * MAX_TARGET_LENGTH }, (req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      sendAnswer(res, "direct", failClosed(error), undefined, undefined);
    }
  });
  // proxies keep connections to the auth service open; close idle ones only after the proxy would
  // (nginx's upstream keepalive_timeout is 60 s, the Envoy example's idle_timeout too), so a
  // check is never sent down a connection this side is closing
  server.keepAliveTimeout = 75_000;
  server.headersTimeout = 76_000;
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => answerClientError(error, socket));
  server.on("error", (error) => {
    // before listening, the error is listen()'s to report (it rejects)
    if (!server.listening) return;
    try {
      options.onError?.(error);
    } catch {
      // nothing left to tell
    }
  });

  return {
    server,
    listen: (port = 0, host = "127.0.0.1") => listenOn(server, port, host),
    close: async () => {
      closing = true;
      await closeServer(server);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the request to decide.

type Incoming =
  | { readonly kind: "reserved"; readonly path: string }
  | { readonly kind: "decide"; readonly mode: ServeMode; readonly view: HttpRequestView }
  | { readonly kind: "refused"; readonly mode: ServeMode; readonly view: Pick<HttpRequestView, "method" | "url">; readonly answer: GatewayAnswer };

/** Which request to decide: the one nginx describes in headers, or the request itself. */
function readIncoming(req: IncomingMessage, pathPrefix: string): Incoming {
  // repeated headers stay apart: the gateway refuses a principal header sent twice
  const headers = req.headersDistinct;
  const method = req.method ?? "GET";
  const url = req.url ?? "/";
  if (headers["x-original-uri"] !== undefined) return readNginxSubrequest(req);
  const path = pathOf(url);
  if (path === RESERVED_PATHS.health || path === RESERVED_PATHS.ready) return { kind: "reserved", path };
  const view = { method, url };
  if (pathPrefix !== "") {
    const rest = url.slice(pathPrefix.length);
    if (!url.startsWith(pathPrefix) || !rest.startsWith("/")) {
      return { kind: "refused", mode: "direct", view, answer: refusal(403, "IAMC7101", `the path \`${clip(path)}\` is not under the path prefix \`${pathPrefix}\``) };
    }
    return decideOrRefuse("direct", { method, url: rest, headers, ip: peerAddress(req.socket), secure: false });
  }
  return decideOrRefuse("direct", { method, url, headers, ip: peerAddress(req.socket), secure: false });
}

/**
 * An nginx auth subrequest: the original method and URI from the headers the config sets, the
 * client's address from the first `X-Forwarded-For` entry, TLS from `X-Forwarded-Proto`. These
 * are trusted only here, where nginx sets them; the config must set X-Forwarded-For to
 * `$remote_addr` (not `$proxy_add_x_forwarded_for`, whose first entry the client writes).
 */
function readNginxSubrequest(req: IncomingMessage): Incoming {
  const distinct = req.headersDistinct;
  const uris = distinct["x-original-uri"] ?? [];
  const methods = distinct["x-original-method"] ?? [];
  const method = methods[0] ?? req.method ?? "GET";
  const url = uris[0] ?? "";
  if (uris.length > 1 || methods.length > 1) {
    // two values are two readings of one request: refuse rather than pick one
    return { kind: "refused", mode: "nginx", view: { method, url }, answer: refusal(400, "IAMC7102", "the subrequest carries X-Original-URI or X-Original-Method more than once") };
  }
  const forwardedFor = distinct["x-forwarded-for"]?.[0]?.split(",")[0]?.trim();
  const proto = distinct["x-forwarded-proto"]?.[0]?.trim().toLowerCase();
  return decideOrRefuse("nginx", {
    method, url, headers: distinct,
    ...(forwardedFor !== undefined && isIP(forwardedFor) !== 0 ? { ip: forwardedFor } : {}),
    secure: proto === "https",
  });
}

function decideOrRefuse(mode: ServeMode, view: HttpRequestView): Incoming {
  if (view.url.length > MAX_TARGET_LENGTH) {
    return { kind: "refused", mode, view, answer: refusal(413, "IAMC7105", `the request target is ${view.url.length} characters, over the limit of ${MAX_TARGET_LENGTH}`) };
  }
  return { kind: "decide", mode, view };
}

/** The path of a request target, without its query or fragment. */
function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  return end < 0 ? url : url.slice(0, end);
}

/** `/check`, `/a/b`: what Envoy can prepend to a path. */
export function isPathPrefix(prefix: string): boolean {
  return /^\/[^?#]*$/.test(prefix) && !prefix.endsWith("/");
}

/** The peer's address, IPv4-mapped IPv6 written as IPv4 (as policies' IpAddress conditions expect). */
function peerAddress(socket: Socket): string | undefined {
  const address = socket.remoteAddress;
  return address?.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

// ---------------------------------------------------------------------------------------------
// Answering.

/** The status to send: the gateway's, except that nginx hears only 200, 401 and 403. */
export function statusFor(mode: ServeMode, status: GatewayAnswer["status"]): number {
  if (mode === "nginx" && status !== 200 && status !== 401) return 403;
  return status;
}

/** The iamc headers of an answer, each value safe to send. */
export function answerHeaders(answer: GatewayAnswer, revision: number | undefined): Record<string, string> {
  const headers: Record<string, string> = { [IAMC_HEADERS.decision]: answer.decision ?? "Refused" };
  if (answer.statement !== undefined) headers[IAMC_HEADERS.statement] = headerSafe(answer.statement);
  // always present once a request was checked, empty for the unauthenticated caller, so that a
  // proxy that copies it upstream overwrites whatever the client sent under the same name
  if (answer.request !== undefined) headers[IAMC_HEADERS.principal] = headerSafe(answer.request.principal ?? "");
  if (answer.code !== undefined) headers[IAMC_HEADERS.code] = answer.code;
  if (revision !== undefined) headers[IAMC_HEADERS.revision] = String(revision);
  return headers;
}

/** Sends a decision's answer; returns the status sent. Never throws. */
function sendAnswer(res: ServerResponse, mode: ServeMode, answer: GatewayAnswer, revision: number | undefined, challenge: string | undefined): number {
  const status = statusFor(mode, answer.status);
  const headers: OutgoingHttpHeaders = answerHeaders(answer, revision);
  if (status === 401 && challenge !== undefined) headers["www-authenticate"] = challenge;
  const body = status === 200 ? "" : denialText(status, answer);
  send(res, status, headers, body);
  return status;
}

/** A short body for a denial: the status, then the refusal's code and reason or the decision. */
export function denialText(status: number, answer: GatewayAnswer): string {
  const what = answer.code !== undefined ? `${answer.code} ${answer.reason}` : (answer.decision ?? "Refused");
  return `${(STATUS_CODES[status] ?? "denied").toLowerCase()}: ${oneLine(clip(what))}\n`;
}

function sendReserved(res: ServerResponse, path: string, method: string, source: DecisionSource | BundleWatcher, closing: boolean): void {
  if (method !== "GET" && method !== "HEAD") {
    send(res, 405, { allow: "GET, HEAD" }, "method not allowed\n");
    return;
  }
  const revision = revisionOf(source);
  const { status, text } = reservedAnswer(path, isServing(source), revision, closing);
  send(res, status, revision === undefined ? {} : { [IAMC_HEADERS.revision]: String(revision) }, text);
}

/**
 * The answer of `/.iamc/health` and `/.iamc/ready`: 200 once a bundle serves, 503 before. Ready
 * also says 503 while the server closes, so a balancer stops sending before it goes.
 */
export function reservedAnswer(path: string, serving: boolean, revision: number | undefined, closing: boolean): { status: 200 | 503; text: string } {
  if (!serving) return { status: 503, text: "no bundle loaded\n" };
  if (closing && path === RESERVED_PATHS.ready) return { status: 503, text: "closing\n" };
  return { status: 200, text: revision === undefined ? "ok\n" : `ok revision ${revision}\n` };
}

function send(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: string): void {
  if (res.headersSent || res.destroyed) return;
  try {
    if (body !== "") {
      headers["content-type"] = "text/plain; charset=utf-8";
      headers["x-content-type-options"] = "nosniff";
    }
    headers["cache-control"] = "no-store";
    headers["content-length"] = String(Buffer.byteLength(body));
    res.writeHead(status, headers);
    res.end(body);
  } catch {
    // a header Node refused (it should not happen: values are made safe): deny without headers
    try {
      if (!res.headersSent) res.writeHead(403, { "content-length": "0" });
      res.end();
    } catch {
      res.destroy();
    }
  }
}

/**
 * A header value that cannot split or smuggle a header: printable ASCII stays as it is; every
 * other character (CR, LF, NUL, other controls, non-ASCII) and `%` itself is percent-encoded as
 * UTF-8, so `decodeURIComponent` gives back the original exactly.
 */
export function headerSafe(value: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(value)) return value;
  let out = "";
  for (const char of value) {
    if (/^[\x20-\x24\x26-\x7e]$/.test(char)) out += char;
    // Buffer writes a lone surrogate as U+FFFD, where encodeURIComponent would throw
    else for (const byte of Buffer.from(char, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** A malformed request Node's parser refused: a plain 400 (431 for oversized headers), then close. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

// ---------------------------------------------------------------------------------------------
// The source and its bundle.

function isWatcher(source: DecisionSource | BundleWatcher): source is BundleWatcher {
  return typeof (source as BundleWatcher).ready === "function" && typeof (source as BundleWatcher).on === "function";
}

/** Whether a bundle answers now: a watcher has one once its first good bundle loaded. */
function isServing(source: DecisionSource | BundleWatcher): boolean {
  return isWatcher(source) ? source.current !== undefined : true;
}

/** The serving bundle's build revision, when it records one. */
export function revisionOf(source: DecisionSource | BundleWatcher): number | undefined {
  const authorizer = isWatcher(source) ? source.current : (source as Partial<Authorizer>);
  return authorizer?.info?.build?.revision;
}

// ---------------------------------------------------------------------------------------------
// Small pieces.

function refusal(status: GatewayAnswer["status"], code: NonNullable<GatewayAnswer["code"]>, reason: string): GatewayAnswer {
  return { status, decision: undefined, code, reason };
}


function decisionRecord(incoming: Exclude<Incoming, { kind: "reserved" }>, answer: GatewayAnswer, status: number, revision: number | undefined, ms: number): DecisionRecord {
  const request = answer.request;
  return {
    mode: incoming.mode, method: incoming.view.method, target: incoming.view.url, status, decision: answer.decision,
    ...(answer.statement !== undefined ? { statement: answer.statement } : {}),
    ...(answer.code !== undefined ? { code: answer.code } : {}),
    ...(request !== undefined ? { principal: request.principal, action: request.action, resource: request.resource } : {}),
    reason: answer.reason,
    ...(revision !== undefined ? { revision } : {}),
    ms: Math.round(ms * 1000) / 1000,
  };
}

const clip = (text: string, max = 200): string => (text.length > max ? `${text.slice(0, max)}…` : text);
const oneLine = (text: string): string => text.replace(/[\x00-\x1f\x7f]+/g, " ");
const ignore = (): void => {};

function listenOn(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    cut.unref();
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    // idle keep-alive connections would hold close() open until the proxy drops them
    server.closeIdleConnections();
  });
}
