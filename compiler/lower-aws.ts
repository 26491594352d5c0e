// AWS policy documents → IR policies. Checks what the zod schema cannot: Action xor NotAction,
// action names, principal forms, condition operators and values, policy variables.
import { checkConditionValue } from "./condition-values.js";
import type { Diagnostic, DiagnosticCode, Result } from "./diagnostics.js";
import {
  CONDITION_OPERATORS,
  type AwsAccount,
  type AwsGroup,
  type AwsPrincipal,
  type AwsResource,
  type Condition,
  type ConditionOperator,
  type Origin,
  type Policy,
  type PrincipalRef,
  type PrincipalSet,
  type SetQualifier,
  type Statement,
  type Template,
} from "./ir.js";
import { encodePointer, originAt, pathToSpan, rawTextAt, type JsonPath, type JsonSource, type SpanTarget } from "./json-source.js";
import {
  awsPolicyDocumentShellSchema,
  awsStatementSchema,
  type AwsAccountEntry,
  type AwsGroupEntry,
  type AwsPrincipalEntry,
  type AwsPrincipalValue,
  type AwsResourceEntry,
  type AwsStatement,
} from "./schema/aws.js";
import { checkSchema, valueAt } from "./schema/issues.js";
import { suggest } from "./suggest.js";
import { parseTemplate, plainTemplate } from "./template.js";

/** Where a policy document sits: its file and the path to it (`[]` for a file of its own). */
export interface PolicyInput {
  readonly id: string;
  readonly source: JsonSource;
  readonly path: JsonPath;
}

/** Collects diagnostics located in one file. */
interface Reporter {
  readonly diagnostics: Diagnostic[];
  error(code: DiagnosticCode, path: JsonPath, message: string, help?: string, target?: SpanTarget): void;
}

function reporterFor(source: JsonSource): Reporter {
  const diagnostics: Diagnostic[] = [];
  return {
    diagnostics,
    error(code, path, message, help, target = "value") {
      const span = pathToSpan(source, path, target);
      diagnostics.push({
        code,
        severity: "error",
        message,
        file: source.file,
        pointer: encodePointer(path),
        ...(span === undefined ? {} : { span }),
        ...(help === undefined ? {} : { help }),
      });
    },
  };
}

const VARIABLES_VERSION = "2012-10-17";

/**
 * Validates and lowers one AWS policy document. Statements are checked one by one, so every
 * bad statement is reported; the policy is returned only when all of them are good.
 */
export function lowerAwsPolicy(input: PolicyInput): Result<Policy> {
  const { source, path } = input;
  const report = reporterFor(source);
  const shell = checkSchema(awsPolicyDocumentShellSchema, source, path, { rootLabel: "the policy document" });
  report.diagnostics.push(...shell.diagnostics);

  const raw = valueAt(source.value, path);
  if (!isRecord(raw)) return { value: undefined, diagnostics: report.diagnostics };
  const version = typeof raw.Version === "string" ? raw.Version : undefined;
  const variables = version === VARIABLES_VERSION;

  const statements: Statement[] = [];
  const rawStatements = raw.Statement;
  const located: JsonPath[] = Array.isArray(rawStatements)
    ? rawStatements.map((_, index) => [...path, "Statement", index])
    : isRecord(rawStatements)
      ? [[...path, "Statement"]]
      : [];
  located.forEach((statementPath, index) => {
    const statement = lowerStatementAt(statementPath, index, { id: input.id, source, variables, report });
    if (statement !== undefined) statements.push(statement);
  });

  if (report.diagnostics.length > 0) return { value: undefined, diagnostics: report.diagnostics };
  const policy: Policy = {
    id: input.id,
    ...(version === undefined ? {} : { version }),
    statements,
    origin: originAt(source, path),
  };
  return { value: policy, diagnostics: [] };
}

interface StatementContext {
  readonly id: string;
  readonly source: JsonSource;
  readonly variables: boolean;
  readonly report: Reporter;
}

const PAIRS = [
  ["Action", "NotAction"],
  ["Resource", "NotResource"],
  ["Principal", "NotPrincipal"],
] as const;

