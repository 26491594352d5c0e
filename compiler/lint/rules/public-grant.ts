// IAMC6010: a resource policy that allows every caller with no condition. In AWS `Principal: "*"`
// and in cloudalus `Identity: "*"` both include the unauthenticated caller, so the resource is
// public for those actions. Sometimes that is the point (a public catalog); it should be a choice.
import type { Diagnostic } from "../../diagnostics.js";
import { isLimitOnly } from "../holdings.js";
import { findingAt, isWritten, listed, type LintContext } from "../context.js";

/** IAMC6010 findings: unconditional allows naming every caller, outside limit layers (RCPs). */
export function checkPublicGrants(ctx: LintContext): Diagnostic[] {
  if (ctx.workspace.model === "krutrim") return [];
  const field = ctx.workspace.model === "aws" ? "Principal" : "Identity";
  const findings: Diagnostic[] = [];
  for (const { statement, policy } of ctx.statements) {
    const principals = statement.principals;
    if (statement.effect !== "Allow" || !isWritten(statement) || principals === undefined || principals.negated) continue;
    if (statement.conditions.length > 0 || !principals.refs.some((ref) => ref.kind === "everyone")) continue;
    if (isLimitOnly(ctx.holdings, policy.id)) continue;
    const finding = findingAt(statement.source.origin, "IAMC6010", "warning", {
      message: `this allow names every caller (\`${field}: "*"\`), the unauthenticated one included, for ${listed(statement.actions.patterns.map((p) => p.source))}`,
      help:
        ctx.workspace.model === "aws"
          ? "name the principals that need access, or add a condition (`aws:PrincipalOrgID`, `aws:SourceVpce`) unless the resource is meant to be public"
          : "name the identities that need access, unless the resource is meant to be public",
    });
    if (finding) findings.push(finding);
  }
  return findings;
}
