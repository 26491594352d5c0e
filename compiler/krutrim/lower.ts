// Krutrim policy documents → IR policies. Each rule becomes one Statement: its service and
// operations become `service:Operation` action patterns, its resources resource patterns, with
// no conditions and no principals. Checks what the zod schema leaves out: the service name and
// a `*` among other operations.
import type { Diagnostic, DiagnosticCode, Result } from "../diagnostics.js";
import type { KrutrimGroup, KrutrimRole, KrutrimUser, Origin, Policy, Statement } from "../ir.js";
import { encodePointer, originAt, pathToSpan, type JsonPath, type JsonSource } from "../json-source.js";
import { checkSchema, valueAt } from "../schema/issues.js";
import {
  ALL_OPERATIONS,
  ALL_SERVICES,
  KRUTRIM_SERVICES,
  krutrimPolicyDocumentShellSchema,
  krutrimRuleSchema,
  type KrutrimGroupEntry,
  type KrutrimRoleEntry,
  type KrutrimUserEntry,
} from "../schema/krutrim.js";
import { suggest } from "../suggest.js";
import { plainTemplate } from "../template.js";
import { systemPolicyDocument, type SystemPolicy } from "./system-policies.js";

/** Where a policy document sits: its file and the path to it (`[]` for a file of its own). */
export interface KrutrimPolicyInput {
  readonly id: string;
  readonly source: JsonSource;
  readonly path: JsonPath;
}

/** A rule as lowering needs it (the checked JSON, or a system policy's rule). */
interface RuleValue {
  readonly service: string;
  readonly operations: readonly string[];
  readonly effect: "Allow" | "Deny";
  readonly resources?: readonly string[] | undefined;
}

const SERVICES: ReadonlySet<string> = new Set<string>([...KRUTRIM_SERVICES, ALL_SERVICES]);

/**
 * The console's names of the policy types (the seed's "Policy Type" list) and a few common
 * spellings, by their letters and digits lower-cased, with the service name iamc reads. Only
 * for help: the name a rule writes is the exact service name.
 */
const SERVICE_ALIASES: Readonly<Record<string, string>> = {
  securitygroup: "securityGroup", securitygroups: "securityGroup", sg: "securityGroup",
  virtualmachine: "vm", virtualmachines: "vm",
  krutrimcertificatemanager: "kcm", certificatemanager: "kcm", certmanager: "kcm", certificates: "kcm",
  krutrimblockstorage: "kbs", blockstorage: "kbs",
  krutrimobjectstorage: "kos", objectstorage: "kos",
  krutrimkubernetessystem: "kks", kubernetes: "kks", k8s: "kks",
  autoscalinggroups: "asg", autoscalinggroup: "asg", autoscaling: "asg",
  loadbalancers: "loadbalancer",
  krutrimaipods: "kpod", aipods: "kpod", kpods: "kpod",
  modelregistry: "modelRegistry",
  sshkey: "sshkeys", ssh: "sshkeys",
  finetune: "finetuning",
  databases: "dbaas",
  all: ALL_SERVICES, "*": ALL_SERVICES,
};

/** The help for a service name iamc does not know. */
export function unknownServiceHelp(service: string): string {
  const alias = SERVICE_ALIASES[service.toLowerCase().replace(/[^a-z0-9*]/g, "")];
  const match = alias ?? suggest(service, SERVICES);
  if (match === undefined) return `write one of ${KRUTRIM_SERVICES.map((s) => `\`${s}\``).join(", ")}, or \`${ALL_SERVICES}\` for every service`;
  if (match.toLowerCase() === service.toLowerCase()) return `did you mean \`${match}\`? service names are case-sensitive`;
  if (alias !== undefined) return `did you mean \`${match}\`? the policy type \`${service}\` is written \`${match}\``;
  return `did you mean \`${match}\`?`;
}

/** Collects diagnostics located in one file. */
function reporterFor(source: JsonSource) {
  const diagnostics: Diagnostic[] = [];
  return {
    diagnostics,
    error(code: DiagnosticCode, path: JsonPath, message: string, help: string) {
      const span = pathToSpan(source, path);
      diagnostics.push({ code, severity: "error", message, file: source.file, pointer: encodePointer(path), ...(span ? { span } : {}), help });
    },
  };
}

