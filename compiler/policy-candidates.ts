// The policy documents of a workspace, whatever its model: inline documents of the manifest,
// JSON files, `.iam` policy files. Each gets its id (the entry's `id`, else the document's own
// name, else the file's stem), ids must be unique, and each document is lowered by the model's
// own lowering. Pure: the files were read by load-workspace.ts.
import { basename, extname } from "node:path";
import type * as z from "zod";
import { InternalError, type Diagnostic, type Result } from "./diagnostics.js";
import { isIamFile } from "./iam-file.js";
import type { parseIamSource } from "./iam-source.js";
import type { Policy, SourceDigest } from "./ir.js";
import { encodePointer, parseJsonSource, pathToSpan, type JsonPath, type JsonSource } from "./json-source.js";
import type { PolicyEntry } from "./manifest-aws.js";
import { checkSchema, valueAt } from "./schema/issues.js";

/** A policy file read for a `file` entry of the manifest. */
export interface PolicyFile {
  /** Index of the entry in the manifest's valid policy entries (`manifest.policies`). */
  readonly entry: number;
  /** The file's name in diagnostics and origins. */
  readonly file: string;
  readonly text: string;
}

/** What differs between models when reading policies. */
export interface PolicyDialect {
  /** The model `.iam` policy files are read as. */
  readonly model: string;
  /** The fields a document names itself by, in order of preference (`Id`, `name`). */
  readonly nameKeys: readonly string[];
  /** An inline policy entry, its document left unchecked (for `.iam` policy files). */
  readonly inlineEntryShellSchema: z.ZodType<{ id?: string | undefined }>;
  /** Who tries to call `.iam` code without a reader, for the internal error. */
  readonly caller: string;
}

/** A policy document to lower, with where its id came from. */
export interface PolicyCandidate {
  readonly id: string;
  readonly source: JsonSource;
  readonly path: JsonPath;
  /** Where the id is written (or, for a file stem, the manifest entry that named the file). */
  readonly idAt: { readonly source: JsonSource; readonly path: JsonPath };
}

export interface CandidateInput {
  readonly manifestSource: JsonSource;
  readonly entries: readonly PolicyEntry[];
  /** Files of `file` entries, in entry order, each entry's files sorted. */
  readonly files: readonly PolicyFile[];
  /** The DSL reader, needed when a file is `.iam`. */
  readonly parseIam?: typeof parseIamSource | undefined;
}

/** Collects what reading policies finds: diagnostics, ids that failed, parsed files by name. */
export interface CandidateContext {
  readonly diagnostics: Diagnostic[];
  readonly broken: Set<string>;
  readonly sources: Map<string, JsonSource>;
}

/** What every model's workspace builder gets from the I/O edge (load-workspace.ts). */
export interface WorkspaceInput<M extends { readonly policies: readonly PolicyEntry[]; readonly broken: { readonly policies: Iterable<string> } }> {
  readonly manifestSource: JsonSource;
  readonly manifest: M;
  /** Files of `file` entries, in entry order, each entry's files sorted. */
  readonly files: readonly PolicyFile[];
  readonly sources: readonly SourceDigest[];
  /** The DSL reader, needed when a file is `.iam` (loaded by the I/O edge only when one is). */
  readonly parseIam?: typeof parseIamSource;
}

/**
 * The start of every workspace build: the context that collects diagnostics (the manifest's
 * broken policy ids already in it) and the manifest's policy documents, named.
 */
