// iamc/http: the gateway as middleware for node:http, Connect/Express and Fastify. Each adapter
// builds the request view (method, target, headers, client address, TLS), asks the one gateway
// decision (gateway.ts), and either lets the request through (200) or answers it here: a small
// JSON body, `x-iamc-decision` (and `x-iamc-code`) headers, `www-authenticate` on 401.
//
// Fail closed: whatever goes wrong while deciding is a 403, never a pass and never a crash. What
// the application's own handler throws is its own and is not caught here.
//
// Ships to gateways: imports runtime/node.ts and gateway/, never compiler/ or grammar/.
import type { IncomingMessage, ServerResponse } from "node:http";
import { watchBundle, type BundleWatcher, type PublicKeyInput } from "../runtime/node.js";
import { createGateway, failClosed, isPromise, type DecisionSource, type Gateway, type GatewayAnswer, type JwtVerifier } from "./gateway.js";
import { firstHeader, MAX_TARGET_LENGTH, type CompiledMapping, type HttpRequestView, type MappingConfig } from "./mapping.js";

/** The mapping config: its types, compiler and codes. */
export {
  compileMapping, isCompiledMapping, MappingError, GATEWAY_CODES, DEFAULT_VERBS,
  type Claims, type CompiledMapping, type ContextTemplate, type GatewayCode, type HttpRequestView, type MappingConfig,
  type MappingProblem, type PrincipalSource, type RouteConfig,
} from "./mapping.js";
/** The one gateway decision every adapter shares. */
export {
  createGateway, statementLabel,
  type DecisionSource, type Gateway, type GatewayAnswer, type GatewayOptions, type JwtVerifier,
} from "./gateway.js";
/** JWT verification (EdDSA, ES256, RS256, HS256) with node:crypto. */
export { jwtVerifier, MAX_TOKEN_LENGTH, type JwtVerifierOptions } from "./jwt.js";

/** Request targets longer than this are answered 413 (IAMC7105) before any mapping (the mapping's own limit). */
export const MAX_URL_LENGTH = MAX_TARGET_LENGTH;
/** Requests with more header lines than this are answered 413 (IAMC7105) before any mapping. */
export const MAX_HEADER_COUNT = 200;

export interface IamcHttpOptions {
  /** What decides: a loaded bundle or watcher in code, or a bundle file path or http(s) URL to watch (hot reload). */
  readonly source: DecisionSource | string;
  /** Routes → action and resource; where the principal comes from. */
  readonly mapping: MappingConfig | CompiledMapping;
  /** Required when the mapping's principal comes from a JWT (`jwtVerifier` builds one). */
  readonly verifyJwt?: JwtVerifier;
  /** For a path or URL source: the ed25519 keys a bundle must be signed by. */
  readonly publicKeys?: readonly PublicKeyInput[];
  /** For a path or URL source: how often to look for a new bundle (default 1000 ms). */
  readonly intervalMs?: number;
  /** Find the deciding statement of every request (`answer.statement`); slower. Default false. */
  readonly explain?: boolean;
  /** Called with every answer, allowed or not, before the response (for logs and metrics); its errors are ignored. */
  readonly onDecision?: (answer: GatewayAnswer, req: IncomingMessage) => void;
  /**
   * Behind a proxy that sets (not appends to) `x-forwarded-for` and `x-forwarded-proto`: take the
   * client address from the first `x-forwarded-for` entry and TLS from `x-forwarded-proto`.
   * Default false: the socket's own address and TLS state.
   */
  readonly trustProxy?: boolean;
}

/** What every adapter built from options carries: its gateway, and the watcher when the source was a path or URL. */
export interface IamcHandle {
  readonly gateway: Gateway;
  /** The bundle watcher (a path or URL source), to listen to its loaded/rejected events; else undefined. */
  readonly watcher: BundleWatcher | undefined;
  /** Decides one request and records the answer (`iamcAnswerOf`) without writing a response. Never rejects. */
  authorize(req: IncomingMessage): Promise<GatewayAnswer>;
  /** Resolves once a bundle serves: at once for a source given in code, at the first good bundle for a watched one. */
  ready(): Promise<void>;
  /** Stops watching the bundle (a source given in code is left alone). */
  close(): void;
}

