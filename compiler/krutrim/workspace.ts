// The files of a `krutrim` workspace → the IR: read and name the custom policies, lower them,
// lower roles, groups and users, link every reference, and add the system-managed policies the
// roles attach. Pure: the files were read by load-workspace.ts.
import { hasErrors, type Diagnostic, type DiagnosticCode, type Result } from "../diagnostics.js";
import type { KrutrimWorkspace, Origin, Policy } from "../ir.js";
import { decodePointer, encodePointer, originAt, pathToSpan, type JsonPath, type JsonSource } from "../json-source.js";
import { describeLocation } from "../link-aws.js";
import { lowerPolicyCandidates, readWorkspacePolicies, type PolicyCandidate, type PolicyDialect, type WorkspaceInput } from "../policy-candidates.js";
import { krutrimInlinePolicyEntryShellSchema } from "../schema/krutrim.js";
import { didYouMean } from "../suggest.js";
import { lowerKrutrimGroup, lowerKrutrimPolicy, lowerKrutrimRole, lowerKrutrimUser, lowerSystemPolicy } from "./lower.js";
import type { KrutrimManifest } from "./manifest.js";
import { SYSTEM_POLICIES, SYSTEM_POLICY_BY_NAME } from "./system-policies.js";

export type KrutrimWorkspaceInput = WorkspaceInput<KrutrimManifest>;

const KRUTRIM_POLICIES: PolicyDialect = {
  model: "krutrim",
  nameKeys: ["name"],
  inlineEntryShellSchema: krutrimInlinePolicyEntryShellSchema,
  caller: "buildKrutrimWorkspace",
};

/** Builds the workspace IR from the checked manifest and the policy files' text. */
export function buildKrutrimWorkspace(input: KrutrimWorkspaceInput): Result<KrutrimWorkspace> {
  const { manifestSource, manifest } = input;
  // 1. custom policies: named, lowered, unique, and none under a system-managed policy's name
  const { ctx, candidates } = readWorkspacePolicies(input, KRUTRIM_POLICIES);
  const { diagnostics, broken, sources } = ctx;
  const custom = candidates.filter((candidate) => {
    if (!SYSTEM_POLICY_BY_NAME.has(candidate.id)) return true;
    diagnostics.push(...lowerKrutrimPolicy(candidate).diagnostics, redefinedSystemPolicy(candidate));
    return false;
  });
  const policies = lowerPolicyCandidates(custom, lowerKrutrimPolicy, ctx);

  // 2. entities
  const origin = (path: JsonPath) => originAt(manifestSource, path);
  const roles = manifest.roles.map((e) => lowerKrutrimRole(e.value, origin(e.path)));
  const groups = manifest.groups.map((e) => lowerKrutrimGroup(e.value, origin(e.path)));
  const users = manifest.users.map((e) => lowerKrutrimUser(e.value, origin(e.path)));

  // 3. references; every system-managed policy a role attaches joins the workspace's policies
  const attached = linkKrutrim({ policies, roles, groups, users }, { sources, manifest, brokenPolicies: broken, diagnostics });
  for (const system of SYSTEM_POLICIES) {
    if (attached.has(system.name)) policies.set(system.name, lowerSystemPolicy(system));
  }

  const workspace: KrutrimWorkspace = { model: "krutrim", policies, roles, groups, users, sources: input.sources };
  // INVARIANT: a workspace is returned only when nothing was wrong: ids unique, every policy a
  // role attaches and every role and group named is present (what ir.ts promises later stages)
  return { value: hasErrors(diagnostics) ? undefined : workspace, diagnostics };
}

function redefinedSystemPolicy(candidate: PolicyCandidate): Diagnostic {
  const at = candidate.idAt;
  const span = pathToSpan(at.source, at.path);
  const system = SYSTEM_POLICY_BY_NAME.get(candidate.id)!;
  return {
    code: "IAMC3008",
    severity: "error",
    message: `\`${candidate.id}\` is a system-managed policy and cannot be redefined`,
    file: at.source.file,
    pointer: encodePointer(at.path),
    ...(span ? { span } : {}),
    help: `system-managed policies are built in (\`${system.name}\`: ${system.description}); attach it to a role as it is, or give this policy another \`id\``,
  };
}

interface LinkContext {
  readonly sources: ReadonlyMap<string, JsonSource>;
  readonly manifest: KrutrimManifest;
  readonly brokenPolicies: ReadonlySet<string>;
  readonly diagnostics: Diagnostic[];
}

