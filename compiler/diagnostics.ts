// One diagnostic shape for every stage. Stages collect diagnostics and return them as data;
// only a broken invariant throws.
import type { Span } from "./ir.js";

export type Severity = "error" | "warning";

/** A problem found in the input, located by span (line:col) and/or JSON pointer. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  /** One line, lowercase, no final period; user input in backticks. */
  readonly message: string;
  readonly file?: string;
  /** JSON pointer into `file`, e.g. `/policies/0/document/Statement/1/Effect`. */
  readonly pointer?: string;
  readonly span?: Span;
  /** What to change. */
  readonly help?: string;
}

/**
 * Every code iamc emits, with its one-line meaning. Codes are never reused.
 * Bands: 1xxx lexing/parsing, 2xxx schema, 3xxx semantics, 4xxx table/bundle writing,
 * 5xxx bundle reading and runtime (those live in runtime/errors.ts, which cannot import this).
 */
export const DIAGNOSTIC_CODES = {
  IAMC1001: "the file is not valid JSON",
  IAMC1002: "a file could not be read",
  IAMC1003: "a glob matched no file",
  IAMC1004: "unsupported policy file type",
  IAMC1005: "a key is written twice in one JSON object",
  IAMC1006: "a file is larger than iamc reads (256 MiB, or IAMC_MAX_FILE_BYTES)",
  IAMC1007: "a JSON value is nested deeper than iamc reads (64 levels)",
  IAMC1101: "a `.iam` file holds a character the DSL does not use",
  IAMC1102: "a `.iam` file has a syntax error (something else was expected)",
  IAMC1103: "a quoted string in a `.iam` file is unterminated or has a bad escape",
  IAMC1104: "a `.iam` policy file declares something other than policies (a model, entities, file includes)",
  IAMC1105: "a field, clause or declaration is written twice in a `.iam` file",
  IAMC1106: "a value has no DSL form, so it cannot be written as `.iam`",
  IAMC1107: "a `.iam` file cannot be written as one JSON policy document",
  IAMC1108: "`statement` (a policy's only statement, as an object) stands in a policy with several statements",
  IAMC1109: "`iamc fmt` or `iamc convert` could not write its output file",
  IAMC1110: "a `.iam` value is nested deeper than iamc reads (64 levels)",
  IAMC2001: "a value has the wrong type or shape",
  IAMC2002: "a required field is missing",
  IAMC2003: "a field is not allowed here",
  IAMC2004: "a value is not one of the allowed values",
  IAMC2005: "a statement has both or neither of a pair of fields (Action/NotAction, Resource/NotResource, Principal/NotPrincipal)",
  IAMC2006: "unknown condition operator",
  IAMC2007: "a condition value is not valid for its operator",
  IAMC2008: "unknown or malformed policy variable",
  IAMC2009: "a principal pattern uses a wildcard other than a lone `*`",
  IAMC2010: "unknown model",
  IAMC2011: "an action is not of the form `service:Action` or `*`",
  IAMC2012: "the model is known but its front end is not implemented yet",
  IAMC2013: "a policy entry has both `document` and `file`",
  IAMC2014: "a krutrim rule lists `*` beside other operations",
  IAMC2015: "two policy tests in one test file have the same name",
  IAMC2016: "a policy test's `expect` is not a decision (`Allow`, `Deny`, `ExplicitDeny`, `ImplicitDeny`)",
  IAMC2017: "a policy test file holds no test",
  IAMC2018: "`__proto__` is used as a key (refused: JavaScript objects would drop it)",
  IAMC3001: "reference to a policy that does not exist",
  IAMC3002: "duplicate id",
  IAMC3003: "reference to a group that does not exist",
  IAMC3005: "a resource policy names no principal (it lacks Principal/NotPrincipal)",
  IAMC3006: "an identity policy names a principal (Principal belongs in resource policies)",
  IAMC3007: "too many organization levels",
  IAMC3008: "a workspace defines a policy under a system-managed policy's name (krutrim)",
  IAMC3009: "reference to a role that does not exist",
  IAMC3010: "reference to a principal that does not exist (cloudalus: an access key's identity, a trust's trustee)",
  IAMC3011: "an access key's identity is a user, not a programmatic principal (cloudalus)",
  IAMC3012: "a resource id is not of a known resource type (cloudalus; a warning)",
  IAMC4001: "the resource or action automaton grew past its size limit",
  IAMC4002: "the bundle could not be written",
  IAMC4003: "the signing key cannot be read or is not an ed25519 private key",
  IAMC6001: "an S3 action is paired only with resources of the other level (bucket-level action on object ARNs, or object-level action on bucket ARNs), so it never matches",
  IAMC6002: "a deny can never match anything the workspace allows (wrong scope), so it blocks nothing",
  IAMC6003: "an allow on every action and/or every resource (an error when both: full admin)",
  IAMC6004: "an allow with NotAction or NotResource grants everything else, including actions added later",
  IAMC6005: "an allow uses `ForAllValues:`, which is true when the key is absent or empty",
  IAMC6006: "an allow can never take effect: an unconditional deny held by everyone who holds it covers it",
  IAMC6007: "a statement duplicates an earlier one held by the same principal",
  IAMC6008: "a policy is attached to nobody",
  IAMC6009: "a resource ARN has a wildcard in its service segment",
  IAMC6010: "a resource policy allows every caller, the unauthenticated one included, with no condition",
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** A stage's outcome: the value when there were no errors, and every diagnostic either way. */
export interface Result<T> {
  readonly value: T | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === "error");

/** An internal error: a broken invariant, never a user mistake. */
export class InternalError extends Error {
  override name = "InternalError";
}
