// Lint test helpers: a workspace written to a temporary folder (one manifest, optional policy
// files), loaded by the real front end and linted, and findings in a compact form to compare.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import type { Diagnostic } from "../../compiler/diagnostics.js";
import { lintWorkspace } from "../../compiler/lint/index.js";
import { loadWorkspace } from "../../compiler/load-workspace.js";

/**
 * Lints a workspace given as files (`{"iamc.iam": "..."}`; the first file is the manifest).
 * Fails the test when the workspace itself has errors: every case must be a valid workspace.
 */
export async function lintFiles(files: Readonly<Record<string, string>>): Promise<Diagnostic[]> {
  const dir = await mkdtemp(join(tmpdir(), "iamc-lint-"));
  try {
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), text);
    }
    const manifest = join(dir, Object.keys(files)[0]!);
    const loaded = await loadWorkspace(manifest);
    if (loaded.value === undefined) {
      throw new Error(`the test workspace has errors:\n${loaded.diagnostics.map((d) => `${d.code} ${d.span?.line}:${d.span?.column} ${d.message}`).join("\n")}`);
    }
    // file names relative to the workspace, so tests can name them
    return lintWorkspace(loaded.value).map((d) => (d.file === undefined ? d : { ...d, file: relative(dir, d.file) }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Lints a workspace written as one DSL file. */
export const lintIam = (text: string): Promise<Diagnostic[]> => lintFiles({ "iamc.iam": text });

/** Findings as `CODE severity line:column`, optionally only those of one code. */
export function brief(findings: readonly Diagnostic[], code?: string): string[] {
  return findings.filter((d) => code === undefined || d.code === code).map((d) => `${d.code} ${d.severity} ${d.span?.line}:${d.span?.column}`);
}

/** The one finding of a code (fails when there is not exactly one). */
export function only(findings: readonly Diagnostic[], code: string): Diagnostic {
  const found = findings.filter((d) => d.code === code);
  if (found.length !== 1) throw new Error(`expected one ${code}, got ${found.length}: ${JSON.stringify(brief(findings))}`);
  return found[0]!;
}
