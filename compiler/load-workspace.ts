// The front end's I/O edge: find the manifest, read it and the policy files (expanding globs),
// digest them; everything else is the pure stages in manifest-aws.ts and workspace-aws.ts.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import { hasErrors, type Diagnostic, type Result } from "./diagnostics.js";
import type { SourceDigest, Workspace } from "./ir.js";
import { encodePointer, parseJsonSource, pathToSpan, type JsonPath, type JsonSource } from "./json-source.js";
import { checkManifest, type AwsManifest } from "./manifest-aws.js";
import { buildAwsWorkspace, sortDiagnostics, type PolicyFile } from "./workspace-aws.js";

/** The manifest's name when a folder is given. */
export const MANIFEST_NAME = "iamc.json";

/**
 * Loads a workspace: `manifestPathOrDir` is a manifest file or a folder holding `iamc.json`.
 * Paths inside the manifest are relative to its folder. Never throws for a user mistake: every
 * problem is a diagnostic, and the workspace is returned only when there is no error.
 */
export async function loadWorkspace(manifestPathOrDir: string): Promise<Result<Workspace>> {
  const manifestFile = await manifestFileOf(manifestPathOrDir);
  const read = await readSource(manifestFile);
  if (typeof read === "string") {
    const help =
      manifestFile === manifestPathOrDir
        ? "pass the manifest file, or the folder that holds `iamc.json`"
        : `the folder \`${manifestPathOrDir}\` holds no readable \`${MANIFEST_NAME}\``;
    return fail([{ code: "IAMC1002", severity: "error", message: `cannot read \`${manifestFile}\`: ${read}`, file: manifestFile, help }]);
  }
  const baseDir = dirname(manifestFile);
  const parsed = parseJsonSource(manifestFile, read.text);
  if (parsed.value === undefined) return fail(parsed.diagnostics);
  const manifestSource = parsed.value;

  const checked = checkManifest(manifestSource);
  if (checked.value === undefined) return fail(checked.diagnostics);

  const sources: SourceDigest[] = [{ file: sourceName(baseDir, manifestFile), sha256: read.sha256 }];
  const files = await readPolicyFiles(manifestSource, checked.value, baseDir, sources);
  const built = buildAwsWorkspace({ manifestSource, manifest: checked.value, files: files.files, sources });

  const diagnostics = sortDiagnostics(
    [...checked.diagnostics, ...files.diagnostics, ...built.diagnostics],
    [manifestFile, ...files.files.map((f) => f.file)],
  );
  return { value: hasErrors(diagnostics) ? undefined : built.value, diagnostics };
}

const fail = (diagnostics: readonly Diagnostic[]): Result<Workspace> => ({ value: undefined, diagnostics });

async function manifestFileOf(argument: string): Promise<string> {
  try {
    if ((await stat(argument)).isDirectory()) return join(argument, MANIFEST_NAME);
  } catch {
    // not there: reading it reports that
  }
  return argument;
}

/** The text and digest of a file, or why it could not be read. */
async function readSource(file: string): Promise<{ text: string; sha256: string } | string> {
  try {
    const bytes = await readFile(file);
    return { text: bytes.toString("utf8"), sha256: createHash("sha256").update(bytes).digest("hex") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no such file";
    if (code === "EISDIR") return "it is a folder";
    if (code === "EACCES" || code === "EPERM") return "permission denied";
    return (error as Error).message.toLowerCase();
  }
}

/** A file's name in `sources`: relative to the manifest's folder, with `/`, so digests do not depend on where iamc runs. */
function sourceName(baseDir: string, file: string): string {
  return relative(resolve(baseDir), resolve(file)).split(sep).join("/");
}

/** Reads the files of each `file` entry: a path, or a glob whose matches are sorted. */
async function readPolicyFiles(
  manifestSource: JsonSource,
  manifest: AwsManifest,
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
    let matches: string[];
    if (isDynamicPattern(entry.file)) {
      const found = await globFiles(entry.file, baseDir);
      if (typeof found === "string") {
        error(at, "IAMC1003", `cannot expand \`${entry.file}\`: ${found}`, "check the glob's syntax");
        continue;
      }
      if (found.length === 0) {
        error(at, "IAMC1003", `\`${entry.file}\` matched no file`, `the pattern is relative to the manifest's folder \`${baseDir}\`; check it, or remove the entry`);
        continue;
      }
      matches = found;
    } else matches = [entry.file];

    for (const match of matches) {
      const file = isAbsolute(match) ? match : join(baseDir, match);
      const extension = extname(match).toLowerCase();
      if (extension === ".iam") {
        error(at, "IAMC1004", `\`${match}\` is a DSL file: the DSL is not implemented yet`, "write the policy as an AWS JSON document in a `.json` file");
        continue;
      }
      if (extension !== ".json") {
        error(at, "IAMC1004", `\`${match}\` is not a policy file iamc reads`, "policy files are AWS JSON documents named `*.json`");
        continue;
      }
      const read = await readSource(file);
      if (typeof read === "string") {
        error(at, "IAMC1002", `cannot read \`${file}\`: ${read}`, "the path is relative to the manifest's folder");
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

async function globFiles(pattern: string, cwd: string): Promise<string[] | string> {
  try {
    const found = await glob(pattern, { cwd, onlyFiles: true, expandDirectories: false });
    // code-unit order, not locale order: the same files always come in the same order
    return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (error) {
    return (error as Error).message.toLowerCase();
  }
}
