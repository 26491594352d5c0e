// Allows broader than they look: `*` actions or resources (IAMC6003), NotAction/NotResource
// (IAMC6004), and a wildcard in an ARN's service segment (IAMC6009). "Allow: * feels productive
// during development and becomes permanent."
//
// Not reported in policies used only as limits (AWS boundaries, session policies, SCP and RCP
// levels): an allow there grants nothing, and `Allow * on *` is the usual way to say "no limit"
// (AWS's own `FullAWSAccess` SCP). Nor is `Resource: "*"` in a resource policy: it means the
// resource the policy is attached to (the KMS key policy idiom; cloudalus writes it always).
import type { Diagnostic } from "../../diagnostics.js";
import type { PatternSet, Statement } from "../../ir.js";
import { isLimitOnly } from "../holdings.js";
import { actionTokens, findingAt, isWritten, listed, resourceTokens, speaksOfItsResource, type LintContext, type LintStatement } from "../context.js";
import { matchesEverything, type PatternToken } from "../pattern-algebra.js";

/** The allows that grant: written by the user, in a policy that is not only a limit. */
function grantingAllows(ctx: LintContext): LintStatement[] {
  return ctx.statements.filter(
    ({ statement, policy }) => statement.effect === "Allow" && isWritten(statement) && !isLimitOnly(ctx.holdings, policy.id),
  );
}

/** `*` and `*:*` (krutrim's service `All` with operations `*` lowers to `*`). */
function isEveryAction(tokens: readonly PatternToken[]): boolean {
  if (matchesEverything(tokens)) return true;
  const colon = tokens.findIndex((t) => t.kind === "char" && t.char === ":");
  return colon > 0 && matchesEverything(tokens.slice(0, colon)) && matchesEverything(tokens.slice(colon + 1));
}

/**
 * IAMC6003 findings, warnings all: full admin is a trap when it is an accident, but most
 * organisations keep an admin role on purpose, so it must not fail a lint run by itself.
 */
export function checkWildcardAllows(ctx: LintContext): Diagnostic[] {
  const findings: Diagnostic[] = [];
  for (const { statement } of grantingAllows(ctx)) {
    const everyAction = !statement.actions.negated && statement.actions.patterns.some((p) => isEveryAction(actionTokens(p, "narrow")));
    const everyResource =
      !statement.resources.negated &&
      !speaksOfItsResource(statement) &&
      statement.resources.patterns.some((p) => matchesEverything(resourceTokens(p, "narrow")));
    if (!everyAction && !everyResource) continue;
    const finding = everyAction && everyResource
      ? findingAt(statement.source.origin, "IAMC6003", "warning", {
          message: "this allow grants every action on every resource: full admin",
          help: "grant the specific actions on the specific resources the holder needs; if full admin is intended, keep it to a break-glass role behind MFA",
        })
      : everyAction
        ? findingAt(statement.source.origin, "IAMC6003", "warning", {
            message: `this allow grants every action on ${setText(statement.resources, "resource")}`,
            help: "name the actions the holder needs (`s3:GetObject`, not `*`)",
          })
        : findingAt(statement.source.origin, "IAMC6003", "warning", {
            message: `this allow grants ${setText(statement.actions, "action")} on every resource (\`*\`)`,
            help: resourceHelp(ctx),
          });
    if (finding) findings.push(finding);
  }
  return findings;
}

/** A pattern set for a message: `a` and `b`, or `every action but a` for NotAction/NotResource. */
function setText(set: PatternSet, noun: string): string {
  const names = listed(set.patterns.map((p) => p.source));
  return set.negated ? `every ${noun} but ${names}` : names;
}

function resourceHelp(ctx: LintContext): string {
  if (ctx.workspace.model === "krutrim") return "list the rule's `resources` (a rule without them applies to `*`)";
  if (ctx.workspace.model === "cloudalus") return "name the resources the trust is for (`kvdb/orders`, not `*`)";
  return "name the resources (`arn:aws:s3:::app-logs/*`, not `*`); keep `*` only for actions that take no resource ARN";
}

/** IAMC6004 findings: allows with NotAction or NotResource. */
export function checkNotElementAllows(ctx: LintContext): Diagnostic[] {
  const findings: Diagnostic[] = [];
  for (const { statement } of grantingAllows(ctx)) {
    const what = notElementText(statement);
    if (what === undefined) continue;
    const finding = findingAt(statement.source.origin, "IAMC6004", "warning", {
      message: `this allow uses ${what}, so it grants everything else, including ${statement.actions.negated ? "actions AWS adds later" : "resources created later"}`,
      help: "list what to allow in Action and Resource; to carve out exceptions from a broad allow, add a deny",
    });
    if (finding) findings.push(finding);
  }
  return findings;
}

function notElementText(statement: Statement): string | undefined {
  const parts: string[] = [];
  if (statement.actions.negated) parts.push(`NotAction ${listed(statement.actions.patterns.map((p) => p.source))}`);
  if (statement.resources.negated) parts.push(`NotResource ${listed(statement.resources.patterns.map((p) => p.source))}`);
  return parts.length === 0 ? undefined : parts.join(" and ");
}

/** IAMC6009 findings: allow resource patterns whose ARN service segment holds `*` or `?`. */
export function checkServiceWildcards(ctx: LintContext): Diagnostic[] {
  if (ctx.workspace.model !== "aws") return [];
  const findings: Diagnostic[] = [];
  for (const { statement } of grantingAllows(ctx)) {
    // NotResource is IAMC6004's finding already
    if (statement.resources.negated) continue;
    // variables are read as `never`: a variable is not a wildcard
    const wild = statement.resources.patterns.filter((p) => hasWildService(resourceTokens(p, "narrow")));
    if (wild.length === 0) continue;
    const finding = findingAt(statement.source.origin, "IAMC6009", "warning", {
      message: `${listed(wild.map((p) => p.source))} ${wild.length === 1 ? "has" : "have"} a wildcard in the ARN's service segment, so ${wild.length === 1 ? "it matches" : "they match"} resources of every service`,
      help: "name the service (`arn:aws:s3:::...`, `arn:aws:dynamodb:...`); the third field of an ARN decides which service's resources match",
    });
    if (finding) findings.push(finding);
  }
  return findings;
}

/**
 * Whether an `arn:` pattern has a wildcard in its third `:`-separated field, or a `*` before it
 * that can run into it (`arn:*`, `arn:aws*`).
 */
export function hasWildService(tokens: readonly PatternToken[]): boolean {
  const head = tokens.slice(0, 4);
  if (head.map((t) => (t.kind === "char" ? t.char : "")).join("") !== "arn:") return false;
  let field = 1; // 0 is `arn`, 1 the partition, 2 the service
  let partitionStar = false;
  for (const token of tokens.slice(4)) {
    if (token.kind === "char" && token.char === ":") {
      if (++field > 2) return false;
    } else if (field === 2 && (token.kind === "star" || token.kind === "any")) return true;
    else if (token.kind === "star") partitionStar = true;
  }
  // no `:` ends the partition: a `*` in it spans the service segment too
  return field === 1 && partitionStar;
}