/** IAMC2005 for pairs of fields of which a statement needs exactly one (or at most one). */
function checkPairs(raw: Record<string, unknown>, path: JsonPath, report: Reporter): boolean {
  let ok = true;
  for (const [positive, negative] of PAIRS) {
    const hasPositive = Object.hasOwn(raw, positive);
    const hasNegative = Object.hasOwn(raw, negative);
    if (hasPositive && hasNegative) {
      ok = false;
      report.error(
        "IAMC2005",
        [...path, negative],
        `a statement has both \`${positive}\` and \`${negative}\``,
        `keep one: \`${negative}\` means every ${positive.toLowerCase()} except those listed`,
        "key",
      );
    } else if (!hasPositive && !hasNegative && positive !== "Principal") {
      ok = false;
      report.error(
        "IAMC2005",
        path,
        `a statement needs \`${positive}\` or \`${negative}\``,
        positive === "Action" ? "add `\"Action\": \"service:Action\"` (or `\"*\"`)" : "add `\"Resource\": \"arn:...\"` (or `\"*\"`)",
      );
    }
  }
  return ok;
}

function lowerStatementAt(path: JsonPath, index: number, ctx: StatementContext): Statement | undefined {
  const { source, report } = ctx;
  const raw = valueAt(source.value, path);
  const pairsOk = isRecord(raw) ? checkPairs(raw, path, report) : true;
  const checked = checkSchema(awsStatementSchema, source, path, { rootLabel: "the statement" });
  report.diagnostics.push(...checked.diagnostics);
  if (checked.value === undefined || !pairsOk) return undefined;
  return lowerStatement(checked.value, path, index, ctx);
}

function lowerStatement(statement: AwsStatement, path: JsonPath, index: number, ctx: StatementContext): Statement | undefined {
  const before = ctx.report.diagnostics.length;
  const actionField = statement.Action !== undefined ? "Action" : "NotAction";
  const resourceField = statement.Resource !== undefined ? "Resource" : "NotResource";
  const actions = lowerActions(statement[actionField]!, [...path, actionField], ctx);
  const resources = lowerResources(statement[resourceField]!, [...path, resourceField], ctx);
  const principalField = statement.Principal !== undefined ? "Principal" : statement.NotPrincipal !== undefined ? "NotPrincipal" : undefined;
  const principals =
    principalField === undefined
      ? undefined
      : lowerPrincipals(statement[principalField]!, principalField === "NotPrincipal", [...path, principalField], ctx);
  const conditions = statement.Condition === undefined ? [] : lowerConditions(statement.Condition, [...path, "Condition"], ctx);
  if (ctx.report.diagnostics.length > before) return undefined;
  return {
    effect: statement.Effect,
    actions: { negated: actionField === "NotAction", patterns: actions },
    resources: { negated: resourceField === "NotResource", patterns: resources },
    ...(principals === undefined ? {} : { principals }),
    conditions,
    source: {
      policy: ctx.id,
      ...(statement.Sid === undefined ? {} : { sid: statement.Sid }),
      index,
      origin: originAt(ctx.source, path),
    },
  };
}

/** A value written as a string or a list: each string with its path. */
function eachValue<T>(value: T | readonly T[], path: JsonPath): { value: T; path: JsonPath }[] {
  return Array.isArray(value)
    ? (value as readonly T[]).map((item, index) => ({ value: item, path: [...path, index] }))
    : [{ value: value as T, path }];
}

// ---------------------------------------------------------------------------------------------
// Actions and resources

const ACTION = /^(?:\*|[A-Za-z0-9*?-]+:[A-Za-z0-9*?_.-]+)$/;

function lowerActions(value: string | readonly string[], path: JsonPath, ctx: StatementContext): Template[] {
  const patterns: Template[] = [];
  for (const item of eachValue(value, path)) {
    if (!ACTION.test(item.value)) {
      ctx.report.error(
        "IAMC2011",
        item.path,
        `action \`${item.value}\` is not of the form \`service:Action\``,
        item.value.includes(":") ? "an action is a service prefix, `:` and an action name, like `s3:GetObject`; wildcards `*` and `?` are allowed" : `write the service prefix, like \`s3:${item.value || "GetObject"}\`, or \`*\` for every action`,
      );
    } else patterns.push(plainTemplate(item.value));
  }
  return trimmed(patterns);
}

function lowerTemplate(text: string, path: JsonPath, ctx: StatementContext): Template | undefined {
  if (!ctx.variables) return plainTemplate(text);
  const result = parseTemplate(text);
  if (result.ok) return result.template;
  ctx.report.error("IAMC2008", path, result.message, result.help);
  return undefined;
}

function lowerResources(value: string | readonly string[], path: JsonPath, ctx: StatementContext): Template[] {
  const patterns: Template[] = [];
  for (const item of eachValue(value, path)) {
    const template = lowerTemplate(item.value, item.path, ctx);
    if (template !== undefined) patterns.push(template);
  }
  return trimmed(patterns);
}

