// `iamc lint`: the classic IAM traps, found in the IR of a workspace. A pure function of the IR:
// loading and printing are the CLI's (commands/lint.ts). Each rule is one named entry of the
// table below, in code order, with the models it speaks about.
//
// Severity: an error is a statement that is certainly wrong or certainly dangerous, and fails
// the run (exit 1): an S3 action that can never match its resources (IAMC6001), and full admin,
// `*` on `*` (IAMC6003). Everything else is a warning: dead or redundant code (a deny that blocks
// nothing, a shadowed allow, a duplicate, a policy nobody holds) and grants broader than they
// look (`*` on one side, NotAction/NotResource, `ForAllValues:`, a wildcard service, a public
// resource policy), which are sometimes meant.
import type { Diagnostic, DiagnosticCode } from "../diagnostics.js";
import type { Workspace } from "../ir.js";
import { lintContextOf, type LintContext } from "./context.js";
import { checkNotElementAllows, checkServiceWildcards, checkWildcardAllows } from "./rules/broad-allows.js";
import { checkDuplicateStatements } from "./rules/duplicate-statements.js";
import { checkForAllValues } from "./rules/for-all-values.js";
import { checkPublicGrants } from "./rules/public-grant.js";
import { checkS3ResourceLevel } from "./rules/s3-resource-level.js";
import { checkShadowedAllows } from "./rules/shadowed-allows.js";
import { checkUnattachedPolicies } from "./rules/unattached-policies.js";
import { checkUnreachableDenies } from "./rules/unreachable-deny.js";

/** One lint rule: its code, the models it applies to, and the check. */
export interface LintRule {
  readonly code: DiagnosticCode;
  readonly name: string;
  readonly models: readonly Workspace["model"][];
  readonly check: (ctx: LintContext) => Diagnostic[];
}

const ALL_MODELS: readonly Workspace["model"][] = ["aws", "krutrim", "cloudalus"];

/** Every lint rule, in code order. */
export const LINT_RULES: readonly LintRule[] = [
  { code: "IAMC6001", name: "s3-resource-level", models: ["aws"], check: checkS3ResourceLevel },
  { code: "IAMC6002", name: "unreachable-deny", models: ALL_MODELS, check: checkUnreachableDenies },
  { code: "IAMC6003", name: "wildcard-allow", models: ALL_MODELS, check: checkWildcardAllows },
  { code: "IAMC6004", name: "not-element-allow", models: ["aws"], check: checkNotElementAllows },
  { code: "IAMC6005", name: "for-all-values", models: ["aws"], check: checkForAllValues },
  { code: "IAMC6006", name: "shadowed-allow", models: ALL_MODELS, check: checkShadowedAllows },
  { code: "IAMC6007", name: "duplicate-statement", models: ALL_MODELS, check: checkDuplicateStatements },
  { code: "IAMC6008", name: "unattached-policy", models: ALL_MODELS, check: checkUnattachedPolicies },
  { code: "IAMC6009", name: "service-wildcard", models: ["aws"], check: checkServiceWildcards },
  { code: "IAMC6010", name: "public-grant", models: ["aws", "cloudalus"], check: checkPublicGrants },
];

/**
 * The lint findings of a workspace, in file order (then line, column and code). Pure: reads only
 * the IR, so the same workspace always gives the same findings.
 */
export function lintWorkspace(workspace: Workspace): Diagnostic[] {
  const ctx = lintContextOf(workspace);
  const findings = LINT_RULES.filter((rule) => rule.models.includes(workspace.model)).flatMap((rule) => rule.check(ctx));
  return sortFindings(findings, fileOrder(workspace));
}

/** Files in reading order: the manifest (where the entities are), then the policy files. */
function fileOrder(workspace: Workspace): ReadonlyMap<string, number> {
  const order = new Map<string, number>();
  const visit = (entity: { readonly origin?: { readonly file: string } }) => {
    const file = entity.origin?.file;
    if (file !== undefined && !order.has(file)) order.set(file, order.size);
  };
  const entities =
    workspace.model === "aws"
      ? [...workspace.accounts, ...workspace.groups, ...workspace.principals, ...workspace.resources]
      : workspace.model === "krutrim"
        ? [...workspace.roles, ...workspace.groups, ...workspace.users]
        : [...workspace.principals, ...workspace.accessKeys, ...workspace.trusts, ...workspace.resources];
  entities.forEach(visit);
  [...workspace.policies.values()].forEach(visit);
  return order;
}

function sortFindings(findings: readonly Diagnostic[], files: ReadonlyMap<string, number>): Diagnostic[] {
  const fileRank = (d: Diagnostic) => (d.file === undefined ? files.size : (files.get(d.file) ?? files.size));
  const offset = (d: Diagnostic) => d.span?.offset ?? Number.MAX_SAFE_INTEGER;
  return [...findings].sort((a, b) => fileRank(a) - fileRank(b) || offset(a) - offset(b) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}
