// The reference evaluator for model `cloudalus`, written as plainly as possible over the IR, in
// the numbered steps of docs/cloudalus.md:
//   1. the caller: an access key → its programmatic identity; a listed principal → itself;
//      `null` or anything else → the unauthenticated caller;
//   2. the unauthenticated caller acts as itself only (no `identity`, no `via`), needs no trust,
//      owns nothing, and only resource-policy statements naming `*` apply to it;
//   3. the adopted identity I (`identity` ?? the caller) and the trusts relied on T (`via`, else
//      none when I is the caller, else every trust from I to the caller);
//   4. the adoption must be valid: every trust of T goes from I to the caller, and T is not
//      empty when I is not the caller; otherwise ImplicitDeny;
//   5. a Deny in a trust policy of T (action and resource match) or in the resource's policy
//      (action matches, Identity names I or `*`) is ExplicitDeny;
//   6. trust check: every trust of T has a matching Allow;
//   7. resource check: I owns the resource, or its policy has a matching Allow naming I or `*`;
//   8. Allow iff both checks pass, else ImplicitDeny.
// Action matching ignores case and resource matching does not, with `*` and `?`, through the
// same matcher as the aws and krutrim evaluators.
import type { CloudalusTrust, CloudalusWorkspace, Decision, Effect, Request, Statement } from "../ir.js";
import { isAccessKeyId } from "../cloudalus-names.js";
import { matchTemplate } from "./glob.js";

/** A statement that matched a request, and the layer it was evaluated in. */
export interface CloudalusMatch {
  readonly policy: string;
  /** The statement's position in its policy (from 0). */
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  /** `trust <trustId>` for a trust policy, `resource` for the resource's policy. */
  readonly layer: string;
}

/** Who the request is evaluated as, or why it is denied before any policy is read. */
export type CloudalusAdoption =
  | {
      readonly ok: true;
      /** The caller after access-key resolution; undefined for the unauthenticated caller. */
      readonly caller: string | undefined;
      /** An outside caller: a principal the manifest does not list (not an access key). It owns nothing. */
      readonly outsider: boolean;
      /** The adopted identity; undefined for the unauthenticated caller. */
      readonly identity: string | undefined;
      /** The trusts relied on, in the order named (or manifest order by default). */
      readonly trusts: readonly CloudalusTrust[];
    }
  | { readonly ok: false; readonly reason: string };

/** The caller a request's `principal` names: its identity, or undefined when unauthenticated (null, or an unknown access key). */
export function resolveCloudalusCaller(ws: CloudalusWorkspace, principal: string | null): string | undefined {
  if (principal === null) return undefined;
  const key = ws.accessKeys.find((k) => k.id === principal);
  if (key !== undefined) return key.identity;
  if (ws.principals.some((p) => p.id === principal)) return principal;
  // The contract: a principal the manifest does not list is an outside caller, whom only resource
  // policies naming it (or `*`) can allow; an unknown access key (`ak/...`) is unauthenticated.
  return isAccessKeyId(principal) ? undefined : principal;
}


/** Steps 1 to 4: the caller, the adopted identity and the trusts relied on, when valid. */
export function adoptCloudalus(ws: CloudalusWorkspace, request: Request): CloudalusAdoption {
  const caller = resolveCloudalusCaller(ws, request.principal);
  if (caller === undefined) {
    if (request.identity !== undefined) return { ok: false, reason: "the unauthenticated caller cannot adopt an identity" };
    if (request.via !== undefined && request.via.length > 0) return { ok: false, reason: "the unauthenticated caller cannot rely on trusts" };
    return { ok: true, caller: undefined, outsider: false, identity: undefined, trusts: [] };
  }
  const outsider = !ws.principals.some((p) => p.id === caller);
  // No trust names an outside caller as trustee: like the unauthenticated caller, it acts as itself only.
  if (outsider && (request.identity !== undefined || (request.via !== undefined && request.via.length > 0))) {
    return { ok: false, reason: "an outside caller cannot adopt an identity or rely on trusts" };
  }
  const identity = request.identity ?? caller;
  let trusts: CloudalusTrust[];
  if (request.via !== undefined) {
    trusts = [];
    for (const id of new Set(request.via)) {
      const trust = ws.trusts.find((t) => t.id === id);
      if (trust === undefined) return { ok: false, reason: `no trust \`${id}\`` };
      if (trust.identity !== identity || trust.trustee !== caller) return { ok: false, reason: `trust \`${id}\` does not let \`${caller}\` act as \`${identity}\`` };
      trusts.push(trust);
    }
  } else if (identity === caller) trusts = [];
  else trusts = ws.trusts.filter((t) => t.identity === identity && t.trustee === caller);
  if (identity !== caller && trusts.length === 0) return { ok: false, reason: `no trust lets \`${caller}\` act as \`${identity}\`` };
  return { ok: true, caller, outsider, identity, trusts };
}

