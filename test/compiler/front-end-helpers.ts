// Helpers for the front-end tests: run the pure stages on manifest text, find positions in it.
import { hasErrors, type Diagnostic, type Result } from "../../compiler/diagnostics.js";
import type { AwsWorkspace } from "../../compiler/ir.js";
import { parseJsonSource } from "../../compiler/json-source.js";
import { checkManifest } from "../../compiler/manifest-aws.js";
import { buildAwsWorkspace, sortDiagnostics, type PolicyFile } from "../../compiler/workspace-aws.js";

export const MANIFEST = "iamc.json";

/** Runs parse → check manifest → build on a manifest text (and policy files already "read"). */
export function loadText(text: string, files: readonly PolicyFile[] = []): Result<AwsWorkspace> {
  const parsed = parseJsonSource(MANIFEST, text);
  if (parsed.value === undefined) return { value: undefined, diagnostics: parsed.diagnostics.map(styled) };
  const checked = checkManifest(parsed.value);
  if (checked.value === undefined) return { value: undefined, diagnostics: checked.diagnostics.map(styled) };
  const built = buildAwsWorkspace({ manifestSource: parsed.value, manifest: checked.value, files, sources: [] });
  const diagnostics = sortDiagnostics([...checked.diagnostics, ...built.diagnostics], [MANIFEST, ...files.map((f) => f.file)]);
  diagnostics.forEach(checkStyle);
  return { value: hasErrors(diagnostics) ? undefined : built.value, diagnostics };
}

/** A manifest text with the given inline policies (id → statements) and other fields. */
export function manifest(policies: Record<string, unknown>, rest: Record<string, unknown> = {}, version: string | null = "2012-10-17"): string {
  const entries = Object.entries(policies).map(([id, statement]) => ({
    id,
    document: version === null ? { Statement: statement } : { Version: version, Statement: statement },
  }));
  return JSON.stringify({ model: "aws", policies: entries, ...rest }, null, 2);
}

/** 1-based line and column of the `occurrence`-th (0-based) `needle` in `text`. */
export function at(text: string, needle: string, occurrence = 0): { line: number; column: number } {
  let offset = -1;
  for (let i = 0; i <= occurrence; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset === -1) throw new Error(`\`${needle}\` #${occurrence} not in text`);
  }
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** The essentials of a diagnostic, for compact assertions. */
export function brief(d: Diagnostic): { code: string; pointer?: string; line?: number; column?: number } {
  return {
    code: d.code,
    ...(d.pointer === undefined ? {} : { pointer: d.pointer }),
    ...(d.span === undefined ? {} : { line: d.span.line, column: d.span.column }),
  };
}

export const codes = (result: { diagnostics: readonly Diagnostic[] }): string[] => result.diagnostics.map((d) => d.code);

/** The only diagnostic of a result (fails the test otherwise). */
export function only(result: { diagnostics: readonly Diagnostic[] }): Diagnostic {
  if (result.diagnostics.length !== 1) {
    throw new Error(`expected one diagnostic, got ${result.diagnostics.length}: ${JSON.stringify(result.diagnostics, null, 1)}`);
  }
  return result.diagnostics[0]!;
}

const SYNTAX_CODES: ReadonlySet<string> = new Set(["IAMC1101", "IAMC1102", "IAMC1103", "IAMC1105", "IAMC1108"]);

/** STYLE.md's rules for a message: one line, lowercase start, no final period; a help when located. */
export function checkStyle(d: Diagnostic): void {
  if (!/^[^A-Z\n][^\n]*[^.\n]$/.test(d.message)) throw new Error(`badly styled message: ${d.message}`);
  if (d.help === undefined || d.help.includes("\n")) throw new Error(`missing or multi-line help: ${d.code} ${d.message}`);
  if (d.file === undefined || d.span === undefined || d.pointer === undefined) {
    // syntax errors have a line:column but no JSON pointer: the value they would point into does not exist
    const located = d.code === "IAMC1001" || (SYNTAX_CODES.has(d.code) && d.file !== undefined && d.span !== undefined);
    if (!located) throw new Error(`unlocated diagnostic: ${d.code} ${d.message}`);
  }
}

const styled = (d: Diagnostic): Diagnostic => (checkStyle(d), d);
