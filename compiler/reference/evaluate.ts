// The reference evaluator: AWS's documented evaluation logic, written as plainly as possible over
// the IR. It scans every statement on every request, on purpose. The decision table and the
// runtime must agree with it on every request; property tests and the conformance corpus say so.
import type {
  AwsPrincipal, AwsResource, AwsWorkspace, ContextValue, Decision, PrincipalRef, Request, Statement, Workspace,
} from "../ir.js";
import { evaluateCloudalus } from "./evaluate-cloudalus.js";
import { evaluateKrutrim } from "./evaluate-krutrim.js";
import { evaluateConditions, type ContextLookup } from "./conditions.js";
import { matchTemplate } from "./glob.js";
import {
  accountOfArn, bucketOfS3Object, isKmsKey, isRoleArn, userNameOfArn,
} from "../aws-names.js";

/** How a resource-policy statement names the caller; it decides what else the grant needs. */
export type GrantKind = "everyone" | "direct" | "account";

/** One statement that matched the request, with the layer it sits in. */
export interface MatchedStatement {
  readonly layer: string;
  readonly statement: Statement;
  /** For resource-policy and RCP statements: how the statement named the caller. */
  readonly grant?: GrantKind;
}

export interface ReferenceResult {
  readonly decision: Decision;
  readonly matched: readonly MatchedStatement[];
}

/** The decision AWS would make for `request` in workspace `ws`. */
export function evaluateIr(ws: Workspace, request: Request): Decision {
  // Each model's evaluator is its own small file; this one is AWS's.
  if (ws.model === "cloudalus") return evaluateCloudalus(ws, request);
  return ws.model === "krutrim" ? evaluateKrutrim(ws, request) : evaluateIrDetailed(ws, request).decision;
}

/** The decision and every statement that matched, for tests and debugging. */
export function evaluateIrDetailed(ws: AwsWorkspace, request: Request): ReferenceResult {
  const principal = request.principal === null ? undefined : ws.principals.find((p) => p.id === request.principal);
  const resource = findResourceEntry(ws.resources, request.resource);
  const principalAccount = principal ? principal.account : request.principal ? accountOfArn(request.principal) : undefined;
  // An unlisted resource whose ARN names no account (an S3 bucket, say) is taken to be the
  // caller's own: identity policies alone can then grant access to it.
  const knownResourceAccount = resource?.account ?? accountOfArn(request.resource);
  const resourceAccount = knownResourceAccount ?? principalAccount;
  const lookup = contextLookup(request, principal, knownResourceAccount);

  const matched: MatchedStatement[] = [];
  const layerVerdicts = new Map<string, { allow: boolean; deny: boolean }>();
  const consider = (layer: string, statements: readonly Statement[], withPrincipal: boolean) => {
    const verdict = layerVerdicts.get(layer) ?? { allow: false, deny: false };
    layerVerdicts.set(layer, verdict);
    for (const statement of statements) {
      let grant: GrantKind | undefined;
      if (withPrincipal) {
        grant = principalGrant(statement, request.principal, principalAccount, principal?.boundary !== undefined);
        if (grant === undefined) continue;
      }
      if (!statementMatches(statement, request, lookup)) continue;
      matched.push(grant === undefined ? { layer, statement } : { layer, statement, grant });
      if (statement.effect === "Deny") verdict.deny = true;
      else verdict.allow = true;
    }
  };
  const statementsOf = (ids: readonly string[]) => ids.flatMap((id) => ws.policies.get(id)?.statements ?? []);

  // Layers on the principal's side. Outside callers hold no policies of their own.
  if (principal) {
    const identity = unique([...principal.policies, ...principal.groups.flatMap((g) => ws.groups.find((x) => x.id === g)?.policies ?? [])]);
    consider("identity", statementsOf(identity), false);
    if (principal.boundary !== undefined) consider("boundary", statementsOf([principal.boundary]), false);
    if (inSession(principal)) consider("session", statementsOf(principal.sessionPolicies ?? []), false);
    const account = ws.accounts.find((a) => a.id === principal.account);
    account?.scps.forEach((level, i) => consider(`scp[${i}]`, statementsOf(level), false));
  }
  // Layers on the resource's side.
  if (resource?.policy !== undefined) consider("resource", statementsOf([resource.policy]), true);
  const resourceOrg = ws.accounts.find((a) => a.id === resourceAccount);
  resourceOrg?.rcps.forEach((level, i) => consider(`rcp[${i}]`, statementsOf(level), true));

  const decide = (decision: Decision): ReferenceResult => ({ decision, matched });

  // 1. An explicit deny in any policy wins.
  for (const verdict of layerVerdicts.values()) if (verdict.deny) return decide("ExplicitDeny");
  // 2. Every SCP level (principal's account) and RCP level (resource's account) must allow.
  for (const [layer, verdict] of layerVerdicts) {
    if ((layer.startsWith("scp[") || layer.startsWith("rcp[")) && !verdict.allow) return decide("ImplicitDeny");
  }
  // 3. Identity-side allow: an identity policy allows, within the boundary and session policies.
  const allows = (layer: string) => layerVerdicts.get(layer)?.allow ?? false;
  const boundaryOk = principal?.boundary === undefined || allows("boundary");
  const sessionOk = principal === undefined || !inSession(principal) || allows("session");
  const identityOk = principal !== undefined && allows("identity") && boundaryOk && sessionOk;
  const grants = new Set(matched.filter((m) => m.layer === "resource" && m.statement.effect === "Allow").map((m) => m.grant!));

  // 4. Outside callers: only a resource policy that names them (or everyone) can allow.
  if (principal === undefined) {
    return decide(grants.has("direct") || grants.has("everyone") ? "Allow" : "ImplicitDeny");
  }
  // 5. Across accounts both sides must allow.
  if (principalAccount !== resourceAccount) {
    return decide(identityOk && grants.size > 0 ? "Allow" : "ImplicitDeny");
  }
  // 6. Within one account either side suffices, with AWS's exceptions:
  //    - a KMS key policy must allow; identity policies count only through a grant to the account;
  //    - a grant naming the account only delegates to identity policies;
  //    - a grant naming a user (or everyone) is not limited by the boundary or session policies;
  //      one naming a role is, and so is one naming a user who acts in a session; a grant to
  //      everyone never is.
  if (identityOk && !isKmsKey(request.resource)) return decide("Allow");
  if (grants.has("everyone")) return decide("Allow");
  const directLimited = isRoleArn(principal.id) || inSession(principal);
  if (grants.has("direct") && (!directLimited || (boundaryOk && sessionOk))) return decide("Allow");
  if (grants.has("account") && identityOk) return decide("Allow");
  return decide("ImplicitDeny");
}