/** Connect/Express middleware; also awaitable without `next` (the answer says whether the request may go on). */
export interface IamcMiddleware extends IamcHandle {
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): Promise<GatewayAnswer>;
}

/** A node:http request listener guarded by iamc. */
export interface IamcRequestListener extends IamcHandle {
  (req: IncomingMessage, res: ServerResponse): void;
}

// ---------------------------------------------------------------------------------------------
// The state an adapter keeps.

interface IamcState {
  readonly handle: IamcHandle;
  readonly trustProxy: boolean;
  readonly onDecision: IamcHttpOptions["onDecision"];
  /** The header that carries a JWT, when the principal comes from one (for the 401 challenge). */
  readonly tokenHeader: string | undefined;
}

/** Builds the gateway (and watcher) once. Throws a MappingError on a bad mapping: a config error shows at start. */
function createState(options: IamcHttpOptions): IamcState {
  const watcher = typeof options.source === "string"
    ? watchBundle(options.source, {
      ...(options.publicKeys ? { publicKeys: options.publicKeys } : {}),
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
    })
    : undefined;
  let gateway: Gateway;
  try {
    gateway = createGateway(watcher ?? (options.source as DecisionSource), options.mapping, {
      ...(options.verifyJwt ? { verifyJwt: options.verifyJwt } : {}),
      ...(options.explain !== undefined ? { explain: options.explain } : {}),
    });
  } catch (error) {
    watcher?.close();
    throw error;
  }
  const principal = gateway.mapping.principal;
  const state: IamcState = {
    trustProxy: options.trustProxy ?? false,
    onDecision: options.onDecision,
    tokenHeader: principal.kind === "jwt" ? principal.header : undefined,
    handle: {
      gateway,
      watcher,
      authorize: (req) => {
        const answer = decideRequest(state, req);
        const record = (a: GatewayAnswer) => (admit(state, req, a), a);
        return isPromise(answer) ? answer.then(record) : Promise.resolve(record(answer));
      },
      ready: () => (watcher ? watcher.ready().then(() => undefined) : Promise.resolve()),
      close: () => watcher?.close(),
    },
  };
  return state;
}

/** Options given to `authorize` more than once share one gateway (and one watcher) by identity. */
const STATE_OF_OPTIONS = new WeakMap<IamcHttpOptions, IamcState>();

function stateFor(options: IamcHttpOptions): IamcState {
  let state = STATE_OF_OPTIONS.get(options);
  if (state === undefined) STATE_OF_OPTIONS.set(options, (state = createState(options)));
  return state;
}

// ---------------------------------------------------------------------------------------------
// Deciding one request.

/** The gateway's answer, or a 413 for a request too large to map; never throws, never rejects. */
function decideRequest(state: IamcState, req: IncomingMessage): GatewayAnswer | Promise<GatewayAnswer> {
  try {
    const tooLarge = sizeRefusal(req);
    if (tooLarge !== undefined) return tooLarge;
    const answer = state.handle.gateway.decide(viewOf(req, state.trustProxy));
    return isPromise(answer) ? answer.then(undefined, failClosed) : answer;
  } catch (error) {
    return failClosed(error);
  }
}

function sizeRefusal(req: IncomingMessage): GatewayAnswer | undefined {
  const url = req.url ?? "";
  if (url.length > MAX_URL_LENGTH) {
    return { status: 413, decision: undefined, code: "IAMC7105", reason: `the request target is ${url.length} characters, over the limit of ${MAX_URL_LENGTH}` };
  }
  const headerCount = (req.rawHeaders?.length ?? 0) / 2;
  if (headerCount > MAX_HEADER_COUNT) {
    return { status: 413, decision: undefined, code: "IAMC7105", reason: `the request has ${headerCount} header lines, over the limit of ${MAX_HEADER_COUNT}` };
  }
  return undefined;
}

