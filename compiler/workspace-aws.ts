// The files of an `aws` workspace → the IR: parse the policy files, name each policy, lower it,
// lower the entities, link. Pure: the files were read by load-workspace.ts.
import { basename, extname } from "node:path";
import { InternalError, hasErrors, type Diagnostic, type Result } from "./diagnostics.js";
import { isIamFile } from "./iam-file.js";
import type { parseIamSource } from "./iam-source.js";
import type { AwsWorkspace, Policy, SourceDigest } from "./ir.js";
import { encodePointer, originAt, parseJsonSource, pathToSpan, type JsonPath, type JsonSource } from "./json-source.js";
import { linkAwsWorkspace } from "./link-aws.js";
import { lowerAwsAccount, lowerAwsGroup, lowerAwsPolicy, lowerAwsPrincipal, lowerAwsResource } from "./lower-aws.js";
import type { AwsManifest, PolicyEntry } from "./manifest-aws.js";
import { awsInlinePolicyEntryShellSchema } from "./schema/aws.js";
import { checkSchema, valueAt } from "./schema/issues.js";

/** A policy file read for a `file` entry of the manifest. */
export interface PolicyFile {
  /** Index of the entry in the manifest's valid policy entries ({@link AwsManifest.policies}). */
  readonly entry: number;
  /** The file's name in diagnostics and origins. */
  readonly file: string;
  readonly text: string;
}

export interface AwsWorkspaceInput {
  readonly manifestSource: JsonSource;
  readonly manifest: AwsManifest;
  /** Files of `file` entries, in entry order, each entry's files sorted. */
  readonly files: readonly PolicyFile[];
  readonly sources: readonly SourceDigest[];
  /**
   * The DSL reader, needed when a file is `.iam`. Passed in by the I/O edge, which loads the
   * grammar only for runs that read DSL files.
   */
  readonly parseIam?: typeof parseIamSource;
}

