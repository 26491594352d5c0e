// The files of a `cloudalus` workspace → the IR: read and name the policies, lower them, lower
// principals, access keys, trusts and resources, and link every reference. Pure: the files were
// read by load-workspace.ts.
import { hasErrors, type Diagnostic, type DiagnosticCode, type Result } from "../diagnostics.js";
import type { CloudalusAccessKey, CloudalusPrincipal, CloudalusResource, CloudalusTrust, CloudalusWorkspace, Origin, Policy } from "../ir.js";
import { decodePointer, encodePointer, originAt, pathToSpan, type JsonPath, type JsonSource, type SpanTarget } from "../json-source.js";
import { describeLocation } from "../link-aws.js";
import { lowerPolicyCandidates, readWorkspacePolicies, type PolicyDialect, type WorkspaceInput } from "../policy-candidates.js";
import { CLOUDALUS_RESOURCE_TYPES, cloudalusInlinePolicyEntryShellSchema } from "../schema/cloudalus.js";
import { didYouMean } from "../suggest.js";
import {
  lowerCloudalusAccessKey,
  lowerCloudalusPolicy,
  lowerCloudalusPrincipal,
  lowerCloudalusResource,
  lowerCloudalusTrust,
  namesIdentities,
} from "./lower.js";
import type { CloudalusManifest } from "./manifest.js";

export type CloudalusWorkspaceInput = WorkspaceInput<CloudalusManifest>;

const CLOUDALUS_POLICIES: PolicyDialect = {
  model: "cloudalus",
  nameKeys: ["Id"],
  inlineEntryShellSchema: cloudalusInlinePolicyEntryShellSchema,
  caller: "buildCloudalusWorkspace",
};

/** Builds the workspace IR from the checked manifest and the policy files' text. */
export function buildCloudalusWorkspace(input: CloudalusWorkspaceInput): Result<CloudalusWorkspace> {
  const { manifestSource, manifest } = input;
  const { ctx, candidates } = readWorkspacePolicies(input, CLOUDALUS_POLICIES);
  const { diagnostics, broken, sources } = ctx;
  const policies = lowerPolicyCandidates(candidates, lowerCloudalusPolicy, ctx);

  const origin = (path: JsonPath) => originAt(manifestSource, path);
  const principals = manifest.principals.map((e) => lowerCloudalusPrincipal(e.value, origin(e.path)));
  const accessKeys = manifest.accessKeys.map((e) => lowerCloudalusAccessKey(e.value, origin(e.path)));
  const trusts = manifest.trusts.map((e) => lowerCloudalusTrust(e.value, origin(e.path)));
  const resources = manifest.resources.map((e) => lowerCloudalusResource(e.value, origin(e.path)));

  linkCloudalus({ policies, principals, accessKeys, trusts, resources }, { sources, manifest, brokenPolicies: broken, diagnostics });

  const workspace: CloudalusWorkspace = { model: "cloudalus", policies, principals, accessKeys, trusts, resources, sources: input.sources };
  // INVARIANT: a workspace is returned only when nothing was wrong: ids unique, every reference
  // resolved, trust policies name no identity, resource policies name identities only
  return { value: hasErrors(diagnostics) ? undefined : workspace, diagnostics };
}

interface LinkContext {
  readonly sources: ReadonlyMap<string, JsonSource>;
  readonly manifest: CloudalusManifest;
  readonly brokenPolicies: ReadonlySet<string>;
  readonly diagnostics: Diagnostic[];
}

interface Entities {
  readonly policies: ReadonlyMap<string, Policy>;
  readonly principals: readonly CloudalusPrincipal[];
  readonly accessKeys: readonly CloudalusAccessKey[];
  readonly trusts: readonly CloudalusTrust[];
  readonly resources: readonly CloudalusResource[];
}

/**
 * Checks ids and references: unique ids (an access key may not share a principal's id either);
 * an access key's identity is a listed programmatic principal; a trust's trustee is a listed
 * principal; every policy named exists and fits its use. Warns on a resource id of no known type.
 */