/** What the mapping reads of a node:http request. */
export function viewOfRequest(req: IncomingMessage, trustProxy = false): HttpRequestView {
  return viewOf(req, trustProxy);
}

function viewOf(req: IncomingMessage, trustProxy: boolean): HttpRequestView {
  const socket = req.socket as (IncomingMessage["socket"] & { encrypted?: boolean }) | undefined;
  let ip = socket?.remoteAddress;
  let secure = socket?.encrypted === true;
  if (trustProxy) {
    const forwardedFor = firstListEntry(req.headers["x-forwarded-for"]);
    if (forwardedFor) ip = forwardedFor;
    const forwardedProto = firstListEntry(req.headers["x-forwarded-proto"]);
    if (forwardedProto) secure = forwardedProto.toLowerCase() === "https";
  }
  ip = ip === undefined ? undefined : unmapIpv4(ip);
  // headersDistinct keeps a header sent twice as two values (req.headers joins most with ", " and
  // silently drops a second Authorization), so the gateway can refuse an ambiguous caller
  const headers = req.headersDistinct ?? req.headers;
  return ip === undefined
    ? { method: req.method ?? "GET", url: req.url ?? "/", headers, secure }
    : { method: req.method ?? "GET", url: req.url ?? "/", headers, ip, secure };
}

/** `a, b` (a header repeated or listed) → `a`. */
function firstListEntry(value: string | readonly string[] | undefined): string | undefined {
  const first = firstHeader(value)?.split(",")[0]?.trim();
  return first || undefined;
}

/** A dual-stack socket reports IPv4 clients as `::ffff:1.2.3.4`; policies name them `1.2.3.4`. */
function unmapIpv4(ip: string): string {
  return /^::ffff:\d{1,3}(\.\d{1,3}){3}$/i.test(ip) ? ip.slice(7) : ip;
}

/** Tells onDecision, records an allowed answer on the request; true when the request may go on. */
function admit(state: IamcState, req: IncomingMessage, answer: GatewayAnswer): boolean {
  if (state.onDecision !== undefined) {
    try {
      state.onDecision(answer, req);
    } catch {
      // a logging callback must not change the answer
    }
  }
  if (answer.status !== 200) return false;
  (req as IncomingMessage & { iamc?: GatewayAnswer }).iamc = answer;
  return true;
}

/** The answer that let this request through (set on 200 by every adapter), or undefined. Works on a Fastify request too. */
export function iamcAnswerOf(req: object): GatewayAnswer | undefined {
  const own = (req as { iamc?: GatewayAnswer | null }).iamc;
  if (own) return own;
  const raw = (req as { raw?: { iamc?: GatewayAnswer } }).raw;
  return raw?.iamc ?? undefined;
}

// ---------------------------------------------------------------------------------------------
// Answering a refused request.

/** The response to a request that may not go on; `headers` include `content-length`. */
export interface Denial {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The response for an answer other than 200: `{"error", "decision", "code"}`. A denied request's
 * body says only "forbidden" and the decision (which policy denied it is for `onDecision`'s logs,
 * not for the caller); a refused one says what was wrong with the request.
 */
export function denialOf(answer: GatewayAnswer, req: IncomingMessage, tokenHeader?: string): Denial {
  if (answer.code === undefined && answer.status === 403 && answer.decision !== undefined && answer.decision !== "Allow") {
    return DECISION_DENIALS[answer.decision];
  }
  // RFC 6750 §3.1: a token that was sent and failed is `invalid_token`; none sent, a bare challenge
  const tokenSent = tokenHeader !== undefined && firstHeader(req.headers[tokenHeader]) !== undefined;
  return buildDenial(answer, tokenSent);
}

function buildDenial(answer: GatewayAnswer, tokenSent: boolean): Denial {
  const body = JSON.stringify({
    error: answer.code === undefined ? "forbidden" : answer.reason,
    decision: answer.decision ?? null,
    code: answer.code ?? null,
  });
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    "x-content-type-options": "nosniff",
    // as `iamc serve` writes it: a request answered before any check was "Refused"
    "x-iamc-decision": answer.decision ?? "Refused",
  };
  if (answer.code !== undefined) headers["x-iamc-code"] = answer.code;
  if (answer.status === 401) headers["www-authenticate"] = tokenSent ? 'Bearer error="invalid_token"' : "Bearer";
  return { status: answer.status, headers, body };
}

