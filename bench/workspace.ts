// A workspace IR from an in-memory manifest, through the pure front-end stages.
import { hasErrors } from "../compiler/diagnostics.js";
import type { Workspace } from "../compiler/ir.js";
import { parseJsonSource } from "../compiler/json-source.js";
import { checkManifest } from "../compiler/manifest-aws.js";
import { buildAwsWorkspace } from "../compiler/workspace-aws.js";

export function workspaceFromManifest(manifest: unknown): Workspace {
  const parsed = parseJsonSource("bench.json", JSON.stringify(manifest));
  if (parsed.value === undefined) throw new Error(JSON.stringify(parsed.diagnostics));
  const checked = checkManifest(parsed.value);
  if (checked.value === undefined) throw new Error(JSON.stringify(checked.diagnostics));
  const built = buildAwsWorkspace({ manifestSource: parsed.value, manifest: checked.value, files: [], sources: [] });
  if (built.value === undefined || hasErrors(built.diagnostics)) throw new Error(JSON.stringify(built.diagnostics.slice(0, 3)));
  return built.value;
}