/**
 * `list` in an array of its own length. An array grown by `push` keeps room for 16 more items
 * (~130 bytes): two per statement came to a fifth of a lowered workspace, which every full
 * collection during a compile marks again (a million statements: ~2.5 s each).
 */
function trimmed<T>(list: T[]): T[] {
  return list.slice();
}

// ---------------------------------------------------------------------------------------------
// Principals

const ACCOUNT_ID = /^[0-9]{12}$/;
const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::([0-9]{12}):root$/;

function lowerPrincipals(value: AwsPrincipalValue, negated: boolean, path: JsonPath, ctx: StatementContext): PrincipalSet {
  if (value === "*") return { negated, refs: [{ kind: "everyone" }] };
  const refs: PrincipalRef[] = [];
  const kinds = Object.entries(value).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined);
  if (kinds.length === 0) {
    ctx.report.error(
      "IAMC2001",
      path,
      `\`${String(path[path.length - 1])}\` names no principal`,
      "write `\"*\"` for everyone, or `{\"AWS\": \"arn:aws:iam::111111111111:root\"}`",
    );
  }
  for (const [kind, ids] of kinds) {
    for (const item of eachValue(ids, [...path, kind])) {
      const ref = lowerPrincipalRef(kind, item.value);
      if (ref !== undefined) refs.push(ref);
      else {
        ctx.report.error(
          "IAMC2009",
          item.path,
          `principal \`${item.value}\` uses a wildcard`,
          kind === "AWS" || item.value !== "*"
            ? "a principal is named exactly; `*` stands alone for everyone (`\"AWS\": \"*\"`), and a condition on `aws:PrincipalArn` with `ArnLike` matches patterns"
            : `\`*\` means everyone only as \`"Principal": "*"\` or \`{"AWS": "*"}\`, not under \`${kind}\``,
        );
      }
    }
  }
  return { negated, refs };
}

/** A principal entry as IR, or undefined when it uses a wildcard AWS does not allow there. */
function lowerPrincipalRef(kind: string, id: string): PrincipalRef | undefined {
  if (kind === "AWS") {
    if (id === "*") return { kind: "everyone" };
    if (ACCOUNT_ID.test(id)) return { kind: "account", account: id };
    const root = ACCOUNT_ROOT.exec(id);
    if (root !== null) return { kind: "account", account: root[1]! };
  }
  if (id.includes("*") || id.includes("?")) return undefined;
  return { kind: "principal", id };
}

// ---------------------------------------------------------------------------------------------
// Conditions

const OPERATORS: ReadonlySet<string> = new Set(CONDITION_OPERATORS);
const QUALIFIERS = ["ForAnyValue", "ForAllValues"] as const;
const IF_EXISTS = "IfExists";

/** The parts of a condition operator as written, e.g. `ForAllValues:StringLikeIfExists`. */
export interface ParsedOperator {
  readonly operator: ConditionOperator;
  readonly qualifier: SetQualifier;
  readonly ifExists: boolean;
}

/** Reads an operator key; on failure, the closest valid spelling (if any). */
export function parseConditionOperator(written: string): { ok: true; value: ParsedOperator } | { ok: false; suggestion?: string } {
  const colon = written.indexOf(":");
  const prefix = colon === -1 ? undefined : written.slice(0, colon);
  const rest = colon === -1 ? written : written.slice(colon + 1);
  const qualifier = QUALIFIERS.find((q) => q === prefix);
  const ifExists = rest.endsWith(IF_EXISTS) && rest !== IF_EXISTS;
  const base = ifExists ? rest.slice(0, -IF_EXISTS.length) : rest;
  const baseOk = OPERATORS.has(base);
  if ((prefix === undefined || qualifier !== undefined) && baseOk) {
    // `NullIfExists` says nothing more than `Null`: a missing key is exactly what Null tests
    const operator = base as ConditionOperator;
    return { ok: true, value: { operator, qualifier: qualifier ?? "none", ifExists: ifExists && operator !== "Null" } };
  }
  const fixedPrefix = prefix === undefined || qualifier !== undefined ? prefix : suggest(prefix, QUALIFIERS);
  const fixedRest = baseOk ? rest : suggest(rest, [...CONDITION_OPERATORS, ...CONDITION_OPERATORS.map((op) => `${op}${IF_EXISTS}`)]);
  if ((prefix !== undefined && fixedPrefix === undefined) || fixedRest === undefined) return { ok: false };
  return { ok: false, suggestion: fixedPrefix === undefined ? fixedRest : `${fixedPrefix}:${fixedRest}` };
}

const TEMPLATED = /^(String|Arn)/;

