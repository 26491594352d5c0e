// The krutrim front end: manifest check, policy lowering, system-managed policies, workspace build.

/** Checks a `krutrim` manifest's entries (its model already checked). */
export { checkKrutrimManifest, type KrutrimBrokenIds, type KrutrimManifest } from "./manifest.js";
/** Lowers Krutrim policy documents, system-managed policies and entities to the IR. */
export { lowerKrutrimGroup, lowerKrutrimPolicy, lowerKrutrimRole, lowerKrutrimUser, lowerSystemPolicy, unknownServiceHelp, type KrutrimPolicyInput } from "./lower.js";
/** Krutrim's system-managed policies, under their documented names. */
export {
  ACCESS_OPERATIONS, SUB_AREA_RESOURCES, SYSTEM_POLICIES, SYSTEM_POLICY_BY_NAME, isSystemPolicyName, systemPolicyDocument,
  type SystemAccess, type SystemPolicy,
} from "./system-policies.js";
/** Builds a `krutrim` workspace's IR from its checked manifest and policy files. */
export { buildKrutrimWorkspace, type KrutrimWorkspaceInput } from "./workspace.js";
