// Cloudalus policy documents → IR policies. A statement with `Resource` (trust policy) becomes a
// Statement with actions and resources and no principals; one with `Identity` (resource policy)
// becomes a Statement with actions, the resource `*` (a resource policy speaks of the resource
// it is attached to) and principals: `{kind: "everyone"}` for `"*"`, `{kind: "principal", id}`
// otherwise. No conditions, no variables: every pattern is one `text` part. Checks what the zod
// schema leaves out: `Resource` xor `Identity`, action names, wildcards in identities.
import type { Diagnostic, DiagnosticCode, Result } from "../diagnostics.js";
import type { CloudalusAccessKey, CloudalusPrincipal, CloudalusResource, CloudalusTrust, Origin, Policy, PrincipalRef, Statement, Template } from "../ir.js";
import { encodePointer, originAt, pathToSpan, type JsonPath, type JsonSource, type SpanTarget } from "../json-source.js";
import {
  cloudalusPolicyDocumentShellSchema,
  cloudalusStatementSchema,
  type CloudalusAccessKeyEntry,
  type CloudalusPrincipalEntry,
  type CloudalusResourceEntry,
  type CloudalusStatement,
  type CloudalusTrustEntry,
} from "../schema/cloudalus.js";
import { checkSchema, valueAt } from "../schema/issues.js";
import { plainTemplate } from "../template.js";

/** Where a policy document sits: its file and the path to it (`[]` for a file of its own). */
export interface CloudalusPolicyInput {
  readonly id: string;
  readonly source: JsonSource;
  readonly path: JsonPath;
}

interface Reporter {
  readonly diagnostics: Diagnostic[];
  error(code: DiagnosticCode, path: JsonPath, message: string, help: string, target?: SpanTarget): void;
}

function reporterFor(source: JsonSource): Reporter {
  const diagnostics: Diagnostic[] = [];
  return {
    diagnostics,
    error(code, path, message, help, target = "value") {
      const span = pathToSpan(source, path, target);
      diagnostics.push({ code, severity: "error", message, file: source.file, pointer: encodePointer(path), ...(span ? { span } : {}), help });
    },
  };
}

/** Help for AWS statement fields Cloudalus does not have (IAMC2003 otherwise says only "not allowed"). */
const AWS_FIELD_HELP: Readonly<Record<string, string>> = {
  Principal: "Cloudalus resource policies name whom a statement is about under `Identity` (a string or a list, `\"*\"` for everyone)",
  NotPrincipal: "Cloudalus has no `NotPrincipal`: list the identities a statement is about under `Identity`",
  NotIdentity: "Cloudalus has no `NotIdentity`: list the identities a statement is about under `Identity`, and use a `Deny` statement to exclude some",
  NotAction: "Cloudalus has no `NotAction`: list the actions under `Action`",
  NotResource: "Cloudalus has no `NotResource`: list the resources under `Resource`",
  Condition: "Cloudalus statements have no conditions: a statement is an `Effect`, an `Action`, and `Resource` or `Identity`",
};

const ACTION = /^(?:\*|[A-Za-z0-9*?_-]+:[A-Za-z0-9*?_.-]+)$/;

/**
 * Validates and lowers one Cloudalus policy document. Statements are checked one by one, so
 * every bad statement is reported; the policy is returned only when all of them are good.
 */
export function lowerCloudalusPolicy(input: CloudalusPolicyInput): Result<Policy> {
  const { source, path } = input;
  const report = reporterFor(source);
  report.diagnostics.push(...checkSchema(cloudalusPolicyDocumentShellSchema, source, path, { rootLabel: "the policy document" }).diagnostics);
  const raw = valueAt(source.value, path);
  const rawStatements = isRecord(raw) ? raw.Statement : undefined;
  const located: JsonPath[] = Array.isArray(rawStatements)
    ? rawStatements.map((_, index) => [...path, "Statement", index])
    : isRecord(rawStatements)
      ? [[...path, "Statement"]]
      : [];
  const statements: Statement[] = [];
  located.forEach((statementPath, index) => {
    const statement = lowerStatementAt(statementPath, index, input.id, source, report);
    if (statement !== undefined) statements.push(statement);
  });
  if (report.diagnostics.length > 0) return { value: undefined, diagnostics: report.diagnostics };
  return { value: { id: input.id, statements, origin: originAt(source, path) }, diagnostics: [] };
}

