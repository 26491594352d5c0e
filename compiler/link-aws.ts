// Cross references of an `aws` workspace: every policy and group named exists, ids are unique,
// each policy fits the places it is attached to, organizations are not too deep.
import type { Diagnostic, DiagnosticCode, Result } from "./diagnostics.js";
import type { AwsWorkspace, Origin, Policy } from "./ir.js";
import { decodePointer, encodePointer, pathToSpan, type JsonPath, type JsonSource, type SpanTarget } from "./json-source.js";
import type { BrokenIds } from "./manifest-aws.js";
import { didYouMean } from "./suggest.js";

/** AWS Organizations allows this many levels of SCPs (and of RCPs) above an account; iamc caps it here. */
export const MAX_ORGANIZATION_LEVELS = 12;

export interface LinkContext {
  /** Every parsed file by name, to locate what origins point at. */
  readonly sources: ReadonlyMap<string, JsonSource>;
  /** Ids of entries that failed earlier checks: references to them are not reported again. */
  readonly broken: BrokenIds;
}

/** Where a policy is attached, which decides whether its statements must (or must not) name principals. */
type Use = "identity" | "boundary" | "session" | "scp" | "resource" | "rcp";

const NEEDS_PRINCIPAL: ReadonlySet<Use> = new Set(["resource", "rcp"]);

const USE_WORDS: Record<Use, string> = {
  identity: "an identity policy",
  boundary: "a permissions boundary",
  session: "a session policy",
  scp: "an SCP",
  resource: "a resource policy",
  rcp: "an RCP",
};

/** Checks the references of a lowered workspace; returns it when all of them hold. */
export function linkAwsWorkspace(workspace: AwsWorkspace, ctx: LinkContext): Result<AwsWorkspace> {
  const diagnostics: Diagnostic[] = [];
  const report = (code: DiagnosticCode, origin: Origin | undefined, suffix: JsonPath, message: string, help?: string, target: SpanTarget = "value") => {
    diagnostics.push(located(ctx, code, origin, suffix, message, help, target));
  };

  // ids
  checkDuplicates("account", workspace.accounts, report, ctx);
  checkDuplicates("group", workspace.groups, report, ctx);
  checkDuplicates("principal", workspace.principals, report, ctx);
  checkDuplicates("resource", workspace.resources, report, ctx);

  // policy references, remembering how each policy is used
  const uses = new Map<string, Map<Use, string>>();
  // ids of policies that failed their own checks still exist: offer them too
  const policyIds = [...new Set([...workspace.policies.keys(), ...ctx.broken.policies])];
  const refer = (id: string, use: Use, holder: string, origin: Origin | undefined, suffix: JsonPath) => {
    if (workspace.policies.has(id)) {
      const byUse = uses.get(id) ?? new Map<Use, string>();
      if (!byUse.has(use)) byUse.set(use, holder);
      uses.set(id, byUse);
    } else if (!ctx.broken.policies.has(id)) {
      const suggestion = didYouMean(id, policyIds);
      report(
        "IAMC3001",
        origin,
        suffix,
        `unknown policy \`${id}\``,
        suggestion ?? `define it under \`policies\`${knownList(policyIds)}`,
      );
    }
  };

  for (const group of workspace.groups) {
    group.policies.forEach((id, j) => refer(id, "identity", `group \`${group.id}\``, group.origin, ["policies", j]));
  }
  const groupIds = [...new Set([...workspace.groups.map((group) => group.id), ...ctx.broken.groups])];
  const knownGroups = new Set(groupIds);
  for (const principal of workspace.principals) {
    const holder = `principal \`${principal.id}\``;
    principal.policies.forEach((id, j) => refer(id, "identity", holder, principal.origin, ["policies", j]));
    if (principal.boundary !== undefined) refer(principal.boundary, "boundary", holder, principal.origin, ["boundary"]);
    principal.sessionPolicies?.forEach((id, j) => refer(id, "session", holder, principal.origin, ["sessionPolicies", j]));
    principal.groups.forEach((id, j) => {
      if (knownGroups.has(id) || ctx.broken.groups.has(id)) return;
      const suggestion = didYouMean(id, groupIds);
      report("IAMC3003", principal.origin, ["groups", j], `unknown group \`${id}\``, suggestion ?? `define it under \`groups\`${knownList(groupIds)}`);
    });
  }
  for (const resource of workspace.resources) {
    if (resource.policy !== undefined) refer(resource.policy, "resource", `resource \`${resource.id}\``, resource.origin, ["policy"]);
  }
  for (const account of workspace.accounts) {
    const holder = `account \`${account.id}\``;
    for (const [field, use] of [["scps", "scp"], ["rcps", "rcp"]] as const) {
      const levels = account[field];
      if (levels.length > MAX_ORGANIZATION_LEVELS) {
        report(
          "IAMC3007",
          account.origin,
          [field],
          `account \`${account.id}\` has ${levels.length} levels of ${field}, more than ${MAX_ORGANIZATION_LEVELS}`,
          `merge levels: each inner list is one level of the organization, from the root down`,
        );
      }
      levels.forEach((level, l) => level.forEach((id, j) => refer(id, use, holder, account.origin, [field, l, j])));
    }
  }

  // each policy fits its places: resource policies and RCPs name principals, the others do not
  for (const [id, byUse] of uses) {
    const policy = workspace.policies.get(id)!;
    const needing = [...byUse.keys()].find((use) => NEEDS_PRINCIPAL.has(use));
    const refusing = [...byUse.keys()].find((use) => !NEEDS_PRINCIPAL.has(use));
    if (needing !== undefined) checkNamesPrincipals(policy, needing, byUse.get(needing)!, report);
    if (refusing !== undefined) checkNamesNoPrincipal(policy, refusing, byUse.get(refusing)!, report);
  }

  return { value: diagnostics.length === 0 ? workspace : undefined, diagnostics };
}

