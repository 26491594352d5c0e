// IAMC6008: a policy that applies to nobody. AWS: nothing names it, or only groups without
// members do. Krutrim: no role holds it, or only roles no user reaches (directly or through a
// group). Cloudalus: no trust or resource uses it. Such a policy is dead code that looks live:
// reviewers read it as protection or access that is not there.
import type { Diagnostic } from "../../diagnostics.js";
import type { Policy } from "../../ir.js";
import { findingAt, listed, type LintContext } from "../context.js";
import type { PolicyUse } from "../holdings.js";

/** IAMC6008 findings: one per policy no one holds. */
export function checkUnattachedPolicies(ctx: LintContext): Diagnostic[] {
  const findings: Diagnostic[] = [];
  for (const policy of ctx.workspace.policies.values()) {
    const uses = ctx.holdings.uses.get(policy.id) ?? [];
    if (uses.some((use) => use.reachesSomeone)) continue;
    const finding = unattached(ctx, policy, uses);
    if (finding) findings.push(finding);
  }
  return findings;
}

function unattached(ctx: LintContext, policy: Policy, uses: readonly PolicyUse[]): Diagnostic | undefined {
  const id = `\`${policy.id}\``;
  const names = [...new Set(uses.map((u) => u.by))];
  const via = listed(names);
  switch (ctx.workspace.model) {
    case "aws":
      return findingAt(policy.origin, "IAMC6008", "warning", {
        message: uses.length === 0 ? `policy ${id} is attached to nobody` : `policy ${id} is held only by ${names.length === 1 ? "group" : "groups"} ${via}, which ${names.length === 1 ? "has" : "have"} no members`,
        help: "attach it (to a principal, a group with members, a boundary, session policies, an account's SCP or RCP levels, or a resource), or remove it",
      });
    case "krutrim": {
      const help = "attach it to a role that a user holds (directly or through a group), or remove it";
      if (uses.length === 0) return findingAt(policy.origin, "IAMC6008", "warning", { message: `policy ${id} is attached to no role`, help });
      const held = `held only by ${names.length === 1 ? "role" : "roles"} ${via}, which no user holds`;
      // a system-managed policy is built in: the place to act is the role that attaches it
      if (policy.origin === undefined) return findingAt(uses[0]!.origin, "IAMC6008", "warning", { message: `system-managed policy ${id} is ${held}`, help: "give the role to a user or a group, or remove the role" });
      return findingAt(policy.origin, "IAMC6008", "warning", { message: `policy ${id} is ${held}`, help });
    }
    case "cloudalus":
      return findingAt(policy.origin, "IAMC6008", "warning", {
        message: `policy ${id} is used by no trust or resource`,
        help: "name it as a trust's `policy` or a resource's `policy`, or remove it",
      });
  }
}
