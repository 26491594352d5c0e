// The one contract between front ends (JSON, DSL) and the back end (reference evaluator,
// decision-table builder). Types only. Every front end lowers to these shapes; every later
// stage reads only these shapes.
//
// INVARIANT: an IR value is fully validated. Later stages may rely on: operators known, condition
// values well-formed for their operator, every policy reference resolved, ids unique.

/** A position in a source file. Offsets are half-open, lines and columns start at 1. */
export interface Span {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly endOffset: number;
}

/** Where a node came from: the file, a JSON pointer into it, and the text span when known. */
export interface Origin {
  readonly file: string;
  readonly pointer: string;
  readonly span?: Span;
}

export type Effect = "Allow" | "Deny";
export type Decision = "Allow" | "ExplicitDeny" | "ImplicitDeny";

// ---------------------------------------------------------------------------------------------
// Text with wildcards and policy variables

/**
 * One piece of a pattern or condition value.
 * - `text`: written text; in a matching context (Action, Resource, `*Like`) `*` and `?` are wildcards.
 * - `literal`: text whose `*`, `?` never act as wildcards (the escapes `${*}`, `${?}`, `${$}`,
 *   and values substituted for variables).
 * - `variable`: a policy variable `${key}` or `${key, 'fallback'}`, resolved per principal at
 *   compile time or from the request at run time.
 */
export type TemplatePart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "variable"; readonly key: string; readonly fallback?: string };

/** A pattern or value as parts, with the text as written (for messages and explain). */
export interface Template {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
}

/** `Action` / `NotAction`, `Resource` / `NotResource`: a list of patterns, possibly negated. */
export interface PatternSet {
  readonly negated: boolean;
  readonly patterns: readonly Template[];
}

// ---------------------------------------------------------------------------------------------
// Principals named by resource policies

/**
 * An entry of `Principal` / `NotPrincipal`.
 * - `everyone`: `"*"` or `{"AWS": "*"}`: every caller, authenticated or not.
 * - `account`: `"123456789012"` or `arn:aws:iam::123456789012:root`: the account, which then
 *   delegates to its identity policies (a grant to an account root only delegates).
 * - `principal`: an exact principal id: a user or role ARN, a service name, a federated id.
 */
export type PrincipalRef =
  | { readonly kind: "everyone" }
  | { readonly kind: "account"; readonly account: string }
  | { readonly kind: "principal"; readonly id: string };

export interface PrincipalSet {
  readonly negated: boolean;
  readonly refs: readonly PrincipalRef[];
}

// ---------------------------------------------------------------------------------------------
// Conditions

export const CONDITION_OPERATORS = [
  "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
  "StringLike", "StringNotLike",
  "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
  "NumericGreaterThan", "NumericGreaterThanEquals",
  "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
  "DateGreaterThan", "DateGreaterThanEquals",
  "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
  "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
  "Null",
] as const;

/** A condition operator without its `IfExists` suffix or set qualifier. */
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** `ForAnyValue:` / `ForAllValues:` prefix, or none. */
export type SetQualifier = "none" | "ForAnyValue" | "ForAllValues";

/**
 * One (operator, key) pair of a `Condition` block. A statement's conditions all must hold (AND);
 * within one, the values are alternatives (OR, and for negated operators NOR).
 */
export interface Condition {
  readonly operator: ConditionOperator;
  readonly qualifier: SetQualifier;
  readonly ifExists: boolean;
  /** The key as written. Keys compare case-insensitively. */
  readonly key: string;
  /** Scalar values as text (`true`, `42` are given as strings). Variables only matter for String and Arn operators. */
  readonly values: readonly Template[];
  readonly origin?: Origin;
}

// ---------------------------------------------------------------------------------------------
// Statements and policies

export interface StatementSource {
  /** Id of the policy the statement is in. */
  readonly policy: string;
  readonly sid?: string;
  /** 0-based position of the statement in its policy. */
  readonly index: number;
  readonly origin?: Origin;
}

export interface Statement {
  readonly effect: Effect;
  readonly actions: PatternSet;
  readonly resources: PatternSet;
  /** Present only in resource policies (and RCPs): who the statement is about. */
  readonly principals?: PrincipalSet;
  readonly conditions: readonly Condition[];
  readonly source: StatementSource;
}

export interface Policy {
  readonly id: string;
  /** `2012-10-17` enables policy variables; `2008-10-17` (or none) keeps `${...}` literal. */
  readonly version?: string;
  readonly statements: readonly Statement[];
  readonly origin?: Origin;
}

// ---------------------------------------------------------------------------------------------
// Workspace: model `aws`

export interface AwsAccount {
  readonly id: string;
  /** Each inner list is one organization level; every level must allow. */
  readonly scps: readonly (readonly string[])[];
  readonly rcps: readonly (readonly string[])[];
  readonly origin?: Origin;
}

export interface AwsGroup {
  readonly id: string;
  readonly account?: string;
  readonly policies: readonly string[];
  readonly origin?: Origin;
}

