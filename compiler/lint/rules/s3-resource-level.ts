// IAMC6001: an S3 action paired only with resources of the other level. S3 checks bucket-level
// actions (`s3:ListBucket`) against the bucket's ARN `arn:aws:s3:::bucket` and object-level
// actions (`s3:GetObject`) against `arn:aws:s3:::bucket/key`; a statement that grants
// `s3:ListBucket` on `arn:aws:s3:::bucket/*` never matches a listing ("ListBucket fails
// silently"), and one that denies it blocks nothing.
import type { Diagnostic } from "../../diagnostics.js";
import type { Statement, Template } from "../../ir.js";
import { actionTokens, findingAt, isWritten, listed, resourceTokens, type LintContext } from "../context.js";
import { parsePattern, patternsIntersect, patternSubsumes, type PatternToken } from "../pattern-algebra.js";

/**
 * Action families that act on a bucket. An action pattern inside one of them is bucket-level;
 * one that reaches outside them all (`s3:Get*`, `s3:*`) may act on either and is left alone.
 */
const BUCKET_ACTIONS = [
  "s3:ListBucket*", "s3:GetBucket*", "s3:PutBucket*", "s3:DeleteBucket*", "s3:CreateBucket",
  ...["Lifecycle", "Encryption", "Replication", "Accelerate", "Inventory", "Analytics", "Metrics", "IntelligentTiering"]
    .flatMap((what) => [`s3:Get${what}Configuration`, `s3:Put${what}Configuration`]),
].map((pattern) => parsePattern(pattern, true));

/** Action families that act on an object (IAM spells the object-lock settings of a bucket `...BucketObjectLock...`). */
const OBJECT_ACTIONS = [
  "s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject", "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts", "s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags",
  "s3:BypassGovernanceRetention", "s3:ObjectOwnerOverrideToBucketOwner",
].map((pattern) => parsePattern(pattern, true));

const ANY_S3_ACTION = parsePattern("s3:*", true);
/** Every S3 ARN; whether a resource pattern can name S3 at all. */
const ANY_S3_ARN = parsePattern("arn:*:s3:::*");
/** Every S3 ARN with a `/` after the bucket: objects (over-approximated, which is the safe side). */
const ANY_S3_OBJECT = parsePattern("arn:*:s3:::*/*");
const S3_PREFIX = /^arn:[^:*?]*:s3:::/;
const BUCKET_ARN = /^arn:[^:]*:s3:::[^/]+$/;
const OBJECT_ARN = /^arn:[^:]*:s3:::[^/]*\/.*$/;

type Level = "bucket" | "object";

/** Which S3 ARNs a resource pattern may match. Over-approximated: `true` when in doubt. */
interface S3Reach {
  readonly s3: boolean;
  readonly bucket: boolean;
  readonly object: boolean;
}

/** IAMC6001 findings: per statement, the bucket-level and the object-level actions that cannot match. */
export function checkS3ResourceLevel(ctx: LintContext): Diagnostic[] {
  if (ctx.workspace.model !== "aws") return [];
  const findings: Diagnostic[] = [];
  for (const { statement } of ctx.statements) {
    if (!isWritten(statement) || statement.actions.negated || statement.resources.negated) continue;
    const levels = statement.actions.patterns.map((action) => ({ action, level: actionLevel(action) }));
    if (levels.every((l) => l.level === undefined)) continue;
    const reaches = statement.resources.patterns.map((pattern) => ({ pattern, reach: s3Reach(resourceTokens(pattern)) }));
    if (!reaches.some((r) => r.reach.s3)) continue;
    for (const level of ["bucket", "object"] as const) {
      const actions = levels.filter((l) => l.level === level).map((l) => l.action);
      if (actions.length === 0 || reaches.some((r) => r.reach[level])) continue;
      const finding = mismatch(statement, level, actions, reaches.filter((r) => r.reach.s3).map((r) => r.pattern));
      if (finding) findings.push(finding);
    }
  }
  return findings;
}

