// A `krutrim` manifest, checked: each list entry on its own, so that one bad entry does not hide
// the errors of the others, and the good entries still go on to be linked.
import type { Diagnostic } from "../diagnostics.js";
import type { JsonSource } from "../json-source.js";
import { checkEntryList, checkPolicyEntries, type Checked, type Located, type PolicyEntry, type PolicyEntryDialect } from "../manifest-aws.js";
import { checkSchema } from "../schema/issues.js";
import {
  krutrimFilePolicyEntrySchema,
  krutrimGroupSchema,
  krutrimInlinePolicyEntryShellSchema,
  krutrimManifestShellSchema,
  krutrimRoleSchema,
  krutrimUserSchema,
  type KrutrimGroupEntry,
  type KrutrimRoleEntry,
  type KrutrimUserEntry,
} from "../schema/krutrim.js";

/** Ids named by entries that failed to check: references to them are not reported again. */
export interface KrutrimBrokenIds {
  readonly policies: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
}

/** The valid entries of a `krutrim` manifest. */
export interface KrutrimManifest {
  readonly model: "krutrim";
  readonly policies: readonly PolicyEntry[];
  readonly roles: readonly Located<KrutrimRoleEntry>[];
  readonly groups: readonly Located<KrutrimGroupEntry>[];
  readonly users: readonly Located<KrutrimUserEntry>[];
  readonly broken: KrutrimBrokenIds;
}

const KRUTRIM_POLICY_ENTRIES: PolicyEntryDialect = {
  fileEntrySchema: krutrimFilePolicyEntrySchema,
  inlineEntryShellSchema: krutrimInlinePolicyEntryShellSchema,
  nameKey: "name",
};

// krutrim attaches policies to roles only: a `policies` field on a user or group is the usual
// slip, and deserves more than "unknown field"
const POLICIES_ON_HOLDER = /^\/(users|groups)\/[0-9]+\/policies$/;
const ROLES_ONLY_HELP = "policies act only through roles: attach them to a role under `roles`, and give the role to the user or group";

/** Checks the entries of a `krutrim` manifest whose model was checked. */
export function checkKrutrimManifest(source: JsonSource, root: Record<string, unknown>): Checked<KrutrimManifest> {
  const diagnostics: Diagnostic[] = [...checkSchema(krutrimManifestShellSchema, source, [], { rootLabel: "the manifest" }).diagnostics];
  const broken = { policies: new Set<string>(), roles: new Set<string>(), groups: new Set<string>() };
  const manifest: KrutrimManifest = {
    model: "krutrim",
    policies: checkPolicyEntries(source, root, KRUTRIM_POLICY_ENTRIES, diagnostics, broken.policies),
    roles: checkEntryList(source, root, "roles", krutrimRoleSchema, diagnostics, broken.roles),
    groups: checkEntryList(source, root, "groups", krutrimGroupSchema, diagnostics, broken.groups),
    users: checkEntryList(source, root, "users", krutrimUserSchema, diagnostics),
    broken,
  };
  const explained = diagnostics.map((d) =>
    d.code === "IAMC2003" && d.pointer !== undefined && POLICIES_ON_HOLDER.test(d.pointer) ? { ...d, help: ROLES_ONLY_HELP } : d,
  );
  return { value: manifest, diagnostics: explained };
}
