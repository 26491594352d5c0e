// The front end's I/O edge: find the manifest, read it and the policy files (expanding globs),
// digest them; everything else is the pure stages: manifest.ts (then manifest-aws.ts or
// krutrim/manifest.ts or cloudalus/manifest.ts by model), workspace-aws.ts, krutrim/workspace.ts
// or cloudalus/workspace.ts.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import { buildCloudalusWorkspace } from "./cloudalus/workspace.js";
import { hasErrors, type Diagnostic, type Result } from "./diagnostics.js";
import { isIamFile } from "./iam-file.js";
import type { SourceDigest, Workspace } from "./ir.js";
import { encodePointer, parseJsonSource, pathToSpan, type JsonPath, type JsonSource } from "./json-source.js";
import { buildKrutrimWorkspace } from "./krutrim/workspace.js";
import { checkWorkspaceManifest, type Manifest } from "./manifest.js";
import type { PolicyFile } from "./policy-candidates.js";
import { buildAwsWorkspace, sortDiagnostics } from "./workspace-aws.js";

/** The manifest's name when a folder is given. */
export const MANIFEST_NAME = "iamc.json";
/** The manifest's name in a folder without `iamc.json`: the workspace written in the DSL. */
export const DSL_MANIFEST_NAME = "iamc.iam";

/**
 * Loads a workspace: `manifestPathOrDir` is a manifest file (`.json`, or `.iam` for a workspace
 * written in the DSL) or a folder holding `iamc.json` (else `iamc.iam`).
 * Paths inside the manifest are relative to its folder. Never throws for a user mistake: every
 * problem is a diagnostic, and the workspace is returned only when there is no error.
 */
export async function loadWorkspace(manifestPathOrDir: string): Promise<Result<Workspace>> {
  const manifestFile = await manifestFileOf(manifestPathOrDir);
  const read = await readSource(manifestFile);
  if ("reason" in read) {
    const help =
      read.help ?? (manifestFile === manifestPathOrDir
        ? "pass the manifest file, or the folder that holds `iamc.json`"
        : `the folder \`${manifestPathOrDir}\` holds no readable \`${MANIFEST_NAME}\` (nor \`${DSL_MANIFEST_NAME}\`)`);
    return fail([{ code: read.code, severity: "error", message: `cannot read \`${manifestFile}\`: ${read.reason}`, file: manifestFile, help }]);
  }
  const baseDir = dirname(manifestFile);
  // The grammar (and chevrotain) load only for runs that read a `.iam` file.
  const dsl = async () => (await import("./iam-source.js")).parseIamSource;
  const parsed = isIamFile(manifestFile) ? (await dsl())(manifestFile, read.text) : parseJsonSource(manifestFile, read.text);
  if (parsed.value === undefined) return fail(parsed.diagnostics);
  const manifestSource = parsed.value;

  const checked = checkWorkspaceManifest(manifestSource);
  if (checked.value === undefined) return fail(checked.diagnostics);
  const manifest = checked.value;

  const sources: SourceDigest[] = [{ file: sourceName(baseDir, manifestFile), sha256: read.sha256 }];
  const files = await readPolicyFiles(manifestSource, manifest, baseDir, sources);
  const parseIam = files.files.some((f) => isIamFile(f.file)) ? await dsl() : undefined;
  const input = { manifestSource, files: files.files, sources, ...(parseIam === undefined ? {} : { parseIam }) };
  const built: Result<Workspace> =
    manifest.model === "aws"
      ? buildAwsWorkspace({ ...input, manifest })
      : manifest.model === "krutrim"
        ? buildKrutrimWorkspace({ ...input, manifest })
        : buildCloudalusWorkspace({ ...input, manifest });

  const diagnostics = sortDiagnostics(
    [...checked.diagnostics, ...files.diagnostics, ...built.diagnostics],
    [manifestFile, ...files.files.map((f) => f.file)],
  );
  return { value: hasErrors(diagnostics) ? undefined : built.value, diagnostics };
}

const fail = (diagnostics: readonly Diagnostic[]): Result<Workspace> => ({ value: undefined, diagnostics });

