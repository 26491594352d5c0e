// `iamc test [TARGET] TESTFILE...`: run policy test files against a bundle or a workspace, and
// with --coverage say which statements no test exercised. Loaded only when the command runs.
import type { Command } from "commander";
import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Result } from "../diagnostics.js";
import type { JsonSource } from "../json-source.js";
import { bundleOrWorkspace, colorFor, displayPath, emit, EXIT, isBundlePath, reportFailure, usageError, type CommandContext } from "../cli-support.js";
import { bundleStatements, meetsThreshold, statementCoverage, type Coverage, type CoverageStatement } from "./coverage.js";
import { formatHumanReport, reportJson, type FileResults } from "./report.js";
import { runPolicyTests } from "./run.js";
import { checkPolicyTestFile, readPolicyTestSource, type PolicyTestFile } from "./test-file.js";

/** The options of `iamc test`, as commander gives them. */
export interface TestOptions {
  readonly coverage?: boolean;
  readonly threshold?: string;
  readonly format: "human" | "json";
}

/** Runs `iamc test` and returns the exit code. */
export async function testCommand(context: CommandContext, paths: readonly string[], options: TestOptions, cmd: Command): Promise<number> {
  const { io, cwd } = context;
  const globals = context.globals(cmd);
  const threshold = parseThreshold(options.threshold, cmd);
  const show = displayPath(cwd);

  // a source is read once, whether it turns out to be the target or a test file
  const sources = new Map<string, Promise<Result<JsonSource>>>();
  const sourceOf = (path: string) => {
    let source = sources.get(path);
    if (source === undefined) sources.set(path, (source = readPolicyTestSource(resolve(cwd, path))));
    return source;
  };
  const [first, ...rest] = paths;
  if (first === undefined) usageError(cmd, "give the test files to run: iamc test [TARGET] TESTFILE...");
  // the first path is the target when it is a bundle, a folder or a manifest (every workspace
  // names its `model`, no test file does); of several, one that cannot be read is taken as the
  // target too, and compiling it says what is wrong
  const bundleOrFolder = isBundlePath(first) || (await isDirectory(resolve(cwd, first)));
  const source = bundleOrFolder ? undefined : (await sourceOf(first)).value;
  const isTarget = bundleOrFolder || (source === undefined ? rest.length > 0 : isWorkspaceSource(source));
  if (isTarget && rest.length === 0) usageError(cmd, `give the test files to run after \`${first}\`: iamc test TARGET TESTFILE...`);
  const target = isTarget ? first : undefined;
  const testPaths = isTarget ? rest : paths;

  const checked = await Promise.all(
    testPaths.map(async (path) => {
      const source = await sourceOf(path);
      return source.value === undefined ? { value: undefined, diagnostics: source.diagnostics } : checkPolicyTestFile(source.value);
    }),
  );
  const diagnostics = checked.flatMap((c) => c.diagnostics);
  if (diagnostics.some((d) => d.severity === "error")) return reportFailure(io, cwd, globals, diagnostics, "no test ran");
  const files = checked.map((c) => c.value!);

  const workspace = target ?? workspaceOfFiles(files, cmd, show);
  const bytes = await bundleOrWorkspace(io, cwd, workspace, globals);
  if (typeof bytes === "number") return bytes;
  const [{ loadBundle, nodeSha256 }, { decodeBundle }] = await Promise.all([import("../../runtime/node.js"), import("../../runtime/format.js")]);
  const authorizer = loadBundle(bytes);
  const results: FileResults[] = files.map((file) => ({ file: file.file, results: runPolicyTests(authorizer, file.tests) }));

  let coverage: Coverage | undefined;
  if (options.coverage || threshold !== undefined) {
    const statements = bundleStatements(decodeBundle(bytes, nodeSha256));
    const located = isBundlePath(workspace) ? statements : await relocate(statements, resolve(cwd, workspace));
    coverage = statementCoverage(located, results.flatMap((f) => f.results));
  }

  const report = { files: results, ...(coverage === undefined ? {} : { coverage }), ...(threshold === undefined ? {} : { threshold }) };
  if (options.format === "json") await emit(io.stdout, `${JSON.stringify(reportJson(report, show))}\n`);
  else {
    const { formatExplanation } = await import("../cli.js");
    await emit(io.stdout, formatHumanReport(report, { color: colorFor(io.stdout, io.env, globals.color), displayPath: show, formatExplanation }));
  }
  const failed = results.some((f) => f.results.some((r) => !r.ok));
  const below = coverage !== undefined && threshold !== undefined && !meetsThreshold(coverage, threshold);
  return failed || below ? EXIT.invalidInput : EXIT.ok;
}

function parseThreshold(text: string | undefined, cmd: Command): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(value >= 0 && value <= 100)) usageError(cmd, `--threshold takes a percentage from 0 to 100, not \`${text}\``);
  return value;
}

/** Whether a parsed file is a workspace manifest, which (unlike a test file) names its `model`. */
function isWorkspaceSource(source: JsonSource): boolean {
  const root = source.value;
  return typeof root === "object" && root !== null && !Array.isArray(root) && Object.hasOwn(root, "model");
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The one workspace the test files name (each relative to its own file), or a usage error. */
function workspaceOfFiles(files: readonly PolicyTestFile[], cmd: Command, show: (file: string) => string): string {
  const unnamed = files.find((f) => f.workspace === undefined);
  if (unnamed !== undefined) {
    usageError(cmd, `\`${show(unnamed.file)}\` names no workspace: give one first (iamc test TARGET TESTFILE...), or set \`workspace\` in the file`);
  }
  const named = [...new Set(files.map((f) => resolve(dirname(f.file), f.workspace!)))];
  if (named.length > 1) {
    usageError(cmd, `the test files name different workspaces (${named.map((w) => `\`${show(w)}\``).join(", ")}): run them one workspace at a time, or give TARGET`);
  }
  return show(named[0]!);
}

/** Statement places as the bundle records them (relative to the manifest), made absolute. */
async function relocate(statements: readonly CoverageStatement[], workspace: string): Promise<CoverageStatement[]> {
  const { manifestFileOf } = await import("../load-workspace.js");
  const base = dirname(await manifestFileOf(workspace));
  return statements.map((s) => (s.file === undefined ? s : { ...s, file: resolve(base, s.file) }));
}