const VALUE_HELP: Partial<Record<string, string>> = {
  Numeric: "numeric operators take decimal numbers like `10`, `-1` or `2.50`",
  Date: "date operators take ISO 8601 (`2024-03-15`, `2024-03-15T10:00:00Z`) or epoch seconds",
  Bool: "`Bool` takes `true` or `false`",
  Null: "`Null` takes `true` (the key is absent) or `false` (the key is present)",
  IpAddress: "IP operators take a CIDR like `10.0.0.0/8` or `2001:db8::/32`, or a single address",
  NotIpAddress: "IP operators take a CIDR like `10.0.0.0/8` or `2001:db8::/32`, or a single address",
  BinaryEquals: "`BinaryEquals` takes standard base64, like `aGVsbG8=`",
};

const valueHelp = (operator: ConditionOperator): string | undefined =>
  VALUE_HELP[operator] ?? VALUE_HELP[/^(Numeric|Date)/.exec(operator)?.[1] ?? ""];

function lowerConditions(
  block: Record<string, Record<string, string | number | boolean | (string | number | boolean)[]>>,
  path: JsonPath,
  ctx: StatementContext,
): Condition[] {
  const conditions: Condition[] = [];
  for (const [written, keys] of Object.entries(block)) {
    const operatorPath = [...path, written];
    const parsed = parseConditionOperator(written);
    if (!parsed.ok) {
      ctx.report.error(
        "IAMC2006",
        operatorPath,
        `unknown condition operator \`${written}\``,
        parsed.suggestion === undefined
          ? "use an operator such as `StringEquals`, `StringLike`, `NumericLessThan`, `DateGreaterThan`, `Bool`, `IpAddress`, `ArnLike` or `Null`, optionally prefixed with `ForAnyValue:`/`ForAllValues:` and suffixed with `IfExists`"
          : `did you mean \`${parsed.suggestion}\`? (operator names are case-sensitive)`,
        "key",
      );
      continue;
    }
    const { operator, qualifier, ifExists } = parsed.value;
    const templated = ctx.variables && TEMPLATED.test(operator);
    for (const [key, value] of Object.entries(keys)) {
      const keyPath = [...operatorPath, key];
      const items = eachValue(value, keyPath);
      if (items.length === 0) {
        ctx.report.error("IAMC2007", keyPath, `condition \`${written}\` on \`${key}\` has no values`, "list at least one value");
        continue;
      }
      const values: Template[] = [];
      for (const item of items) {
        const text = conditionText(item.value, item.path, ctx.source);
        const problem = checkConditionValue(operator, text);
        if (problem !== undefined) {
          ctx.report.error("IAMC2007", item.path, problem, valueHelp(operator));
          continue;
        }
        const template = templated ? lowerTemplate(text, item.path, ctx) : plainTemplate(text);
        if (template !== undefined) values.push(template);
      }
      conditions.push({ operator, qualifier, ifExists, key, values, origin: originAt(ctx.source, keyPath, "property") });
    }
  }
  return conditions;
}

/** A condition value as text: strings as they are, numbers as written, booleans as `true`/`false`. */
function conditionText(value: string | number | boolean, path: JsonPath, source: JsonSource): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return rawTextAt(source, path) ?? String(value);
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Entities

/** An account entry as IR. */
export function lowerAwsAccount(entry: AwsAccountEntry, origin: Origin): AwsAccount {
  return { id: entry.id, scps: entry.scps ?? [], rcps: entry.rcps ?? [], origin };
}

/** A group entry as IR. */
export function lowerAwsGroup(entry: AwsGroupEntry, origin: Origin): AwsGroup {
  return { id: entry.id, ...(entry.account === undefined ? {} : { account: entry.account }), policies: entry.policies, origin };
}

/** A principal entry as IR; `sessionPolicies` stays absent when not written (no session). */
export function lowerAwsPrincipal(entry: AwsPrincipalEntry, origin: Origin): AwsPrincipal {
  return {
    id: entry.id,
    ...(entry.account === undefined ? {} : { account: entry.account }),
    policies: entry.policies ?? [],
    groups: entry.groups ?? [],
    ...(entry.boundary === undefined ? {} : { boundary: entry.boundary }),
    ...(entry.sessionPolicies === undefined ? {} : { sessionPolicies: entry.sessionPolicies }),
    tags: entry.tags ?? {},
    origin,
  };
}

/** A resource entry as IR. */
export function lowerAwsResource(entry: AwsResourceEntry, origin: Origin): AwsResource {
  return {
    id: entry.id,
    ...(entry.account === undefined ? {} : { account: entry.account }),
    ...(entry.policy === undefined ? {} : { policy: entry.policy }),
    origin,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
