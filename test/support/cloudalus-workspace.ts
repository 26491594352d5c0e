// Test helpers: a `cloudalus` workspace from an in-memory manifest (JSON or `.iam` text, policy
// files already "read"), through the same pure front-end stages loadWorkspace runs.
import { buildCloudalusWorkspace } from "../../compiler/cloudalus/workspace.js";
import { hasErrors, type Diagnostic, type Result } from "../../compiler/diagnostics.js";
import { isIamFile, parseIamSource } from "../../compiler/iam-source.js";
import type { CloudalusWorkspace } from "../../compiler/ir.js";
import { parseJsonSource } from "../../compiler/json-source.js";
import { checkWorkspaceManifest } from "../../compiler/manifest.js";
import type { PolicyFile } from "../../compiler/policy-candidates.js";
import { sortDiagnostics } from "../../compiler/workspace-aws.js";

/** Runs parse → check manifest → build on a manifest's text; `file` ending in `.iam` reads it as DSL. */
export function loadCloudalusText(text: string, files: readonly PolicyFile[] = [], file = "iamc.json"): Result<CloudalusWorkspace> {
  const parsed = isIamFile(file) ? parseIamSource(file, text) : parseJsonSource(file, text);
  if (parsed.value === undefined) return { value: undefined, diagnostics: parsed.diagnostics };
  const checked = checkWorkspaceManifest(parsed.value);
  if (checked.value === undefined) return { value: undefined, diagnostics: checked.diagnostics };
  if (checked.value.model !== "cloudalus") throw new Error(`expected a cloudalus manifest, got ${checked.value.model}`);
  const built = buildCloudalusWorkspace({ manifestSource: parsed.value, manifest: checked.value, files, sources: [], parseIam: parseIamSource });
  const diagnostics = sortDiagnostics([...checked.diagnostics, ...built.diagnostics], [file, ...files.map((f) => f.file)]);
  return { value: hasErrors(diagnostics) ? undefined : built.value, diagnostics };
}

/** A workspace from a manifest value, written as JSON with two-space indentation. */
export function cloudalusWorkspaceFromJson(manifest: unknown): { workspace: CloudalusWorkspace | undefined; diagnostics: readonly Diagnostic[] } {
  const result = loadCloudalusText(JSON.stringify(manifest, null, 2));
  return { workspace: result.value, diagnostics: result.diagnostics };
}
