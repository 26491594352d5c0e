// The manifest of any model: its model checked, then the model's own manifest checker.
import { checkCloudalusManifest, type CloudalusManifest } from "./cloudalus/manifest.js";
import { InternalError } from "./diagnostics.js";
import type { JsonSource } from "./json-source.js";
import { checkKrutrimManifest, type KrutrimManifest } from "./krutrim/manifest.js";
import { checkAwsManifest, checkModel, type AwsManifest, type Checked } from "./manifest-aws.js";

/** The valid entries of a manifest, keyed on `model`. */
export type Manifest = AwsManifest | KrutrimManifest | CloudalusManifest;

/**
 * Checks the manifest's model and then its entries. The value is undefined when the manifest
 * cannot be read as a workspace at all (not an object, unknown or unimplemented model).
 */
export function checkWorkspaceManifest(source: JsonSource): Checked<Manifest | undefined> {
  const model = checkModel(source);
  if (model.value === undefined) return { value: undefined, diagnostics: model.diagnostics };
  // checkModel returned a model: the manifest is an object
  const root = source.value as Record<string, unknown>;
  switch (model.value) {
    case "aws":
      return checkAwsManifest(source, root);
    case "krutrim":
      return checkKrutrimManifest(source, root);
    case "cloudalus":
      return checkCloudalusManifest(source, root);
    default:
      throw new InternalError(`model \`${model.value}\` is implemented but has no manifest checker`);
  }
}