/** The `resources` entry governing a resource: the exact id, or an S3 object's bucket. */
export function findResourceEntry(resources: readonly AwsResource[], resource: string): AwsResource | undefined {
  const exact = resources.find((r) => r.id === resource);
  if (exact) return exact;
  const bucket = bucketOfS3Object(resource);
  return bucket === undefined ? undefined : resources.find((r) => r.id === bucket);
}

function statementMatches(statement: Statement, request: Request, lookup: ContextLookup): boolean {
  const resolve = (key: string) => scalarText(lookup(key.toLowerCase()));
  const actionHit = statement.actions.patterns.some((p) => matchTemplate(p, request.action, { ignoreCase: true }));
  if (actionHit === statement.actions.negated) return false;
  const resourceHit = statement.resources.patterns.some((p) => matchTemplate(p, request.resource, { resolve }));
  if (resourceHit === statement.resources.negated) return false;
  return evaluateConditions(statement.conditions, lookup);
}

/**
 * Whether the principal acts in a session limited by session policies. A role session given no
 * session policy keeps the role's permissions; a federated user's session without one has none.
 */
function inSession(principal: AwsPrincipal): boolean {
  const policies = principal.sessionPolicies;
  return policies !== undefined && (policies.length > 0 || !isRoleArn(principal.id));
}

/** How a resource-policy statement names the caller, or undefined when it does not apply to it. */
function principalGrant(statement: Statement, caller: string | null, callerAccount: string | undefined, hasBoundary: boolean): GrantKind | undefined {
  const set = statement.principals;
  if (set === undefined) return undefined;
  if (set.negated) {
    // AWS: a Deny with NotPrincipal always applies to a principal that has a permissions boundary.
    if (statement.effect === "Deny" && hasBoundary) return "everyone";
    // NotPrincipal lists exact principals; an account entry stands for the account's root only.
    const excluded = set.refs.some((ref) =>
      ref.kind === "everyone" || (caller !== null && (ref.kind === "principal" ? ref.id === caller : caller === rootOf(ref.account))));
    return excluded ? undefined : "everyone";
  }
  const kinds = set.refs.map((ref) => refMatches(ref, caller, callerAccount)).filter((k) => k !== undefined);
  if (kinds.includes("everyone")) return "everyone";
  if (kinds.includes("direct")) return "direct";
  return kinds.includes("account") ? "account" : undefined;
}

function rootOf(account: string): string {
  return `arn:aws:iam::${account}:root`;
}

function refMatches(ref: PrincipalRef, caller: string | null, callerAccount: string | undefined): GrantKind | undefined {
  switch (ref.kind) {
    case "everyone": return "everyone";
    case "principal": return caller !== null && ref.id === caller ? "direct" : undefined;
    case "account": return caller !== null && callerAccount === ref.account ? "account" : undefined;
  }
}

/**
 * The request's condition keys, lower-cased. For a principal the manifest lists, the keys derived
 * from it (ARN, account, user name, tags) come from the manifest and override the request: a
 * caller cannot change who it is. The resource's account likewise, when known.
 */
function contextLookup(request: Request, principal: AwsPrincipal | undefined, resourceAccount: string | undefined): ContextLookup {
  const values = new Map<string, ContextValue>();
  for (const [key, value] of Object.entries(request.context ?? {})) {
    if (value !== null && value !== undefined) values.set(key.toLowerCase(), value);
  }
  if (principal) {
    for (const key of [...values.keys()]) if (key.startsWith("aws:principaltag/")) values.delete(key);
    values.set("aws:principalarn", principal.id);
    if (principal.account !== undefined) values.set("aws:principalaccount", principal.account);
    const userName = userNameOfArn(principal.id);
    if (userName !== undefined) values.set("aws:username", userName);
    for (const [tag, value] of Object.entries(principal.tags)) values.set(`aws:principaltag/${tag.toLowerCase()}`, value);
  } else if (request.principal !== null) {
    if (!values.has("aws:principalarn")) values.set("aws:principalarn", request.principal);
    const account = accountOfArn(request.principal);
    if (!values.has("aws:principalaccount") && account !== undefined) values.set("aws:principalaccount", account);
    const userName = userNameOfArn(request.principal);
    if (!values.has("aws:username") && userName !== undefined) values.set("aws:username", userName);
  }
  if (resourceAccount !== undefined) values.set("aws:resourceaccount", resourceAccount);
  return (key) => values.get(key);
}

function scalarText(value: ContextValue | undefined): string | undefined {
  if (value === undefined || Array.isArray(value)) return undefined;
  return String(value);
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
