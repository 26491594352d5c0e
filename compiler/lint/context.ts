// What every lint rule reads: the workspace, its statements in order, who holds which policy, and
// helpers that turn a statement or a policy into a located finding.
import type { Diagnostic, DiagnosticCode, Severity } from "../diagnostics.js";
import type { Origin, Policy, Statement, Template, Workspace } from "../ir.js";
import { holdingsOf, type Holdings } from "./holdings.js";
import { patternTokens, type PatternToken, type VariableReading } from "./pattern-algebra.js";

/** A statement with the policy that holds it. */
export interface LintStatement {
  readonly statement: Statement;
  readonly policy: Policy;
  /** Position in the workspace: policies in manifest order, then statements in policy order. */
  readonly order: number;
}

export interface LintContext {
  readonly workspace: Workspace;
  readonly statements: readonly LintStatement[];
  readonly holdings: Holdings;
}

/** The context of a workspace. */
export function lintContextOf(workspace: Workspace): LintContext {
  const statements: LintStatement[] = [];
  for (const policy of workspace.policies.values()) {
    for (const statement of policy.statements) statements.push({ statement, policy, order: statements.length });
  }
  return { workspace, statements, holdings: holdingsOf(workspace) };
}

/** A finding's text: a one-line lowercase `message` and what to change. */
export interface FindingText {
  readonly message: string;
  readonly help: string;
}

/**
 * A finding located at `origin`, or undefined when there is no origin: krutrim's system-managed
 * policies are built in, and a finding the user cannot act on, at no place, is noise.
 */
export function findingAt(origin: Origin | undefined, code: DiagnosticCode, severity: Severity, text: FindingText): Diagnostic | undefined {
  if (origin === undefined) return undefined;
  return {
    code,
    severity,
    message: text.message,
    file: origin.file,
    pointer: origin.pointer,
    ...(origin.span === undefined ? {} : { span: origin.span }),
    help: text.help,
  };
}

/** Whether the user wrote the statement (it has a place in a file) and can change it. */
export const isWritten = (statement: Statement): boolean => statement.source.origin !== undefined;

/**
 * Whether the statement is in a resource policy (or an RCP): it names principals, and its
 * `Resource` (`*` in cloudalus, often in KMS key policies) speaks of the resource it is attached to.
 */
export const speaksOfItsResource = (statement: Statement): boolean => statement.principals !== undefined;

/** How messages name a statement: `Policy/Sid` or `Policy#index`, as explain does. */
export function statementLabel(statement: Statement): string {
  const { policy, sid, index } = statement.source;
  return sid === undefined ? `\`${policy}#${index}\`` : `\`${policy}/${sid}\``;
}

/** Where another statement is, said from `from`'s file: `line 12`, or `other.json:12` elsewhere. */
export function whereIs(statement: Statement, from: Statement): string {
  const origin = statement.source.origin;
  if (origin?.span === undefined) return "built in";
  if (origin.file === from.source.origin?.file) return `line ${origin.span.line}`;
  return `${baseName(origin.file)}:${origin.span.line}`;
}

const baseName = (file: string) => file.slice(Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\")) + 1);

/** Tokens of an action pattern (actions compare case-insensitively). */
export const actionTokens = (template: Template, variables: VariableReading = "widen"): readonly PatternToken[] =>
  cachedTokens(template, variables, true);

/** Tokens of a resource pattern (resources compare case-sensitively). */
export const resourceTokens = (template: Template, variables: VariableReading = "widen"): readonly PatternToken[] =>
  cachedTokens(template, variables, false);

// Rules compare every deny with every allow: tokenize each IR template once per reading. Keyed
// weakly on the (immutable) template, so the cache holds nothing once the workspace is gone.
const TOKENS = new WeakMap<Template, Map<string, readonly PatternToken[]>>();

function cachedTokens(template: Template, variables: VariableReading, ignoreCase: boolean): readonly PatternToken[] {
  let byReading = TOKENS.get(template);
  if (byReading === undefined) TOKENS.set(template, (byReading = new Map()));
  const key = `${variables}/${ignoreCase}`;
  let tokens = byReading.get(key);
  if (tokens === undefined) byReading.set(key, (tokens = patternTokens(template, { variables, ignoreCase })));
  return tokens;
}

/** `a`, `b` and `c` in backticks, at most `max` of them then `and N more`. */
export function listed(items: readonly string[], max = 3): string {
  const shown = items.slice(0, max).map((item) => `\`${item}\``);
  const more = items.length - shown.length;
  if (more > 0) return `${shown.join(", ")} and ${more} more`;
  if (shown.length <= 1) return shown.join("");
  return `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}
