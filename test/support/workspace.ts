// Test helpers: a workspace from an in-memory manifest (inline policies only), through the
// same pure front-end stages the CLI uses, without touching the file system.
import { hasErrors, type Diagnostic } from "../../compiler/diagnostics.js";
import type { AwsWorkspace } from "../../compiler/ir.js";
import { parseJsonSource } from "../../compiler/json-source.js";
import { checkManifest } from "../../compiler/manifest-aws.js";
import { buildAwsWorkspace } from "../../compiler/workspace-aws.js";

export function workspaceFromJson(manifest: unknown, file = "iamc.json"): { workspace: AwsWorkspace | undefined; diagnostics: readonly Diagnostic[] } {
  const parsed = parseJsonSource(file, JSON.stringify(manifest, null, 2));
  if (parsed.value === undefined) return { workspace: undefined, diagnostics: parsed.diagnostics };
  const checked = checkManifest(parsed.value);
  if (checked.value === undefined) return { workspace: undefined, diagnostics: checked.diagnostics };
  const built = buildAwsWorkspace({ manifestSource: parsed.value, manifest: checked.value, files: [], sources: [] });
  const diagnostics = [...checked.diagnostics, ...built.diagnostics];
  return { workspace: hasErrors(diagnostics) ? undefined : (built.value as AwsWorkspace), diagnostics };
}