export function readWorkspacePolicies<M extends { readonly policies: readonly PolicyEntry[]; readonly broken: { readonly policies: Iterable<string> } }>(
  input: WorkspaceInput<M>,
  dialect: PolicyDialect,
): { ctx: CandidateContext; candidates: PolicyCandidate[] } {
  const { manifestSource, manifest } = input;
  const ctx: CandidateContext = {
    diagnostics: [],
    broken: new Set(manifest.broken.policies),
    sources: new Map<string, JsonSource>([[manifestSource.file, manifestSource]]),
  };
  const candidates = collectPolicyCandidates({ manifestSource, entries: manifest.policies, files: input.files, parseIam: input.parseIam }, dialect, ctx);
  return { ctx, candidates };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The id a document names itself by: the first of `keys` it has as a non-empty string. */
function ownName(document: unknown, keys: readonly string[]): { key: string; value: string } | undefined {
  if (!isRecord(document)) return undefined;
  for (const key of keys) {
    const value = document[key];
    if (typeof value === "string" && value !== "") return { key, value };
  }
  return undefined;
}

const stemOf = (file: string): string => basename(file, extname(file));

/** Every policy document of the manifest's entries, with its id. */
export function collectPolicyCandidates(input: CandidateInput, dialect: PolicyDialect, ctx: CandidateContext): PolicyCandidate[] {
  const { manifestSource } = input;
  const candidates: PolicyCandidate[] = [];
  input.entries.forEach((entry, index) => {
    if (entry.kind === "inline") {
      const path = [...entry.path, "document"];
      const named = ownName(valueAt(manifestSource.value, path), dialect.nameKeys);
      const id = entry.id ?? named?.value;
      if (id === undefined) {
        const span = pathToSpan(manifestSource, entry.path);
        const nameKey = dialect.nameKeys[0] ?? "name";
        ctx.diagnostics.push({
          code: "IAMC2002",
          severity: "error",
          message: "an inline policy needs an id",
          file: manifestSource.file,
          pointer: encodePointer([...entry.path, "id"]),
          ...(span ? { span } : {}),
          help: `add \`"id": "MyPolicy"\` to the entry, or \`"${nameKey}"\` to the document`,
        });
        return;
      }
      const idAt = entry.id !== undefined ? [...entry.path, "id"] : [...path, named!.key];
      candidates.push({ id, source: manifestSource, path, idAt: { source: manifestSource, path: idAt } });
      return;
    }
    for (const file of input.files.filter((f) => f.entry === index)) {
      if (isIamFile(file.file)) {
        if (input.parseIam === undefined) throw new InternalError(`${dialect.caller}: ${file.file} is a .iam file but no DSL reader was given`);
        candidates.push(...iamCandidates(entry, file, manifestSource, input.parseIam, dialect, ctx));
        continue;
      }
      const parsed = parseJsonSource(file.file, file.text);
      const named = parsed.value === undefined ? undefined : ownName(parsed.value.value, dialect.nameKeys);
      const id = entry.id ?? named?.value ?? stemOf(file.file);
      if (parsed.value === undefined) {
        ctx.diagnostics.push(...parsed.diagnostics);
        ctx.broken.add(id);
        continue;
      }
      ctx.sources.set(file.file, parsed.value);
      const idAt =
        entry.id !== undefined
          ? { source: manifestSource, path: [...entry.path, "id"] }
          : named !== undefined
            ? { source: parsed.value, path: [named.key] }
            : { source: manifestSource, path: [...entry.path, "file"] };
      candidates.push({ id, source: parsed.value, path: [], idAt });
    }
  });
  return candidates;
}

/**
 * Lowers each candidate on its own (so every bad policy is reported) and keeps the first of each
 * id: a second one is IAMC3002. Ids of policies that failed go to `ctx.broken`.
 */
export function lowerPolicyCandidates(
  candidates: readonly PolicyCandidate[],
  lower: (candidate: PolicyCandidate) => Result<Policy>,
  ctx: CandidateContext,
): Map<string, Policy> {
  const policies = new Map<string, Policy>();
  const firstAt = new Map<string, PolicyCandidate>();
  for (const candidate of candidates) {
    const first = firstAt.get(candidate.id);
    const lowered = lower(candidate);
    ctx.diagnostics.push(...lowered.diagnostics);
    if (first !== undefined) {
      ctx.diagnostics.push(duplicatePolicy(candidate, first));
      continue;
    }
    firstAt.set(candidate.id, candidate);
    if (lowered.value !== undefined) policies.set(candidate.id, lowered.value);
    else ctx.broken.add(candidate.id);
  }
  return policies;
}

/** The model-wide parts a `.iam` policy file may not declare, by the field its declarations make. */
const NOT_IN_POLICY_FILES = "a `.iam` file listed in the manifest's `policies` holds policies only";

/**
 * The policies a `.iam` file listed in `policies` defines. Each is named by the manifest entry's
 * `id`, else its own name (`policy NAME`), else its document's own name, else the file's stem.
 */
function iamCandidates(
  entry: PolicyEntry & { kind: "file" },
  file: PolicyFile,
  manifestSource: JsonSource,
  parseIam: typeof parseIamSource,
  dialect: PolicyDialect,
  ctx: CandidateContext,
): PolicyCandidate[] {
  const parsed = parseIam(file.file, file.text, { model: dialect.model });
  if (parsed.value === undefined) {
    ctx.diagnostics.push(...parsed.diagnostics);
    // references to its policies are not reported again as unknown
    if (entry.id !== undefined) ctx.broken.add(entry.id);
    for (const match of file.text.matchAll(/^\s*policy\s+([^\s{"#]+)/gm)) ctx.broken.add(match[1]!);
    ctx.broken.add(stemOf(file.file));
    return [];
  }
  const source = parsed.value;
  ctx.sources.set(file.file, source);
  const error = (path: JsonPath, message: string, help: string, target: "key" | "value" = "key") => {
    const span = pathToSpan(source, path, target);
    ctx.diagnostics.push({ code: "IAMC1104", severity: "error", message, file: source.file, pointer: encodePointer(path), ...(span ? { span } : {}), help });
  };
  const root = isRecord(source.value) ? source.value : {};
  for (const key of Object.keys(root)) {
    if (key === "policies") continue;
    if (key === "model") error([key], "a policy file does not declare the model", `the manifest's \`model\` applies to every policy; remove the line (${NOT_IN_POLICY_FILES})`);
    else error([key], `\`${key}\` cannot be declared in a policy file`, `move the declarations to the manifest \`${manifestSource.file}\`: ${NOT_IN_POLICY_FILES}`);
  }
  const candidates: PolicyCandidate[] = [];
  const entries = Array.isArray(root.policies) ? root.policies : [];
  entries.forEach((raw, index) => {
    const path = ["policies", index];
    if (!isRecord(raw)) return;
    if (Object.hasOwn(raw, "file")) {
      error([...path, "file"], "a policy file cannot read other files", `list the file in the manifest's \`policies\` instead (${NOT_IN_POLICY_FILES})`);
      if (typeof raw.id === "string") ctx.broken.add(raw.id);
      return;
    }
    const checked = checkSchema(dialect.inlineEntryShellSchema, source, path, { rootLabel: `the policy` });
    ctx.diagnostics.push(...checked.diagnostics);
    const named = ownName(valueAt(source.value, [...path, "document"]), dialect.nameKeys);
    const id = entry.id ?? checked.value?.id ?? (typeof raw.id === "string" ? raw.id : undefined) ?? named?.value ?? stemOf(file.file);
    if (checked.value === undefined) {
      ctx.broken.add(id);
      return;
    }
    const idAt =
      entry.id !== undefined
        ? { source: manifestSource, path: [...entry.path, "id"] }
        : checked.value.id !== undefined
          ? { source, path: [...path, "id"] }
          : named !== undefined
            ? { source, path: [...path, "document", named.key] }
            : { source: manifestSource, path: [...entry.path, "file"] };
    candidates.push({ id, source, path: [...path, "document"], idAt });
  });
  return candidates;
}

function duplicatePolicy(second: PolicyCandidate, first: PolicyCandidate): Diagnostic {
  const at = second.idAt;
  const span = pathToSpan(at.source, at.path);
  const firstSpan = pathToSpan(first.idAt.source, first.idAt.path);
  const where = firstSpan === undefined ? first.idAt.source.file : `${first.idAt.source.file}:${firstSpan.line}:${firstSpan.column}`;
  return {
    code: "IAMC3002",
    severity: "error",
    message: `duplicate policy id \`${second.id}\``,
    file: at.source.file,
    pointer: encodePointer(at.path),
    ...(span ? { span } : {}),
    help: `\`${second.id}\` is first defined at ${where}; give one of them another \`id\``,
  };
}