/** The manifest a path names: the file itself, or in a folder `iamc.json`, else `iamc.iam`. */
export async function manifestFileOf(argument: string): Promise<string> {
  try {
    if ((await stat(argument)).isDirectory()) {
      const json = join(argument, MANIFEST_NAME);
      const dsl = join(argument, DSL_MANIFEST_NAME);
      if (!(await isFile(json)) && (await isFile(dsl))) return dsl;
      return json;
    }
  } catch {
    // not there: reading it reports that
  }
  return argument;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The largest source file iamc reads: 256 MiB (about two million AWS statements in one file), or
 * `IAMC_MAX_FILE_BYTES`. Larger inputs are refused up front (IAMC1006) rather than exhausting memory.
 */
export function maxSourceBytes(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const set = Number(env["IAMC_MAX_FILE_BYTES"]);
  return Number.isSafeInteger(set) && set > 0 ? set : 256 * 1024 * 1024;
}

/** Why a source could not be read: IAMC1002 (unreadable) or IAMC1006 (over the size limit). */
export interface UnreadableSource {
  readonly code: "IAMC1002" | "IAMC1006";
  readonly reason: string;
  readonly help?: string;
}

/** The text and digest of a file, or why it could not be read. */
export async function readSource(file: string): Promise<{ text: string; sha256: string } | UnreadableSource> {
  try {
    const limit = maxSourceBytes();
    const { size } = await stat(file);
    if (size > limit) {
      return { code: "IAMC1006", reason: `it is ${size} bytes, over the limit of ${limit}`, help: "split it into several files, or raise the limit with the environment variable IAMC_MAX_FILE_BYTES" };
    }
    const bytes = await readFile(file);
    return { text: bytes.toString("utf8"), sha256: createHash("sha256").update(bytes).digest("hex") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const unreadable = (reason: string): UnreadableSource => ({ code: "IAMC1002", reason });
    if (code === "ENOENT") return unreadable("no such file");
    if (code === "EISDIR") return unreadable("it is a folder");
    if (code === "EACCES" || code === "EPERM") return unreadable("permission denied");
    return unreadable((error as Error).message.toLowerCase());
  }
}

/** A file's name in `sources`: relative to the manifest's folder, with `/`, so digests do not depend on where iamc runs. */
function sourceName(baseDir: string, file: string): string {
  return relative(resolve(baseDir), resolve(file)).split(sep).join("/");
}

/** Reads the files of each `file` entry: a path, or a glob whose matches are sorted. */
async function readPolicyFiles(
  manifestSource: JsonSource,
  manifest: Manifest,
  baseDir: string,
  sources: SourceDigest[],
): Promise<{ files: PolicyFile[]; diagnostics: Diagnostic[] }> {
  const files: PolicyFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const error = (path: JsonPath, code: Diagnostic["code"], message: string, help: string) => {
    const span = pathToSpan(manifestSource, path);
    diagnostics.push({ code, severity: "error", message, file: manifestSource.file, pointer: encodePointer(path), ...(span ? { span } : {}), help });
  };
  const seen = new Set(sources.map((s) => s.file));

  for (const [index, entry] of manifest.policies.entries()) {
    if (entry.kind !== "file") continue;
    const at = [...entry.path, "file"];
    const expanded = await expandFileEntry(entry.file, baseDir);
    if (!Array.isArray(expanded)) {
      error(at, "IAMC1003", expanded.message, expanded.help);
      continue;
    }
    const matches = expanded;

    for (const match of matches) {
      const file = isAbsolute(match) ? match : join(baseDir, match);
      const extension = extname(match).toLowerCase();
      if (extension !== ".json" && extension !== ".iam") {
        const kind = manifest.model === "aws" ? "AWS JSON documents" : manifest.model === "krutrim" ? "Krutrim JSON documents" : "Cloudalus JSON documents";
        error(at, "IAMC1004", `\`${match}\` is not a policy file iamc reads`, `policy files are ${kind} named \`*.json\`, or DSL files named \`*.iam\``);
        continue;
      }
      const read = await readSource(file);
      if ("reason" in read) {
        error(at, read.code, `cannot read \`${file}\`: ${read.reason}`, read.help ?? "the path is relative to the manifest's folder");
        continue;
      }
      files.push({ entry: index, file, text: read.text });
      const name = sourceName(baseDir, file);
      if (!seen.has(name)) {
        seen.add(name);
        sources.push({ file: name, sha256: read.sha256 });
      }
    }
  }
  return { files, diagnostics };
}

/** The files a `file` entry names: the path itself, or a glob's matches in code-unit order. */
export async function expandFileEntry(pattern: string, baseDir: string): Promise<string[] | { message: string; help: string }> {
  if (!isDynamicPattern(pattern)) return [pattern];
  const found = await globFiles(pattern, baseDir);
  if (typeof found === "string") return { message: `cannot expand \`${pattern}\`: ${found}`, help: "check the glob's syntax" };
  if (found.length === 0) {
    return { message: `\`${pattern}\` matched no file`, help: `the pattern is relative to the manifest's folder \`${baseDir}\`; check it, or remove the entry` };
  }
  return found;
}

async function globFiles(pattern: string, cwd: string): Promise<string[] | string> {
  try {
    const found = await glob(pattern, { cwd, onlyFiles: true, expandDirectories: false });
    // code-unit order, not locale order: the same files always come in the same order
    return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (error) {
    return (error as Error).message.toLowerCase();
  }
}