export interface AwsPrincipal {
  readonly id: string;
  readonly account?: string;
  readonly policies: readonly string[];
  readonly groups: readonly string[];
  readonly boundary?: string;
  /** Present (even empty) means the principal acts in a session limited by these policies. */
  readonly sessionPolicies?: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly origin?: Origin;
}

export interface AwsResource {
  readonly id: string;
  readonly account?: string;
  readonly policy?: string;
  readonly origin?: Origin;
}

export interface AwsWorkspace {
  readonly model: "aws";
  /** Policies by id, in manifest order. */
  readonly policies: ReadonlyMap<string, Policy>;
  readonly accounts: readonly AwsAccount[];
  readonly groups: readonly AwsGroup[];
  readonly principals: readonly AwsPrincipal[];
  readonly resources: readonly AwsResource[];
  /** Digests of the source files, for the bundle manifest. */
  readonly sources: readonly SourceDigest[];
}

export interface SourceDigest {
  readonly file: string;
  readonly sha256: string;
}

// ---------------------------------------------------------------------------------------------
// Workspace: model `krutrim`
//
// A Krutrim policy's rules lower to Statements: `service:Operation` action templates (`*` for the
// service `All`, `service:*` for the operation `*`), resource templates (default `*`), no
// conditions, no principals; `source.index` is the rule's position. Policies act only through
// roles; a user holds its own roles and its groups' roles.

export interface KrutrimRole {
  readonly id: string;
  /** Policy ids (custom or system-managed), all present in `policies`. */
  readonly policies: readonly string[];
  readonly origin?: Origin;
}

export interface KrutrimGroup {
  readonly id: string;
  /** Role ids, all present in `roles`. */
  readonly roles: readonly string[];
  readonly origin?: Origin;
}

export interface KrutrimUser {
  readonly id: string;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly origin?: Origin;
}

export interface KrutrimWorkspace {
  readonly model: "krutrim";
  /** The workspace's own policies, then every system-managed policy a role attaches. */
  readonly policies: ReadonlyMap<string, Policy>;
  readonly roles: readonly KrutrimRole[];
  readonly groups: readonly KrutrimGroup[];
  readonly users: readonly KrutrimUser[];
  readonly sources: readonly SourceDigest[];
}

// ---------------------------------------------------------------------------------------------
// Workspace: model `cloudalus`
//
// Trust policies lower to Statements with actions and resources (no principals). Resource
// policies lower to Statements whose `principals` name the identities they accept (refs of kind
// `principal`, or `everyone` for `"*"`, which matches the unauthenticated caller too) and whose
// `resources` are `*`: a resource policy speaks of the resource it is attached to.

export interface CloudalusPrincipal {
  readonly id: string;
  readonly kind: "user" | "programmatic";
  readonly origin?: Origin;
}

export interface CloudalusAccessKey {
  readonly id: string;
  /** The programmatic principal the key authenticates as. */
  readonly identity: string;
  readonly origin?: Origin;
}

export interface CloudalusTrust {
  readonly id: string;
  /** The identity the trustee may adopt (a principal, an organisation, ...). */
  readonly identity: string;
  /** The principal that may adopt it. */
  readonly trustee: string;
  /** The trust policy: what the trustee may do when acting via this trust. */
  readonly policy: string;
  readonly origin?: Origin;
}

export interface CloudalusResource {
  readonly id: string;
  /** The identity that owns it: the owner passes the resource check. */
  readonly owner?: string;
  readonly policy?: string;
  readonly origin?: Origin;
}

export interface CloudalusWorkspace {
  readonly model: "cloudalus";
  readonly policies: ReadonlyMap<string, Policy>;
  readonly principals: readonly CloudalusPrincipal[];
  readonly accessKeys: readonly CloudalusAccessKey[];
  readonly trusts: readonly CloudalusTrust[];
  readonly resources: readonly CloudalusResource[];
  readonly sources: readonly SourceDigest[];
}

/** Every model's workspace, keyed on `model`. */
export type Workspace = AwsWorkspace | KrutrimWorkspace | CloudalusWorkspace;

// ---------------------------------------------------------------------------------------------
// Requests

export type ContextScalar = string | number | boolean;
export type ContextValue = ContextScalar | readonly ContextScalar[];

export interface Request {
  readonly principal: string | null;
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, ContextValue>>;
  /** cloudalus: the identity the caller adopts (default: the caller itself). */
  readonly identity?: string;
  /** cloudalus: the ids of the trusts the caller relies on (default: every trust from that identity to the caller). */
  readonly via?: readonly string[];
}

/** Which evaluation layer a statement belongs to. */
export type Layer =
  | { readonly kind: "identity" }
  | { readonly kind: "resource" }
  | { readonly kind: "boundary" }
  | { readonly kind: "session" }
  | { readonly kind: "scp"; readonly level: number }
  | { readonly kind: "rcp"; readonly level: number };

/** A layer as one word, for explain output and the bundle: `identity`, `scp[0]`, ... */
export type LayerName = string;
