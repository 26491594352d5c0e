// The reference evaluator for model `krutrim`, written as plainly as possible over the IR: find
// the user, walk its roles (its own, then its groups'), and look at every statement of every
// policy they attach. Deny first, then allow, else the default deny (the seed's evaluation
// order). Action matching ignores case and resource matching does not, with `*` and `?`, through
// the same matcher as the aws evaluator, so the compiled table is held to one rule for both.
import type { Decision, Effect, KrutrimWorkspace, Request, Statement } from "../ir.js";
import { matchTemplate } from "./glob.js";

/** A statement that matched a request, and the path it reached the user by. */
export interface KrutrimGrant {
  /** The policy's id (custom or system-managed). */
  readonly policy: string;
  /** The rule's position in its policy (from 0): the statement's `source.index`. */
  readonly rule: number;
  readonly effect: Effect;
  /** The role that attaches the policy. */
  readonly role: string;
  /** The group the role came through; absent when the role is the user's own. */
  readonly group?: string;
}

/** The decision for `request` in workspace `ws`. */
export function evaluateKrutrim(ws: KrutrimWorkspace, request: Request): Decision {
  const grants = explainKrutrimGrant(ws, request);
  if (grants.some((g) => g.effect === "Deny")) return "ExplicitDeny";
  if (grants.some((g) => g.effect === "Allow")) return "Allow";
  return "ImplicitDeny";
}

/**
 * Every statement that matches `request`, once per path it reaches the user by: through each
 * of the user's own roles, then through each role of each of its groups, in manifest order. A
 * principal the manifest does not list (or `null`) holds nothing: the list is empty.
 */
export function explainKrutrimGrant(ws: KrutrimWorkspace, request: Request): KrutrimGrant[] {
  const user = request.principal === null ? undefined : ws.users.find((u) => u.id === request.principal);
  if (user === undefined) return [];
  const paths: { role: string; group?: string }[] = user.roles.map((role) => ({ role }));
  for (const groupId of user.groups) {
    const group = ws.groups.find((g) => g.id === groupId);
    for (const role of group?.roles ?? []) paths.push({ role, group: groupId });
  }

  const grants: KrutrimGrant[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    const role = ws.roles.find((r) => r.id === path.role);
    for (const policyId of role?.policies ?? []) {
      for (const statement of ws.policies.get(policyId)?.statements ?? []) {
        if (!statementMatches(statement, request)) continue;
        // a role listed twice, or a policy attached twice, is still one path
        const key = JSON.stringify([path.role, path.group ?? null, policyId, statement.source.index]);
        if (seen.has(key)) continue;
        seen.add(key);
        grants.push({
          policy: policyId,
          rule: statement.source.index,
          effect: statement.effect,
          role: path.role,
          ...(path.group === undefined ? {} : { group: path.group }),
        });
      }
    }
  }
  return grants;
}

function statementMatches(statement: Statement, request: Request): boolean {
  // krutrim statements are never negated and have no conditions; the checks stay for honesty
  const actionHit = statement.actions.patterns.some((p) => matchTemplate(p, request.action, { ignoreCase: true }));
  if (actionHit === statement.actions.negated) return false;
  const resourceHit = statement.resources.patterns.some((p) => matchTemplate(p, request.resource));
  if (resourceHit === statement.resources.negated) return false;
  return statement.conditions.length === 0;
}
