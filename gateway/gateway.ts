// The gateway's one decision: an HTTP request in, an answer out (status, decision, the request
// that was checked, the deciding statement). Server adapters (`iamc/http` for node:http and
// Fastify, `iamc serve` for nginx auth_request and Envoy ext_authz) only translate to and from it.
import type { Decision, DecidingStatement, Explanation, Request } from "../runtime/index.js";
import {
  compileMapping, fillContext, isCompiledMapping, isRepeatedHeader, METHOD_OVERRIDE_HEADERS, REPEATED, usesVerb, fillTemplate, fillValueTemplate, firstHeader, matchRoute, MappingError,
  type Claims, type CompiledMapping, type GatewayCode, type HttpRequestView, type MappingConfig, type Refusal,
} from "./mapping.js";

/** Anything that decides requests: a loaded bundle (`loadBundle`) or a watcher (`watchBundle`). */
export interface DecisionSource {
  check(request: Request): Decision;
  explain(request: Request): Explanation;
}

/**
 * Verifies a JWT and returns its claims, or undefined (or a rejected promise) when it fails.
 * `iamc/http`'s `jwtVerifier` builds one for EdDSA, ES256, RS256 and HS256 keys.
 */
export type JwtVerifier = (token: string) => Claims | undefined | Promise<Claims | undefined>;

export interface GatewayOptions {
  /** Required when the mapping's principal comes from a JWT. */
  readonly verifyJwt?: JwtVerifier;
  /** Also find the deciding statement (explain) for every request; slower. Default false. */
  readonly explain?: boolean;
}

/** The gateway's answer. */
export interface GatewayAnswer {
  /** 200 allowed; 403 denied; 400 malformed path; 401 bad credential; 413 too large. */
  readonly status: 200 | 400 | 401 | 403 | 413;
  /** The bundle's decision; undefined when the request was refused before any check. */
  readonly decision: Decision | undefined;
  /** The request that was checked. */
  readonly request?: Request;
  /** `Policy#Sid` (or `Policy#index`) of the statement that decided, when `explain` is on and one did. */
  readonly statement?: string;
  /** Set when refused before a check. */
  readonly code?: GatewayCode;
  /** One line saying why. */
  readonly reason: string;
}

export interface Gateway {
  readonly mapping: CompiledMapping;
  /** Decides one request. Never throws and never rejects: anything unexpected is a 403. */
  decide(view: HttpRequestView): GatewayAnswer | Promise<GatewayAnswer>;
}