/** A policy document to lower, with where its id came from. */
interface Candidate {
  readonly id: string;
  readonly source: JsonSource;
  readonly path: JsonPath;
  /** Where the id is written (or, for a file stem, the manifest entry that named the file). */
  readonly idAt: { readonly source: JsonSource; readonly path: JsonPath };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The id a document names itself by: `Id`, else `name`. */
function ownName(document: unknown): { key: "Id" | "name"; value: string } | undefined {
  if (!isRecord(document)) return undefined;
  if (typeof document.Id === "string" && document.Id !== "") return { key: "Id", value: document.Id };
  if (typeof document.name === "string" && document.name !== "") return { key: "name", value: document.name };
  return undefined;
}

const stemOf = (file: string): string => basename(file, extname(file));

/** Builds the workspace IR from the checked manifest and the policy files' text. */
export function buildAwsWorkspace(input: AwsWorkspaceInput): Result<AwsWorkspace> {
  const { manifestSource, manifest } = input;
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, JsonSource>([[manifestSource.file, manifestSource]]);
  const broken = new Set(manifest.broken.policies);

  // 1. every document with its id
  const candidates: Candidate[] = [];
  manifest.policies.forEach((entry, index) => {
    if (entry.kind === "inline") {
      const path = [...entry.path, "document"];
      const named = ownName(valueAt(manifestSource.value, path));
      const id = entry.id ?? named?.value;
      if (id === undefined) {
        const span = pathToSpan(manifestSource, entry.path);
        diagnostics.push({
          code: "IAMC2002",
          severity: "error",
          message: "an inline policy needs an id",
          file: manifestSource.file,
          pointer: encodePointer([...entry.path, "id"]),
          ...(span ? { span } : {}),
          help: 'add `"id": "MyPolicy"` to the entry, or `"Id"` to the document',
        });
        return;
      }
      const idAt = entry.id !== undefined ? [...entry.path, "id"] : [...path, named!.key];
      candidates.push({ id, source: manifestSource, path, idAt: { source: manifestSource, path: idAt } });
      return;
    }
    for (const file of input.files.filter((f) => f.entry === index)) {
      if (isIamFile(file.file)) {
        if (input.parseIam === undefined) throw new InternalError(`buildAwsWorkspace: ${file.file} is a .iam file but no DSL reader was given`);
        candidates.push(...iamCandidates(entry, file, manifestSource, input.parseIam, { diagnostics, broken, sources }));
        continue;
      }
      const parsed = parseJsonSource(file.file, file.text);
      const named = parsed.value === undefined ? undefined : ownName(parsed.value.value);
      const id = entry.id ?? named?.value ?? stemOf(file.file);
      if (parsed.value === undefined) {
        diagnostics.push(...parsed.diagnostics);
        broken.add(id);
        continue;
      }
      sources.set(file.file, parsed.value);
      const idAt =
        entry.id !== undefined
          ? { source: manifestSource, path: [...entry.path, "id"] }
          : named !== undefined
            ? { source: parsed.value, path: [named.key] }
            : { source: manifestSource, path: [...entry.path, "file"] };
      candidates.push({ id, source: parsed.value, path: [], idAt });
    }
  });

  // 2. unique ids, then each policy lowered on its own
  const policies = new Map<string, Policy>();
  const firstAt = new Map<string, Candidate>();
  for (const candidate of candidates) {
    const first = firstAt.get(candidate.id);
    const lowered = lowerAwsPolicy(candidate);
    diagnostics.push(...lowered.diagnostics);
    if (first !== undefined) {
      diagnostics.push(duplicatePolicy(candidate, first));
      continue;
    }
    firstAt.set(candidate.id, candidate);
    if (lowered.value !== undefined) policies.set(candidate.id, lowered.value);
    else broken.add(candidate.id);
  }

  // 3. entities, then references
  const origin = (path: JsonPath) => originAt(manifestSource, path);
  const draft: AwsWorkspace = {
    model: "aws",
    policies,
    accounts: manifest.accounts.map((e) => lowerAwsAccount(e.value, origin(e.path))),
    groups: manifest.groups.map((e) => lowerAwsGroup(e.value, origin(e.path))),
    principals: manifest.principals.map((e) => lowerAwsPrincipal(e.value, origin(e.path))),
    resources: manifest.resources.map((e) => lowerAwsResource(e.value, origin(e.path))),
    sources: input.sources,
  };
  const linked = linkAwsWorkspace(draft, { sources, broken: { policies: broken, groups: manifest.broken.groups } });
  diagnostics.push(...linked.diagnostics);
  // INVARIANT: a workspace is returned only when nothing was wrong: ids unique, every reference
  // resolved, operators known, condition values well-formed (what ir.ts promises later stages)
  return { value: hasErrors(diagnostics) ? undefined : draft, diagnostics };
}

/** The model-wide parts a `.iam` policy file may not declare, by the field its declarations make. */
const NOT_IN_POLICY_FILES = "a `.iam` file listed in the manifest's `policies` holds policies only";

/**
 * The policies a `.iam` file listed in `policies` defines. Each is named by the manifest entry's
 * `id`, else its own name (`policy NAME`), else its document's `Id`, else the file's stem.
 */
function iamCandidates(
  entry: PolicyEntry & { kind: "file" },
  file: PolicyFile,
  manifestSource: JsonSource,
  parseIam: typeof parseIamSource,
  ctx: { diagnostics: Diagnostic[]; broken: Set<string>; sources: Map<string, JsonSource> },
): Candidate[] {
  const parsed = parseIam(file.file, file.text, { model: "aws" });
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
  const candidates: Candidate[] = [];
  const entries = Array.isArray(root.policies) ? root.policies : [];
  entries.forEach((raw, index) => {
    const path = ["policies", index];
    if (!isRecord(raw)) return;
    if (Object.hasOwn(raw, "file")) {
      error([...path, "file"], "a policy file cannot read other files", `list the file in the manifest's \`policies\` instead (${NOT_IN_POLICY_FILES})`);
      if (typeof raw.id === "string") ctx.broken.add(raw.id);
      return;
    }
    const checked = checkSchema(awsInlinePolicyEntryShellSchema, source, path, { rootLabel: `the policy` });
    ctx.diagnostics.push(...checked.diagnostics);
    const named = ownName(valueAt(source.value, [...path, "document"]));
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

function duplicatePolicy(second: Candidate, first: Candidate): Diagnostic {
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

/** Orders diagnostics by file (in `fileOrder`, others last), then by position, else as found. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[], fileOrder: readonly string[]): Diagnostic[] {
  const rank = new Map(fileOrder.map((file, i) => [file, i] as const));
  const fileRank = (d: Diagnostic) => (d.file === undefined ? fileOrder.length : (rank.get(d.file) ?? fileOrder.length));
  const offset = (d: Diagnostic) => d.span?.offset ?? Number.MAX_SAFE_INTEGER;
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => fileRank(a.d) - fileRank(b.d) || offset(a.d) - offset(b.d) || a.i - b.i)
    .map(({ d }) => d);
}