function linkCloudalus(entities: Entities, ctx: LinkContext): void {
  const report = (
    code: DiagnosticCode,
    origin: Origin | undefined,
    suffix: JsonPath,
    message: string,
    help: string,
    target: SpanTarget = "value",
    severity: Diagnostic["severity"] = "error",
  ) => {
    const path = origin === undefined ? suffix : [...decodePointer(origin.pointer), ...suffix];
    const source = origin === undefined ? undefined : ctx.sources.get(origin.file);
    const span = source === undefined ? undefined : pathToSpan(source, path, target);
    ctx.diagnostics.push({
      code,
      severity,
      message,
      ...(origin === undefined ? {} : { file: origin.file, pointer: encodePointer(path) }),
      ...(span === undefined ? {} : { span }),
      help,
    });
  };

  // 1. ids
  const lists = [
    ["principal", entities.principals],
    ["access key", entities.accessKeys],
    ["trust", entities.trusts],
    ["resource", entities.resources],
  ] as const;
  for (const [kind, list] of lists) {
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
  const principalById = new Map<string, CloudalusPrincipal>();
  for (const p of entities.principals) if (!principalById.has(p.id)) principalById.set(p.id, p);
  for (const key of entities.accessKeys) {
    const principal = principalById.get(key.id);
    if (principal === undefined) continue;
    const where = describeLocation(principal.origin, ["id"], ctx);
    report(
      "IAMC3002",
      key.origin,
      ["id"],
      `access key id \`${key.id}\` is also a principal's id`,
      `a request's \`principal\` must name one caller: the principal \`${key.id}\` is defined ${where}; give the key another id (such as \`ak/...\`)`,
    );
  }

  // 2. principals named by access keys and trusts
  const principalIds = [...new Set([...principalById.keys(), ...ctx.manifest.broken.principals])];
  const known = new Set(principalIds);
  const unknownPrincipal = (id: string, origin: Origin | undefined, field: string, role: string) =>
    report(
      "IAMC3010",
      origin,
      [field],
      `unknown principal \`${id}\``,
      didYouMean(id, principalIds) ?? `${role} must be listed under \`principals\`${knownList(principalIds)}`,
    );
  for (const key of entities.accessKeys) {
    if (!known.has(key.identity)) {
      unknownPrincipal(key.identity, key.origin, "identity", "an access key's identity");
      continue;
    }
    const principal = principalById.get(key.identity);
    if (principal !== undefined && principal.kind !== "programmatic") {
      report(
        "IAMC3011",
        key.origin,
        ["identity"],
        `access key \`${key.id}\` authenticates as \`${key.identity}\`, a ${principal.kind}, not a programmatic identity`,
        `access keys are credentials of programmatic identities: name a principal of kind \`programmatic\`, or make \`${key.identity}\` one`,
      );
    }
  }
  for (const trust of entities.trusts) {
    if (!known.has(trust.trustee)) unknownPrincipal(trust.trustee, trust.origin, "trustee", "a trust's trustee");
  }

  // 3. policies: they exist and fit their use
  const policyIds = [...new Set([...entities.policies.keys(), ...ctx.brokenPolicies])];
  const checkedAs = new Set<string>();
  const refer = (id: string, origin: Origin | undefined, use: "trust" | "resource", holder: string) => {
    const policy = entities.policies.get(id);
    if (policy === undefined) {
      if (ctx.brokenPolicies.has(id)) return;
      report("IAMC3001", origin, ["policy"], `unknown policy \`${id}\``, didYouMean(id, policyIds) ?? `define it under \`policies\`${knownList(policyIds)}`);
      return;
    }
    // each policy is checked once per use, against the first holder that uses it so
    const key = `${use}\u0000${id}`;
    if (checkedAs.has(key)) return;
    checkedAs.add(key);
    for (const statement of policy.statements) {
      const identities = namesIdentities(statement);
      if (use === "trust" && identities) {
        report(
          "IAMC3006",
          statement.source.origin,
          ["Identity"],
          `statement ${statement.source.index} of policy \`${policy.id}\` has \`Identity\`, but the policy is the trust policy of ${holder}`,
          "a trust policy says what the trustee may do: write `Resource` (the resources it may act on) in place of `Identity`; `Identity` belongs in resource policies",
          "key",
        );
      } else if (use === "resource" && !identities) {
        report(
          "IAMC3005",
          statement.source.origin,
          ["Resource"],
          `statement ${statement.source.index} of policy \`${policy.id}\` has \`Resource\`, but the policy is the resource policy of ${holder}`,
          "a resource policy speaks of its own resource and says whom it accepts: write `Identity` (an id, or `\"*\"` for every caller) in place of `Resource`",
          "key",
        );
      }
    }
  };
  for (const trust of entities.trusts) refer(trust.policy, trust.origin, "trust", `trust \`${trust.id}\``);
  for (const resource of entities.resources) if (resource.policy !== undefined) refer(resource.policy, resource.origin, "resource", `resource \`${resource.id}\``);

  // 4. resource types (a warning: Cloudalus may add types)
  for (const resource of entities.resources) {
    if (CLOUDALUS_RESOURCE_TYPES.some((prefix) => resource.id.startsWith(prefix) && resource.id.length > prefix.length)) continue;
    report(
      "IAMC3012",
      resource.origin,
      ["id"],
      `resource id \`${resource.id}\` is not of a Cloudalus resource type`,
      `Cloudalus resource ids are ${CLOUDALUS_RESOURCE_TYPES.map((p) => `\`${p}<id>\``).join(", ")}; iamc accepts this one as written, but check its spelling`,
      "value",
      "warning",
    );
  }
}

/** ` (defined: `a`, `b`, …)` for a help text, or nothing when there is none. */
function knownList(ids: readonly string[]): string {
  if (ids.length === 0) return "";
  const shown = ids.slice(0, 5).map((id) => `\`${id}\``).join(", ");
  return ` (defined: ${shown}${ids.length > 5 ? `, and ${ids.length - 5} more` : ""})`;
}
