// IAMC6005: `ForAllValues:` in an allow. "Every value of the key is in the list" is true when the
// request has no values at all, so `ForAllValues:StringEquals {"aws:TagKeys": [...]}` also allows
// requests that carry no tags. A `Null` check that the key is present closes that gap.
import type { Diagnostic } from "../../diagnostics.js";
import type { Condition, Statement } from "../../ir.js";
import { findingAt, isWritten, type LintContext } from "../context.js";

/** IAMC6005 findings: one per `ForAllValues:` condition of an allow without a presence check. */
export function checkForAllValues(ctx: LintContext): Diagnostic[] {
  if (ctx.workspace.model !== "aws") return [];
  const findings: Diagnostic[] = [];
  for (const { statement } of ctx.statements) {
    if (statement.effect !== "Allow" || !isWritten(statement)) continue;
    for (const condition of statement.conditions) {
      if (condition.qualifier !== "ForAllValues" || requiresKey(statement, condition.key)) continue;
      const operator = `ForAllValues:${condition.operator}${condition.ifExists ? "IfExists" : ""}`;
      const finding = findingAt(condition.origin ?? statement.source.origin, "IAMC6005", "warning", {
        message: `\`${operator}\` on \`${condition.key}\` is also true when the request has no \`${condition.key}\` (or an empty one), so this allow matches requests without it`,
        help: `use \`ForAnyValue:${condition.operator}\` if one matching value should do, or add \`"Null": {"${condition.key}": "false"}\` so the key must be present`,
      });
      if (finding) findings.push(finding);
    }
  }
  return findings;
}

/** Whether the statement also requires the key to be present: `Null` with the value `false`. */
function requiresKey(statement: Statement, key: string): boolean {
  const same = (c: Condition) => c.key.toLowerCase() === key.toLowerCase();
  return statement.conditions.some(
    (c) => c.operator === "Null" && c.qualifier === "none" && same(c) && c.values.length > 0 && c.values.every((v) => v.source.toLowerCase() === "false"),
  );
}