function mismatch(statement: Statement, level: Level, actions: readonly Template[], resources: readonly Template[]): Diagnostic | undefined {
  const names = listed(actions.map((a) => a.source));
  const other = level === "bucket" ? "objects" : "buckets";
  const verb = actions.length === 1 ? "acts" : "act";
  const suggested = [...new Set(resources.map((r) => (level === "bucket" ? bucketOf(r) : `${r.source}/*`)))];
  const help =
    level === "bucket"
      ? `add the bucket ${suggested.length === 1 ? "ARN" : "ARNs"} ${listed(suggested)} to Resource: bucket-level actions are checked against \`arn:aws:s3:::bucket\`, never its objects`
      : `add the objects ${listed(suggested)} (or a narrower prefix) to Resource: object-level actions are checked against \`arn:aws:s3:::bucket/key\``;
  return findingAt(statement.source.origin, "IAMC6001", "error", {
    message: `${names} ${verb} on ${level}s, but the statement names only ${other} (${listed(resources.map((r) => r.source))}), so ${actions.length === 1 ? "it" : "they"} never ${actions.length === 1 ? "matches" : "match"}`,
    help,
  });
}

/** The level an action pattern acts on, when all it can match is of one level. */
function actionLevel(action: Template): Level | undefined {
  const tokens = actionTokens(action, "narrow");
  // most actions are not S3's: one cheap look settles them
  if (!patternsIntersect(tokens, ANY_S3_ACTION)) return undefined;
  if (BUCKET_ACTIONS.some((family) => patternSubsumes(family, tokens))) return "bucket";
  if (OBJECT_ACTIONS.some((family) => patternSubsumes(family, tokens))) return "object";
  return undefined;
}

/** Which S3 ARNs a resource pattern may match (variables read as `*`). */
export function s3Reach(tokens: readonly PatternToken[]): S3Reach {
  if (tokens.every((t) => t.kind === "char")) {
    const text = tokens.map((t) => (t.kind === "char" ? t.char : "")).join("");
    const bucket = BUCKET_ARN.test(text);
    const object = OBJECT_ARN.test(text);
    return { s3: bucket || object, bucket, object };
  }
  const prefix = literalPrefix(tokens);
  const s3Prefix = S3_PREFIX.exec(prefix);
  if (s3Prefix !== null) {
    const rest = tokens.slice(s3Prefix[0].length);
    // a `/` written after `arn:...:s3:::` is in every match: no bucket ARN has one
    const slash = rest.some((t) => t.kind === "char" && t.char === "/");
    return { s3: true, bucket: !slash, object: true };
  }
  if (!patternsIntersect(tokens, ANY_S3_ARN)) return { s3: false, bucket: false, object: false };
  return { s3: true, bucket: true, object: patternsIntersect(tokens, ANY_S3_OBJECT) };
}

function literalPrefix(tokens: readonly PatternToken[]): string {
  let prefix = "";
  for (const token of tokens) {
    if (token.kind !== "char") break;
    prefix += token.char;
  }
  return prefix;
}

/** The bucket ARN of an object pattern: its text up to the first `/` written after `:::`. */
function bucketOf(resource: Template): string {
  let text = "";
  for (const part of resource.parts) {
    if (part.kind === "variable") {
      // a variable's name may hold a `/` (`${aws:PrincipalTag/team}`): it never ends the bucket
      text += part.fallback === undefined ? `\${${part.key}}` : `\${${part.key}, '${part.fallback}'}`;
      continue;
    }
    const whole = text + part.text;
    const arnEnd = whole.indexOf(":::");
    const slash = arnEnd < 0 ? -1 : whole.indexOf("/", Math.max(arnEnd + 3, text.length));
    if (slash >= 0) return whole.slice(0, slash);
    text = whole;
  }
  return text;
}