/** The decision for `request` in workspace `ws`. */
export function evaluateCloudalus(ws: CloudalusWorkspace, request: Request): Decision {
  const adoption = adoptCloudalus(ws, request);
  if (!adoption.ok) return "ImplicitDeny";
  const matches = explainAdopted(ws, request, adoption);
  if (matches.some((m) => m.effect === "Deny")) return "ExplicitDeny";
  const trustsAllow = adoption.trusts.every((t) => matches.some((m) => m.effect === "Allow" && m.layer === trustLayer(t.id)));
  if (!trustsAllow) return "ImplicitDeny";
  const resource = ws.resources.find((r) => r.id === request.resource);
  if (resource === undefined) return "ImplicitDeny";
  const owns = adoption.identity !== undefined && !adoption.outsider && resource.owner === adoption.identity;
  const accepted = owns || matches.some((m) => m.effect === "Allow" && m.layer === RESOURCE_LAYER);
  return accepted ? "Allow" : "ImplicitDeny";
}

/**
 * Every statement that matches `request`: those of each trust relied on (in order), then those of
 * the resource's policy that name the adopted identity or `*`. Empty when the adoption is not
 * valid (nothing is evaluated then).
 */
export function explainCloudalus(ws: CloudalusWorkspace, request: Request): CloudalusMatch[] {
  const adoption = adoptCloudalus(ws, request);
  return adoption.ok ? explainAdopted(ws, request, adoption) : [];
}

const RESOURCE_LAYER = "resource";
const trustLayer = (id: string) => `trust ${id}`;

function explainAdopted(ws: CloudalusWorkspace, request: Request, adoption: CloudalusAdoption & { ok: true }): CloudalusMatch[] {
  const matches: CloudalusMatch[] = [];
  const push = (statement: Statement, layer: string) =>
    matches.push({
      policy: statement.source.policy,
      index: statement.source.index,
      ...(statement.source.sid === undefined ? {} : { sid: statement.source.sid }),
      effect: statement.effect,
      layer,
    });
  for (const trust of adoption.trusts) {
    for (const statement of ws.policies.get(trust.policy)?.statements ?? []) {
      if (statement.principals === undefined && actionMatches(statement, request) && resourceMatches(statement, request)) push(statement, trustLayer(trust.id));
    }
  }
  const resource = ws.resources.find((r) => r.id === request.resource);
  const policy = resource?.policy === undefined ? undefined : ws.policies.get(resource.policy);
  for (const statement of policy?.statements ?? []) {
    if (actionMatches(statement, request) && namesIdentity(statement, adoption.identity)) push(statement, RESOURCE_LAYER);
  }
  return matches;
}

function actionMatches(statement: Statement, request: Request): boolean {
  const hit = statement.actions.patterns.some((p) => matchTemplate(p, request.action, { ignoreCase: true }));
  return hit !== statement.actions.negated;
}

function resourceMatches(statement: Statement, request: Request): boolean {
  const hit = statement.resources.patterns.some((p) => matchTemplate(p, request.resource));
  return hit !== statement.resources.negated;
}

/** Whether a resource-policy statement's `Identity` names `identity` (undefined: the unauthenticated caller) or `*`. */
function namesIdentity(statement: Statement, identity: string | undefined): boolean {
  const principals = statement.principals;
  if (principals === undefined) return false;
  const hit = principals.refs.some((ref) => ref.kind === "everyone" || (ref.kind === "principal" && identity !== undefined && ref.id === identity));
  return hit !== principals.negated;
}
