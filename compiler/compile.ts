// The compiler, as the ordered list of its stages. Each stage is a pure function of the one
// before (loading reads files; nothing else does I/O).
//
//   files --loadWorkspace--> IR workspace --specializeCallers--> caller classes
//         --buildDecisionTable--> decision table --tableToPayload--> payload --encodeBundle--> bytes
import type { BundleSigner } from "../runtime/format.js";
import { nodeSha256 } from "../runtime/node.js";
import { AutomatonTooLarge } from "./automaton.js";
import { tableToPayload } from "./bundle.js";
import { hasErrors, type Diagnostic } from "./diagnostics.js";
import { encodeBundle } from "./encode-bundle.js";
import type { Workspace } from "./ir.js";
import { loadWorkspace } from "./load-workspace.js";
import { specializeCallers } from "./specialize.js";
import { buildDecisionTable, type Progress } from "./table.js";
import { COMPILER_ID } from "./version.js";

export interface CompileOptions {
  /** Called as stages advance, for progress bars on long compiles. */
  readonly onProgress?: Progress;
  /** Signs the bundle (compiler/signing.ts makes one from an ed25519 key). */
  readonly sign?: BundleSigner;
  /** Records a build revision and time in the bundle (hot reload refuses older revisions). */
  readonly build?: { readonly revision: number; readonly createdAt: string };
}

export interface CompileResult {
  /** The bundle, when the workspace had no errors. */
  readonly bundle: Uint8Array | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** Compiles the workspace at a manifest path (or a directory holding `iamc.json`) to bundle bytes. */
export async function compile(manifestPathOrDir: string, options: CompileOptions = {}): Promise<CompileResult> {
  options.onProgress?.("load", 0, 1);
  const loaded = await loadWorkspace(manifestPathOrDir);
  if (loaded.value === undefined || hasErrors(loaded.diagnostics)) return { bundle: undefined, diagnostics: loaded.diagnostics };
  const compiled = compileWorkspace(loaded.value, options);
  return { bundle: compiled.bundle, diagnostics: [...loaded.diagnostics, ...compiled.diagnostics] };
}

/** Compiles an already-loaded workspace (the IR) to bundle bytes. */
export function compileWorkspace(workspace: Workspace, options: CompileOptions = {}): CompileResult {
  try {
    const callers = specializeCallers(workspace);
    const table = buildDecisionTable(workspace, callers, options.onProgress);
    const bundle = encodeBundle(tableToPayload(table, COMPILER_ID, workspace, options.build), nodeSha256, options.sign);
    return { bundle, diagnostics: [] };
  } catch (error) {
    if (!(error instanceof AutomatonTooLarge)) throw error;
    return {
      bundle: undefined,
      diagnostics: [{
        code: "IAMC4001",
        severity: "error",
        message: `the decision table grew too large: ${error.message}`,
        help: "many overlapping mid-string wildcards (`a*b*c`) multiply automaton states; split or simplify those patterns",
      }],
    };
  }
}