interface Entities {
  readonly policies: ReadonlyMap<string, Policy>;
  readonly roles: readonly { readonly id: string; readonly policies: readonly string[]; readonly origin?: Origin }[];
  readonly groups: readonly { readonly id: string; readonly roles: readonly string[]; readonly origin?: Origin }[];
  readonly users: readonly { readonly id: string; readonly roles: readonly string[]; readonly groups: readonly string[]; readonly origin?: Origin }[];
}

/**
 * Checks ids and references: unique role, group and user ids; every policy a role attaches is a
 * custom or system-managed one; every role and group named exists. Returns the names of the
 * system-managed policies attached.
 */
function linkKrutrim(entities: Entities, ctx: LinkContext): Set<string> {
  const report = (code: DiagnosticCode, origin: Origin | undefined, suffix: JsonPath, message: string, help: string) => {
    const path = origin === undefined ? suffix : [...decodePointer(origin.pointer), ...suffix];
    const source = origin === undefined ? undefined : ctx.sources.get(origin.file);
    const span = source === undefined ? undefined : pathToSpan(source, path);
    ctx.diagnostics.push({
      code,
      severity: "error",
      message,
      ...(origin === undefined ? {} : { file: origin.file, pointer: encodePointer(path) }),
      ...(span === undefined ? {} : { span }),
      help,
    });
  };

  for (const [kind, list] of [["role", entities.roles], ["group", entities.groups], ["user", entities.users]] as const) {
    const first = new Map<string, Origin | undefined>();
    for (const entity of list) {
      if (!first.has(entity.id)) {
        first.set(entity.id, entity.origin);
        continue;
      }
      const where = describeLocation(first.get(entity.id), ["id"], ctx);
      report("IAMC3002", entity.origin, ["id"], `duplicate ${kind} id \`${entity.id}\``, `${kind} \`${entity.id}\` is first defined ${where}; merge the two entries or remove one`);
    }
  }

  // policies: custom first, then system-managed, for suggestions
  const attached = new Set<string>();
  const customIds = [...new Set([...entities.policies.keys(), ...ctx.brokenPolicies])];
  const policyIds = [...customIds, ...SYSTEM_POLICY_BY_NAME.keys()];
  for (const role of entities.roles) {
    role.policies.forEach((id, j) => {
      if (entities.policies.has(id) || ctx.brokenPolicies.has(id)) return;
      if (SYSTEM_POLICY_BY_NAME.has(id)) {
        attached.add(id);
        return;
      }
      const suggestion = didYouMean(id, policyIds);
      report(
        "IAMC3001",
        role.origin,
        ["policies", j],
        `unknown policy \`${id}\``,
        suggestion ?? `define it under \`policies\`${knownList(customIds)}, or attach a system-managed policy such as \`KVMReadOnlyAccess\``,
      );
    });
  }

  const roleIds = [...new Set([...entities.roles.map((r) => r.id), ...ctx.manifest.broken.roles])];
  const knownRoles = new Set(roleIds);
  const referRole = (id: string, origin: Origin | undefined, suffix: JsonPath) => {
    if (knownRoles.has(id)) return;
    report("IAMC3009", origin, suffix, `unknown role \`${id}\``, didYouMean(id, roleIds) ?? `define it under \`roles\`${knownList(roleIds)}`);
  };
  for (const group of entities.groups) group.roles.forEach((id, j) => referRole(id, group.origin, ["roles", j]));

  const groupIds = [...new Set([...entities.groups.map((g) => g.id), ...ctx.manifest.broken.groups])];
  const knownGroups = new Set(groupIds);
  for (const user of entities.users) {
    user.roles.forEach((id, j) => referRole(id, user.origin, ["roles", j]));
    user.groups.forEach((id, j) => {
      if (knownGroups.has(id)) return;
      report("IAMC3003", user.origin, ["groups", j], `unknown group \`${id}\``, didYouMean(id, groupIds) ?? `define it under \`groups\`${knownList(groupIds)}`);
    });
  }
  return attached;
}

/** ` (defined: `a`, `b`, …)` for a help text, or nothing when there is none. */
function knownList(ids: readonly string[]): string {
  if (ids.length === 0) return "";
  const shown = ids.slice(0, 5).map((id) => `\`${id}\``).join(", ");
  return ` (defined: ${shown}${ids.length > 5 ? `, and ${ids.length - 5} more` : ""})`;
}