/**
 * A deny's response depends on its decision alone, so both are built once: building the body and
 * headers per request cost about as much as the check itself under load (bench/gateway-load.ts).
 */
const DECISION_DENIALS: Readonly<Record<"ExplicitDeny" | "ImplicitDeny", Denial>> = {
  ExplicitDeny: frozen(buildDenial({ status: 403, decision: "ExplicitDeny", reason: "" }, false)),
  ImplicitDeny: frozen(buildDenial({ status: 403, decision: "ImplicitDeny", reason: "" }, false)),
};

// INVARIANT: shared by every response; frozen so a server that wrote into it would fail loudly
function frozen(denial: Denial): Denial {
  return Object.freeze({ ...denial, headers: Object.freeze({ ...denial.headers }) });
}

function writeDenial(state: IamcState, req: IncomingMessage, res: ServerResponse, answer: GatewayAnswer): void {
  try {
    if (res.headersSent) {
      res.end();
      return;
    }
    const denial = denialOf(answer, req, state.tokenHeader);
    res.writeHead(denial.status, denial.headers).end(denial.body);
  } catch {
    // a response we cannot write: drop the connection rather than let anything through
    res.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// node:http and Connect/Express.

function handleOf(state: IamcState): IamcHandle {
  const { gateway, watcher, authorize, ready, close } = state.handle;
  return { gateway, watcher, authorize, ready, close };
}

/**
 * Connect/Express middleware: on 200 records the answer (`iamcAnswerOf(req)`) and calls `next`;
 * otherwise answers the request (status, JSON body, headers) and does not. Without `next`, await
 * it: `if ((await guard(req, res)).status !== 200) return;`. Throws only at creation, on a bad mapping.
 */
export function iamcMiddleware(options: IamcHttpOptions): IamcMiddleware {
  const state = createState(options);
  const finish = (req: IncomingMessage, res: ServerResponse, next: ((error?: unknown) => void) | undefined, answer: GatewayAnswer) => {
    if (admit(state, req, answer)) next?.();
    else writeDenial(state, req, res, answer);
    return answer;
  };
  const middleware = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): Promise<GatewayAnswer> => {
    const answer = decideRequest(state, req);
    if (isPromise(answer)) return answer.then((a) => finish(req, res, next, a));
    return Promise.resolve(finish(req, res, next, answer));
  };
  return Object.assign(middleware, handleOf(state));
}

/**
 * Guards a node:http request listener: `createServer(withIamc(handler, options))`. The handler
 * runs only for allowed requests (synchronously when the decision is, as it is without a JWT
 * verifier that awaits). Throws only at creation, on a bad mapping.
 */
export function withIamc(handler: (req: IncomingMessage, res: ServerResponse) => unknown, options: IamcHttpOptions): IamcRequestListener {
  const state = createState(options);
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const answer = decideRequest(state, req);
    if (isPromise(answer)) {
      void answer.then((a) => {
        if (admit(state, req, a)) handler(req, res);
        else writeDenial(state, req, res, a);
      });
      return;
    }
    if (admit(state, req, answer)) handler(req, res);
    else writeDenial(state, req, res, answer);
  };
  return Object.assign(listener, handleOf(state));
}