/** Builds a gateway over a decision source. Throws a MappingError (IAMC70xx) on a bad mapping. */
export function createGateway(source: DecisionSource, mapping: MappingConfig | CompiledMapping, options: GatewayOptions = {}): Gateway {
  const compiled = isCompiledMapping(mapping) ? mapping : compileMapping(mapping);
  if (compiled.principal.kind === "jwt" && !options.verifyJwt) {
    throw new MappingError([{ code: "IAMC7005", pointer: "/principal/jwt", message: "the principal comes from a JWT but no verifyJwt was given" }]);
  }
  const explainAll = options.explain ?? false;

  const finish = (view: HttpRequestView, claims: Claims | undefined, principal: string | null,
    match: Exclude<ReturnType<typeof matchRoute>, Refusal>): GatewayAnswer => {
    const inputs = { view, match, verbs: compiled.verbs, claims, principal };
    const method = view.method.toUpperCase();
    if (compiled.verbs[method] === undefined && (usesVerb(match.route.action) || usesVerb(match.route.resource))) {
      return answerRefusal({ refused: true, status: 403, code: "IAMC7101", message: `no verb for method ${method}: the route's action needs one (add it to \`verbs\`)` });
    }
    const action = fillTemplate(match.route.action, inputs);
    const resource = fillTemplate(match.route.resource, inputs);
    if (action === REPEATED || resource === REPEATED) {
      return answerRefusal({ refused: true, status: 400, code: "IAMC7102", message: `a query parameter or header the ${action === REPEATED ? "action" : "resource"} reads is given more than once` });
    }
    if (action === undefined || resource === undefined) {
      return answerRefusal({ refused: true, status: 400, code: "IAMC7104", message: `the ${action === undefined ? "action" : "resource"} of ${view.method.toUpperCase()} ${match.path} needs a header, query parameter or claim the request lacks` });
    }
    const context = fillContext(match.route, inputs);
    if (context === REPEATED) {
      return answerRefusal({ refused: true, status: 400, code: "IAMC7102", message: "a query parameter or header the context reads is given more than once" });
    }
    const request: Request = context ? { principal, action, resource, context } : { principal, action, resource };
    if (explainAll) {
      const explanation = source.explain(request);
      const deciding = decidingStatement(explanation);
      return {
        status: explanation.decision === "Allow" ? 200 : 403, decision: explanation.decision, request,
        ...(deciding ? { statement: statementLabel(deciding) } : {}), reason: explanation.reason,
      };
    }
    const decision = source.check(request);
    return { status: decision === "Allow" ? 200 : 403, decision, request, reason: REASONS[decision] };
  };

  const decide = (view: HttpRequestView): GatewayAnswer | Promise<GatewayAnswer> => {
    try {
      const match = matchRoute(compiled, view.method, view.url);
      if ("refused" in match) return answerRefusal(match);
      const override = METHOD_OVERRIDE_HEADERS.find((name) => view.headers[name] !== undefined);
      if (override !== undefined) {
        return answerRefusal({ refused: true, status: 400, code: "IAMC7102", message: `the request carries \`${override}\`: the gateway checks the request's own method, which the application might not run` });
      }
      const who = compiled.principal;
      if (who.kind === "none") return finish(view, undefined, null, match);
      if (isRepeatedHeader(view.headers[who.header])) {
        return answerRefusal({ refused: true, status: 401, code: "IAMC7103", message: `the ${who.header} header is sent more than once` });
      }
      const raw = firstHeader(view.headers[who.header])?.trim();
      if (who.kind === "header") {
        if (!raw) return who.required ? answerRefusal(MISSING_CREDENTIAL) : finish(view, undefined, null, match);
        return finish(view, undefined, fillValueTemplate(who.template, raw), match);
      }
      if (!raw) return who.required ? answerRefusal(MISSING_CREDENTIAL) : finish(view, undefined, null, match);
      const token = /^Bearer\s+(\S+)$/i.exec(raw)?.[1];
      if (!token) return answerRefusal({ refused: true, status: 401, code: "IAMC7103", message: `the ${who.header} header is not \`Bearer TOKEN\`` });
      const withClaims = (claims: Claims | undefined): GatewayAnswer => {
        if (!claims) return answerRefusal(BAD_TOKEN);
        const subject = claims[who.claim];
        if (typeof subject !== "string" || subject === "") {
          return answerRefusal({ refused: true, status: 401, code: "IAMC7103", message: `the token has no string claim \`${who.claim}\`` });
        }
        return finish(view, claims, fillValueTemplate(who.template, subject), match);
      };
      let verified: ReturnType<JwtVerifier>;
      try {
        verified = options.verifyJwt!(token);
      } catch {
        return answerRefusal(BAD_TOKEN); // a verifier that throws verified nothing
      }
      if (isPromise(verified)) return verified.then(withClaims, () => answerRefusal(BAD_TOKEN)).catch(failClosed);
      return withClaims(verified);
    } catch (error) {
      return failClosed(error);
    }
  };
  return { mapping: compiled, decide };
}

const REASONS: Record<Decision, string> = {
  Allow: "allowed",
  ExplicitDeny: "denied by a statement",
  ImplicitDeny: "no statement allows it",
};

const MISSING_CREDENTIAL: Refusal = { refused: true, status: 401, code: "IAMC7103", message: "the request carries no credential" };
const BAD_TOKEN: Refusal = { refused: true, status: 401, code: "IAMC7103", message: "the bearer token failed verification" };

function answerRefusal(refusal: Refusal): GatewayAnswer {
  return { status: refusal.status, decision: undefined, code: refusal.code, reason: refusal.message };
}

/** A source (or anything else) that throws: deny, never let the request through or crash the server. */
export function failClosed(error: unknown): GatewayAnswer {
  return { status: 403, decision: "ImplicitDeny", reason: `denied: the gateway could not decide (${error instanceof Error ? error.message : String(error)})` };
}

/**
 * The statement to name for a decision: for a deny, the first deny; for an allow, the first allow
 * that grants (an identity or resource policy's) rather than one of the limits every allow also
 * needs (an SCP's `FullAccess`, a boundary), which would say little about why.
 */
function decidingStatement(explanation: Explanation): DecidingStatement | undefined {
  if (explanation.decision !== "Allow") return explanation.statements.find((s) => s.effect === "Deny");
  const allows = explanation.statements.filter((s) => s.effect === "Allow");
  return allows.find((s) => GRANTING_LAYERS.has(s.layer)) ?? allows[0];
}

const GRANTING_LAYERS = new Set(["identity", "resource"]);

/** `Policy#Sid`, or `Policy#3` for a statement without a Sid. */
export function statementLabel(statement: DecidingStatement): string {
  return `${statement.policy}#${statement.sid ?? statement.index}`;
}

/** Whether a decision is still pending (a JWT verifier that awaits). */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T>)?.then === "function";
}
