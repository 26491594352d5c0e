// A `cloudalus` manifest, checked: each list entry on its own, so that one bad entry does not hide
// the errors of the others, and the good entries still go on to be linked.
import type { Diagnostic } from "../diagnostics.js";
import type { JsonSource } from "../json-source.js";
import { checkEntryList, checkPolicyEntries, type Checked, type Located, type PolicyEntry, type PolicyEntryDialect } from "../manifest-aws.js";
import {
  cloudalusAccessKeySchema,
  cloudalusFilePolicyEntrySchema,
  cloudalusInlinePolicyEntryShellSchema,
  cloudalusManifestShellSchema,
  cloudalusPrincipalSchema,
  cloudalusResourceSchema,
  cloudalusTrustSchema,
  type CloudalusAccessKeyEntry,
  type CloudalusPrincipalEntry,
  type CloudalusResourceEntry,
  type CloudalusTrustEntry,
} from "../schema/cloudalus.js";
import { checkSchema } from "../schema/issues.js";

/** Ids named by entries that failed to check: references to them are not reported again. */
export interface CloudalusBrokenIds {
  readonly policies: ReadonlySet<string>;
  readonly principals: ReadonlySet<string>;
}

/** The valid entries of a `cloudalus` manifest. */
export interface CloudalusManifest {
  readonly model: "cloudalus";
  readonly policies: readonly PolicyEntry[];
  readonly principals: readonly Located<CloudalusPrincipalEntry>[];
  readonly accessKeys: readonly Located<CloudalusAccessKeyEntry>[];
  readonly trusts: readonly Located<CloudalusTrustEntry>[];
  readonly resources: readonly Located<CloudalusResourceEntry>[];
  readonly broken: CloudalusBrokenIds;
}

const CLOUDALUS_POLICY_ENTRIES: PolicyEntryDialect = {
  fileEntrySchema: cloudalusFilePolicyEntrySchema,
  inlineEntryShellSchema: cloudalusInlinePolicyEntryShellSchema,
  nameKey: "Id",
};

// Cloudalus attaches policies to trusts and resources only, one each
const POLICIES_ON_ENTITY = /^\/(principals|accessKeys|trusts|resources)\/[0-9]+\/policies$/;
const ONE_POLICY_HELP = "a trust or a resource holds one policy, under `policy`; principals and access keys hold none: what they may do comes from trusts and resource policies";

/** Checks the entries of a `cloudalus` manifest whose model was checked. */
export function checkCloudalusManifest(source: JsonSource, root: Record<string, unknown>): Checked<CloudalusManifest> {
  const diagnostics: Diagnostic[] = [...checkSchema(cloudalusManifestShellSchema, source, [], { rootLabel: "the manifest" }).diagnostics];
  const broken = { policies: new Set<string>(), principals: new Set<string>() };
  const manifest: CloudalusManifest = {
    model: "cloudalus",
    policies: checkPolicyEntries(source, root, CLOUDALUS_POLICY_ENTRIES, diagnostics, broken.policies),
    principals: checkEntryList(source, root, "principals", cloudalusPrincipalSchema, diagnostics, broken.principals),
    accessKeys: checkEntryList(source, root, "accessKeys", cloudalusAccessKeySchema, diagnostics),
    trusts: checkEntryList(source, root, "trusts", cloudalusTrustSchema, diagnostics),
    resources: checkEntryList(source, root, "resources", cloudalusResourceSchema, diagnostics),
    broken,
  };
  const explained = diagnostics.map((d) =>
    d.code === "IAMC2003" && d.pointer !== undefined && POLICIES_ON_ENTITY.test(d.pointer) ? { ...d, help: ONE_POLICY_HELP } : d,
  );
  return { value: manifest, diagnostics: explained };
}