/** ` (defined: `a`, `b`, …)` for a help text, or nothing when there is none. */
function knownList(ids: readonly string[]): string {
  if (ids.length === 0) return "";
  const shown = ids.slice(0, 5).map((id) => `\`${id}\``).join(", ");
  return ` (defined: ${shown}${ids.length > 5 ? `, and ${ids.length - 5} more` : ""})`;
}

type Report = (code: DiagnosticCode, origin: Origin | undefined, suffix: JsonPath, message: string, help?: string, target?: SpanTarget) => void;

function checkNamesPrincipals(policy: Policy, use: Use, holder: string, report: Report): void {
  for (const statement of policy.statements) {
    if (statement.principals !== undefined) continue;
    report(
      "IAMC3005",
      statement.source.origin,
      [],
      `statement ${statement.source.index} of policy \`${policy.id}\` names no principal, but the policy is ${USE_WORDS[use]} of ${holder}`,
      '`Principal` says whom the statement is about: add `"Principal": {"AWS": "arn:aws:iam::111111111111:root"}`, or `"Principal": "*"`',
    );
  }
}

function checkNamesNoPrincipal(policy: Policy, use: Use, holder: string, report: Report): void {
  for (const statement of policy.statements) {
    if (statement.principals === undefined) continue;
    const field = statement.principals.negated ? "NotPrincipal" : "Principal";
    report(
      "IAMC3006",
      statement.source.origin,
      [field],
      `statement ${statement.source.index} of policy \`${policy.id}\` has \`${field}\`, but the policy is ${USE_WORDS[use]} of ${holder}`,
      `remove \`${field}\`: ${USE_WORDS[use]} applies to whoever holds it; \`${field}\` belongs in resource policies and RCPs`,
      "key",
    );
  }
}

function checkDuplicates(
  kind: string,
  entities: readonly { readonly id: string; readonly origin?: Origin }[],
  report: Report,
  ctx: LinkContext,
): void {
  const first = new Map<string, Origin | undefined>();
  for (const entity of entities) {
    if (!first.has(entity.id)) {
      first.set(entity.id, entity.origin);
      continue;
    }
    const where = describeLocation(first.get(entity.id), ["id"], ctx);
    report(
      "IAMC3002",
      entity.origin,
      ["id"],
      `duplicate ${kind} id \`${entity.id}\``,
      `${kind} \`${entity.id}\` is first defined ${where}; merge the two entries or remove one`,
    );
  }
}

/** `at FILE:LINE:COL` for a place inside an origin. */
export function describeLocation(origin: Origin | undefined, suffix: JsonPath, ctx: { readonly sources: ReadonlyMap<string, JsonSource> }): string {
  if (origin === undefined) return "earlier";
  const source = ctx.sources.get(origin.file);
  const path = [...decodePointer(origin.pointer), ...suffix];
  const span = (source === undefined ? undefined : pathToSpan(source, path)) ?? origin.span;
  return span === undefined ? `at ${origin.file}#${encodePointer(path)}` : `at ${origin.file}:${span.line}:${span.column}`;
}

function located(
  ctx: LinkContext,
  code: DiagnosticCode,
  origin: Origin | undefined,
  suffix: JsonPath,
  message: string,
  help: string | undefined,
  target: SpanTarget,
): Diagnostic {
  const base: Diagnostic = { code, severity: "error", message, ...(help === undefined ? {} : { help }) };
  if (origin === undefined) return base;
  const source = ctx.sources.get(origin.file);
  const path = [...decodePointer(origin.pointer), ...suffix];
  const span = source === undefined ? (suffix.length === 0 ? origin.span : undefined) : pathToSpan(source, path, target);
  return { ...base, file: origin.file, pointer: encodePointer(path), ...(span === undefined ? {} : { span }) };
}
