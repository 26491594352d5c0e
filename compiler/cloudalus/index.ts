// The cloudalus front end: manifest check, policy lowering, workspace build.

/** Checks a `cloudalus` manifest's entries (its model already checked). */
export { checkCloudalusManifest, type CloudalusBrokenIds, type CloudalusManifest } from "./manifest.js";
/** Lowers Cloudalus policy documents (trust and resource policies) and entities to the IR. */
export {
  lowerCloudalusAccessKey, lowerCloudalusPolicy, lowerCloudalusPrincipal, lowerCloudalusResource, lowerCloudalusTrust, namesIdentities,
  type CloudalusPolicyInput,
} from "./lower.js";
/** Builds a `cloudalus` workspace's IR from its checked manifest and policy files. */
export { buildCloudalusWorkspace, type CloudalusWorkspaceInput } from "./workspace.js";