/**
 * Validates and lowers one Krutrim policy document. Rules are checked one by one, so every bad
 * rule is reported; the policy is returned only when all of them are good.
 */
export function lowerKrutrimPolicy(input: KrutrimPolicyInput): Result<Policy> {
  const { source, path } = input;
  const report = reporterFor(source);
  report.diagnostics.push(...checkSchema(krutrimPolicyDocumentShellSchema, source, path, { rootLabel: "the policy document" }).diagnostics);
  const raw = valueAt(source.value, path);
  const rules = isRecord(raw) && Array.isArray(raw.rules) ? raw.rules : [];
  const statements: Statement[] = [];
  rules.forEach((_, index) => {
    const rulePath = [...path, "rules", index];
    const checked = checkSchema(krutrimRuleSchema, source, rulePath, { rootLabel: "the rule" });
    report.diagnostics.push(...checked.diagnostics);
    const rule = checked.value;
    if (rule === undefined) return;
    let ok = true;
    if (!SERVICES.has(rule.service)) {
      ok = false;
      report.error("IAMC2004", [...rulePath, "service"], `unknown service \`${rule.service}\``, unknownServiceHelp(rule.service));
    }
    const star = rule.operations.indexOf(ALL_OPERATIONS);
    if (star >= 0 && rule.operations.length > 1) {
      ok = false;
      report.error(
        "IAMC2014",
        [...rulePath, "operations", star],
        "`*` stands beside other operations",
        '`*` already means all four operations: write `["*"]` alone, or list the operations without it',
      );
    }
    if (ok) statements.push(lowerRule(rule, input.id, index, originAt(source, rulePath)));
  });
  if (report.diagnostics.length > 0) return { value: undefined, diagnostics: report.diagnostics };
  return { value: { id: input.id, statements, origin: originAt(source, path) }, diagnostics: [] };
}

/**
 * A rule as a Statement: one action pattern per operation, `service:Operation` (`*:Operation`
 * for the service `All`, `service:*` for the operation `*`, `*` for both), and the resources as
 * written (default `*`), whose `*` and `?` are wildcards.
 */
function lowerRule(rule: RuleValue, policy: string, index: number, origin: Origin | undefined): Statement {
  const service = rule.service === ALL_SERVICES ? "*" : rule.service;
  const operations = rule.operations.includes(ALL_OPERATIONS) ? ["*"] : [...new Set(rule.operations)];
  const actions = service === "*" && operations[0] === "*" ? ["*"] : operations.map((operation) => `${service}:${operation}`);
  return {
    effect: rule.effect,
    actions: { negated: false, patterns: actions.map(plainTemplate) },
    resources: { negated: false, patterns: (rule.resources ?? ["*"]).map(plainTemplate) },
    conditions: [],
    source: { policy, index, ...(origin === undefined ? {} : { origin }) },
  };
}

/** A system-managed policy as IR: its one rule lowered like any other. It has no origin. */
export function lowerSystemPolicy(policy: SystemPolicy): Policy {
  const document = systemPolicyDocument(policy);
  return { id: policy.name, statements: document.rules.map((rule, index) => lowerRule(rule, policy.name, index, undefined)) };
}

// ---------------------------------------------------------------------------------------------
// Entities

/** A role entry as IR. */
export function lowerKrutrimRole(entry: KrutrimRoleEntry, origin: Origin): KrutrimRole {
  return { id: entry.id, policies: entry.policies, origin };
}

/** A group entry as IR. */
export function lowerKrutrimGroup(entry: KrutrimGroupEntry, origin: Origin): KrutrimGroup {
  return { id: entry.id, roles: entry.roles, origin };
}

/** A user entry as IR: no roles or groups written means none. */
export function lowerKrutrimUser(entry: KrutrimUserEntry, origin: Origin): KrutrimUser {
  return { id: entry.id, roles: entry.roles ?? [], groups: entry.groups ?? [], origin };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