function lowerStatementAt(path: JsonPath, index: number, policy: string, source: JsonSource, report: Reporter): Statement | undefined {
  const raw = valueAt(source.value, path);
  let ok = true;
  if (isRecord(raw)) {
    const hasResource = Object.hasOwn(raw, "Resource");
    const hasIdentity = Object.hasOwn(raw, "Identity");
    if (hasResource && hasIdentity) {
      ok = false;
      report.error(
        "IAMC2005",
        [...path, "Identity"],
        "a statement has both `Resource` and `Identity`",
        "keep one: a trust policy's statements name `Resource` (what the trustee may act on), a resource policy's statements name `Identity` (whom the resource accepts)",
        "key",
      );
    } else if (!hasResource && !hasIdentity && !Object.hasOwn(raw, "Principal")) {
      // (a `Principal` gets its own IAMC2003, whose help says to write `Identity`)
      ok = false;
      report.error(
        "IAMC2005",
        path,
        "a statement needs `Resource` or `Identity`",
        "add `\"Resource\": \"kvdb/orders\"` in a trust policy, or `\"Identity\": \"org/acme\"` (or `\"*\"`) in a resource policy",
      );
    }
  }
  const checked = checkSchema(cloudalusStatementSchema, source, path, { rootLabel: "the statement" });
  for (const d of checked.diagnostics) {
    const field = d.code === "IAMC2003" && d.pointer !== undefined ? d.pointer.slice(d.pointer.lastIndexOf("/") + 1) : undefined;
    const help = field === undefined ? undefined : AWS_FIELD_HELP[field];
    report.diagnostics.push(help === undefined ? d : { ...d, help });
  }
  if (checked.value === undefined || !ok) return undefined;
  return lowerStatement(checked.value, path, index, policy, source, report);
}

function lowerStatement(
  statement: CloudalusStatement,
  path: JsonPath,
  index: number,
  policy: string,
  source: JsonSource,
  report: Reporter,
): Statement | undefined {
  const before = report.diagnostics.length;
  const actions: Template[] = [];
  for (const item of eachValue(statement.Action, [...path, "Action"])) {
    if (ACTION.test(item.value)) actions.push(plainTemplate(item.value));
    else {
      report.error(
        "IAMC2011",
        item.path,
        `action \`${item.value}\` is not of the form \`service:Operation\``,
        item.value.includes(":")
          ? "an action is a service, `:` and an operation name, like `kvdb:Get`; wildcards `*` and `?` are allowed"
          : `write the service, like \`kvdb:${item.value || "Get"}\`, or \`*\` for every action`,
      );
    }
  }
  const refs: PrincipalRef[] = [];
  if (statement.Identity !== undefined) {
    for (const item of eachValue(statement.Identity, [...path, "Identity"])) {
      if (item.value === "*") refs.push({ kind: "everyone" });
      else if (item.value.includes("*") || item.value.includes("?")) {
        report.error(
          "IAMC2009",
          item.path,
          `identity \`${item.value}\` uses a wildcard`,
          "an identity is named exactly (`org/acme`, `pi/deployer`); `*` stands alone for every caller, the unauthenticated one too",
        );
      } else refs.push({ kind: "principal", id: item.value });
    }
  }
  if (report.diagnostics.length > before) return undefined;
  const origin = originAt(source, path);
  const common = {
    effect: statement.Effect,
    actions: { negated: false, patterns: actions },
    conditions: [],
    source: { policy, ...(statement.Sid === undefined ? {} : { sid: statement.Sid }), index, origin },
  };
  if (statement.Identity !== undefined) {
    return { ...common, resources: { negated: false, patterns: [plainTemplate("*")] }, principals: { negated: false, refs } };
  }
  return { ...common, resources: { negated: false, patterns: eachValue(statement.Resource!, []).map((item) => plainTemplate(item.value)) } };
}

/** A value written as a string or a list: each string with its path. */
function eachValue(value: string | readonly string[], path: JsonPath): { value: string; path: JsonPath }[] {
  return typeof value === "string" ? [{ value, path }] : value.map((item, index) => ({ value: item, path: [...path, index] }));
}

/** Whether a lowered statement belongs in a resource policy (it names identities). */
export const namesIdentities = (statement: Statement): boolean => statement.principals !== undefined;

// ---------------------------------------------------------------------------------------------
// Entities

export function lowerCloudalusPrincipal(entry: CloudalusPrincipalEntry, origin: Origin): CloudalusPrincipal {
  return { id: entry.id, kind: entry.kind, origin };
}

export function lowerCloudalusAccessKey(entry: CloudalusAccessKeyEntry, origin: Origin): CloudalusAccessKey {
  return { id: entry.id, identity: entry.identity, origin };
}

export function lowerCloudalusTrust(entry: CloudalusTrustEntry, origin: Origin): CloudalusTrust {
  return { id: entry.id, identity: entry.identity, trustee: entry.trustee, policy: entry.policy, origin };
}

/** A resource entry as IR: no owner or policy written means none. */
export function lowerCloudalusResource(entry: CloudalusResourceEntry, origin: Origin): CloudalusResource {
  return {
    id: entry.id,
    ...(entry.owner === undefined ? {} : { owner: entry.owner }),
    ...(entry.policy === undefined ? {} : { policy: entry.policy }),
    origin,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