/**
 * Decides one request without writing a response. `target` is options (the same object each
 * time: it is built once and shared), a handle (what iamcMiddleware or withIamc returned), or a
 * gateway (then the socket's address is the client's). Never rejects: failures are 403 answers.
 */
export function authorize(req: IncomingMessage, target: IamcHttpOptions | IamcHandle | Gateway): Promise<GatewayAnswer> {
  try {
    if ("authorize" in target && typeof target.authorize === "function") return target.authorize(req);
    if ("decide" in target && typeof target.decide === "function") {
      const tooLarge = sizeRefusal(req);
      if (tooLarge !== undefined) return Promise.resolve(tooLarge);
      return Promise.resolve(target.decide(viewOf(req, false))).then(undefined, failClosed);
    }
    return stateFor(target as IamcHttpOptions).handle.authorize(req);
  } catch (error) {
    return Promise.resolve(failClosed(error));
  }
}

// ---------------------------------------------------------------------------------------------
// Fastify, by shape (fastify is not a dependency of iamc).

/** The parts of a Fastify request the plugin uses. */
export interface FastifyRequestLike {
  readonly raw: IncomingMessage;
}

/** The parts of a Fastify reply the plugin uses. */
export interface FastifyReplyLike {
  code(statusCode: number): FastifyReplyLike;
  headers(values: Readonly<Record<string, string>>): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

/** The parts of a Fastify instance the plugin uses. */
export interface FastifyInstanceLike {
  addHook(name: "onRequest", hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: (error?: Error) => void) => void): unknown;
  addHook(name: "onClose", hook: (instance: never, done: () => void) => void): unknown;
  decorateRequest(name: string, value: null): unknown;
  hasRequestDecorator(name: string): boolean;
}

type FastifyPlugin = (instance: FastifyInstanceLike, options: IamcHttpOptions, done: (error?: Error) => void) => void;

/**
 * A Fastify plugin: `app.register(fastifyIamc, options)` adds an onRequest hook to the app it is
 * registered on (not only to its own scope, as fastify-plugin would arrange). Allowed requests go
 * on with `request.iamc` set; others are answered by the hook. With a bundle path or URL as the
 * source, the app is ready once the first good bundle loads (within fastify's `pluginTimeout`);
 * the watcher closes with the app.
 */
export const fastifyIamc: FastifyPlugin = Object.assign(
  function fastifyIamc(instance: FastifyInstanceLike, options: IamcHttpOptions, done: (error?: Error) => void): void {
    let state: IamcState;
    try {
      state = createState(options);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (!instance.hasRequestDecorator("iamc")) instance.decorateRequest("iamc", null);
    const answerWith = (request: FastifyRequestLike, reply: FastifyReplyLike, next: (error?: Error) => void, answer: GatewayAnswer) => {
      if (admit(state, request.raw, answer)) {
        (request as FastifyRequestLike & { iamc?: GatewayAnswer }).iamc = answer;
        next();
        return;
      }
      const denial = denialOf(answer, request.raw, state.tokenHeader);
      reply.code(denial.status).headers(denial.headers).send(denial.body);
    };
    instance.addHook("onRequest", (request, reply, next) => {
      const answer = decideRequest(state, request.raw);
      if (isPromise(answer)) void answer.then((a) => answerWith(request, reply, next, a));
      else answerWith(request, reply, next, answer);
    });
    instance.addHook("onClose", (_instance, closed) => {
      state.handle.close();
      closed();
    });
    // a watched bundle: the app starts once it serves (or fastify's pluginTimeout says it never did),
    // rather than answering 403 to everything at first
    if (state.handle.watcher) void state.handle.ready().then(() => done());
    else done();
  },
  // what fastify-plugin sets: the hook belongs to the registering scope, not a child of it
  { [Symbol.for("skip-override")]: true, [Symbol.for("fastify.display-name")]: "iamc" },
);
