// `iamc fmt` and `iamc convert`: reading a workspace or a policy in either syntax, and writing
// it in the other (or the same one, canonically). Reading files happens here; parsing and
// printing are the grammar's pure functions. Nothing is written by these functions.
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { placeComments, plainValue, printIam, writeCanonicalJson, type RawNumbers, type ValueProblem } from "../grammar/index.js";
import type { Diagnostic } from "./diagnostics.js";
import { isIamFile, parseIamSource, valueDiagnostic, type IamSource } from "./iam-source.js";
import { encodePointer, parseJsonSource, pathToSpan, type JsonPath, type JsonSource } from "./json-source.js";
import { expandFileEntry, readSource } from "./load-workspace.js";

/** What a file holds: a whole workspace (a manifest), or policies only. */
export type ConvertKind = "manifest" | "policy" | "tests";

export interface ConvertOptions {
  /** How to read a policy file's statements (default: `aws`, or guessed from a JSON document's shape). */
  readonly model?: string;
}

export interface ConvertResult {
  /** The output text, when there was no error. */
  readonly text: string | undefined;
  readonly kind?: ConvertKind;
  readonly diagnostics: readonly Diagnostic[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const fail = (diagnostics: readonly Diagnostic[]): ConvertResult => ({ text: undefined, diagnostics: byPosition(diagnostics) });

/** Diagnostics of one file in the order of their place in it. */
const byPosition = (diagnostics: readonly Diagnostic[]): Diagnostic[] =>
  diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.file ?? "").localeCompare(b.d.file ?? "") || (a.d.span?.offset ?? Infinity) - (b.d.span?.offset ?? Infinity) || a.i - b.i)
    .map(({ d }) => d);

/** A policy file's own name: `Id` for `aws` and `cloudalus` documents, `name` for `krutrim` ones. */
const nameKeyOf = (model: string): "Id" | "name" => (model === "krutrim" ? "name" : "Id");

/** Several sources' written numbers as one lookup (each knows its own objects). */
const allRawNumbers = (maps: readonly RawNumbers[]): RawNumbers => ({
  get: (container, key) => {
    for (const map of maps) {
      const found = map.get(container, key);
      if (found !== undefined) return found;
    }
    return undefined;
  },
});

async function readText(file: string): Promise<{ text: string } | Diagnostic> {
  const read = await readSource(file);
  if ("reason" in read) {
    return { code: read.code, severity: "error", message: `cannot read \`${file}\`: ${read.reason}`, file, help: read.help ?? "check the path" };
  }
  return read;
}

/** `iamc fmt`: the canonical text of a `.iam` file, with its comments. */
export async function formatFile(file: string, options: ConvertOptions = {}): Promise<{ original?: string; text?: string; diagnostics: readonly Diagnostic[] }> {
  if (!isIamFile(file)) {
    return {
      diagnostics: [{ code: "IAMC1004", severity: "error", message: `\`${file}\` is not a \`.iam\` file`, file, help: "`iamc fmt` formats DSL files; `iamc convert IN.json -o OUT.json` writes canonical JSON" }],
    };
  }
  const read = await readText(file);
  if (!("text" in read)) return { diagnostics: [read] };
  const parsed = parseIamSource(file, read.text, options);
  if (parsed.value === undefined) return { diagnostics: parsed.diagnostics };
  const printed = printSource(parsed.value, parsed.value.value);
  return { original: read.text, ...printed };
}

function printSource(source: IamSource, value: unknown): { text?: string; diagnostics: readonly Diagnostic[] } {
  const printed = printIam(value, {
    model: source.model,
    rawNumbers: source.rawNumbers,
    comments: placeComments(source.tree, source.text, source.comments),
  });
  if (printed.text === undefined) return { diagnostics: byPosition(printed.problems.map((p) => valueDiagnostic(source.file, p, source))) };
  return { text: printed.text, diagnostics: [] };
}

/**
 * `iamc convert`: `input` (`.json` or `.iam`, a manifest or a policy) in the form `output`'s
 * extension names. A JSON manifest's policy files are written inline; a DSL workspace's `from`
 * paths are rewritten relative to the output's folder.
 */
export async function convertFile(input: string, output: string, options: ConvertOptions = {}): Promise<ConvertResult> {
  const read = await readText(input);
  if (!("text" in read)) return fail([read]);
  const toDsl = isIamFile(output);
  const rebase = rebaser(dirname(resolve(input)), dirname(resolve(output)));
  if (isIamFile(input)) {
    const parsed = parseIamSource(input, read.text, options);
    if (parsed.value === undefined) return fail(parsed.diagnostics);
    const source = parsed.value;
    const kind = isRecord(source.value) && Object.hasOwn(source.value, "tests") && !source.declaresModel ? "tests" : dslKind(source);
    if (toDsl) {
      const printed = printSource(source, kind === "policy" ? source.value : rebase(source.value));
      return { text: printed.text, kind, diagnostics: printed.diagnostics };
    }
    if (kind !== "policy") return { text: writeCanonicalJson(rebase(source.value), "manifest", { rawNumbers: source.rawNumbers }), kind, diagnostics: [] };
    const document = documentOfFragment(source);
    if (!("document" in document)) return fail(document.diagnostics);
    return { text: writeCanonicalJson(document.document, "document", { rawNumbers: source.rawNumbers }), kind, diagnostics: [] };
  }

  const parsed = parseJsonSource(input, read.text);
  if (parsed.value === undefined) return fail(parsed.diagnostics);
  const source = parsed.value;
  const { value, rawNumbers } = plainValue(source.tree, source.text);
  if (isRecord(value) && Object.hasOwn(value, "model")) {
    const model = typeof value.model === "string" ? value.model : "aws";
    const inlined = await inlinePolicies(source, value, model);
    if (inlined.diagnostics.length > 0) return fail(inlined.diagnostics);
    const numbers = allRawNumbers([rawNumbers, ...inlined.rawNumbers]);
    if (!toDsl) return { text: writeCanonicalJson(inlined.value, "manifest", { rawNumbers: numbers }), kind: "manifest", diagnostics: [] };
    const printed = printIam(inlined.value, { model, rawNumbers: numbers });
    if (printed.text === undefined) return fail(printed.problems.map((p) => inlined.locate(p)));
    return { text: printed.text, kind: "manifest", diagnostics: [] };
  }
  if (isRecord(value) && Object.hasOwn(value, "tests")) {
    // a policy test file: the same value, in the other form, its workspace path moved
    const tests = rebase(value);
    if (!toDsl) return { text: writeCanonicalJson(tests, "manifest", { rawNumbers }), kind: "tests", diagnostics: [] };
    const printed = printIam(tests, { model: options.model ?? "aws", rawNumbers });
    if (printed.text === undefined) return fail(printed.problems.map((p) => valueDiagnostic(input, p, source)));
    return { text: printed.text, kind: "tests", diagnostics: [] };
  }
  if (!toDsl) return { text: writeCanonicalJson(value, "document", { rawNumbers }), kind: "policy", diagnostics: [] };
  const model = options.model ?? guessModel(value);
  const printed = printIam(fragmentOfDocument(value, model), { model, rawNumbers });
  if (printed.text === undefined) {
    // the fragment's document sits at /policies/0/document; the JSON file's at its root
    return fail(printed.problems.map((p) => valueDiagnostic(input, { ...p, path: p.path.slice(3) }, source)));
  }
  return { text: printed.text, kind: "policy", diagnostics: [] };
}

/** A `.iam` file holds a workspace when it declares a model or anything but inline policies. */
function dslKind(source: IamSource): ConvertKind {
  const root = source.value;
  if (!isRecord(root) || source.declaresModel) return "manifest";
  if (Object.keys(root).some((key) => key !== "policies")) return "manifest";
  const policies = root.policies;
  if (!Array.isArray(policies)) return "manifest";
  return policies.every((entry) => isRecord(entry) && !Object.hasOwn(entry, "file")) ? "policy" : "manifest";
}

/** The one JSON document a `.iam` policy file stands for: its policy's name becomes the document's. */
function documentOfFragment(source: IamSource): { document: unknown } | { diagnostics: Diagnostic[] } {
  const root = source.value as Record<string, unknown>;
  const policies = Array.isArray(root.policies) ? (root.policies as Record<string, unknown>[]) : [];
  const error = (path: JsonPath, message: string, help: string): { diagnostics: Diagnostic[] } => {
    const span = pathToSpan(source, path, path.length > 0 ? "key" : "value");
    return { diagnostics: [{ code: "IAMC1107", severity: "error", message, file: source.file, pointer: encodePointer(path), ...(span ? { span } : {}), help }] };
  };
  if (policies.length !== 1) {
    return error(policies.length === 0 ? [] : ["policies", 1], `the file holds ${policies.length} policies; a JSON policy file holds one`, "write each policy to a file of its own, or convert a whole workspace (a file with `model aws`)");
  }
  const entry = policies[0]!;
  const document = entry.document;
  if (!isRecord(document)) return error(["policies", 0], "the policy has no body", "write the policy's statements in `{ ... }`");
  if (entry.id === undefined) return { document };
  const key = nameKeyOf(source.model);
  if (document[key] === undefined) return { document: { [key]: entry.id, ...document } };
  if (document[key] === entry.id) return { document };
  return error(
    ["policies", 0, "document", key],
    `the policy's name \`${String(entry.id)}\` and its \`${key}\` \`${String(document[key])}\` differ`,
    `a JSON policy file has one name, its \`${key}\`: keep one of the two`,
  );
}

/** A JSON policy document as a `.iam` policy file: its own name (`Id`, `name`) becomes the policy's. */
function fragmentOfDocument(document: unknown, model: string): Record<string, unknown> {
  const key = nameKeyOf(model);
  if (isRecord(document) && typeof document[key] === "string" && document[key] !== "") {
    const rest = Object.fromEntries(Object.entries(document).filter(([k]) => k !== key));
    return { policies: [{ id: document[key], document: rest }] };
  }
  return { policies: [{ document }] };
}

/** The model a JSON policy document is written for, from its shape. */
function guessModel(document: unknown): string {
  if (!isRecord(document)) return "aws";
  if (Object.hasOwn(document, "rules")) return "krutrim";
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  if (statements.some((s) => isRecord(s) && (Object.hasOwn(s, "Identity") || Object.hasOwn(s, "NotIdentity")))) return "cloudalus";
  return "aws";
}

/** Rewrites a workspace's relative `file` paths from the input's folder to the output's. */
function rebaser(from: string, to: string): (value: unknown) => unknown {
  if (from === to) return (value) => value;
  return (value) => {
    if (isRecord(value) && typeof value.workspace === "string" && !isAbsolute(value.workspace)) {
      // a policy test file names its workspace relative to itself
      const moved = relative(to, join(from, value.workspace)).split(sep).join("/") || ".";
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "workspace" ? moved : v]));
    }
    if (!isRecord(value) || !Array.isArray(value.policies)) return value;
    const policies = value.policies.map((entry) => {
      if (!isRecord(entry) || typeof entry.file !== "string" || isAbsolute(entry.file)) return entry;
      const moved = relative(to, join(from, entry.file)).split(sep).join("/");
      return Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, k === "file" ? moved : v]));
    });
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "policies" ? policies : v]));
  };
}

interface Inlined {
  readonly value: Record<string, unknown>;
  readonly rawNumbers: RawNumbers[];
  readonly diagnostics: Diagnostic[];
  /** A printing problem at a path of the inlined value, located in the file the value came from. */
  locate(problem: ValueProblem): Diagnostic;
}

/**
 * The manifest with every `file` entry replaced by the policies its files hold, each as
 * `{id, document}` named as compiling would name it (so ids, and decisions, stay the same).
 */
async function inlinePolicies(manifest: JsonSource, root: Record<string, unknown>, model: string): Promise<Inlined> {
  const baseDir = dirname(manifest.file);
  const diagnostics: Diagnostic[] = [];
  const rawNumbers: RawNumbers[] = [];
  // where each inlined entry's document came from
  const origins: { source: JsonSource; documentPath: JsonPath; entryPath: JsonPath }[] = [];
  const policies: unknown[] = [];
  const error = (path: JsonPath, code: Diagnostic["code"], message: string, help: string) => {
    const span = pathToSpan(manifest, path);
    diagnostics.push({ code, severity: "error", message, file: manifest.file, pointer: encodePointer(path), ...(span ? { span } : {}), help });
  };
  const entries = Array.isArray(root.policies) ? root.policies : undefined;
  for (const [index, entry] of (entries ?? []).entries()) {
    const entryPath = ["policies", index];
    if (!isRecord(entry) || typeof entry.file !== "string" || Object.hasOwn(entry, "document")) {
      policies.push(entry);
      origins.push({ source: manifest, documentPath: [...entryPath, "document"], entryPath });
      continue;
    }
    const at = [...entryPath, "file"];
    const matches = await expandFileEntry(entry.file, baseDir);
    if (!Array.isArray(matches)) {
      error(at, "IAMC1003", matches.message, matches.help);
      continue;
    }
    const id = typeof entry.id === "string" ? entry.id : undefined;
    for (const match of matches) {
      const file = isAbsolute(match) ? match : join(baseDir, match);
      const stem = basename(file, extname(file));
      const read = await readSource(file);
      if ("reason" in read) {
        error(at, read.code, `cannot read \`${file}\`: ${read.reason}`, read.help ?? "the path is relative to the manifest's folder");
        continue;
      }
      if (isIamFile(file)) {
        const parsed = parseIamSource(file, read.text, { model });
        if (parsed.value === undefined) {
          diagnostics.push(...parsed.diagnostics);
          continue;
        }
        const fragment = parsed.value;
        rawNumbers.push(fragment.rawNumbers);
        const fragmentRoot = isRecord(fragment.value) ? fragment.value : {};
        for (const key of Object.keys(fragmentRoot).filter((k) => k !== "policies")) {
          const span = pathToSpan(fragment, [key], "key");
          diagnostics.push({
            code: "IAMC1104",
            severity: "error",
            message: `\`${key}\` cannot be declared in a policy file`,
            file,
            pointer: encodePointer([key]),
            ...(span ? { span } : {}),
            help: `move it to the manifest \`${manifest.file}\`: a \`.iam\` file listed in \`policies\` holds policies only`,
          });
        }
        const own = Array.isArray(fragmentRoot.policies) ? fragmentRoot.policies : [];
        own.forEach((policy, k) => {
          if (!isRecord(policy)) return;
          const named = id ?? (typeof policy.id === "string" ? policy.id : undefined) ?? (hasOwnName(policy.document) ? undefined : stem);
          policies.push(withId(policy, named));
          origins.push({ source: fragment, documentPath: ["policies", k, "document"], entryPath: ["policies", k] });
        });
        continue;
      }
      if (extname(file).toLowerCase() !== ".json") {
        error(at, "IAMC1004", `\`${match}\` is not a policy file iamc reads`, "policy files are AWS JSON documents named `*.json`, or DSL files named `*.iam`");
        continue;
      }
      const parsed = parseJsonSource(file, read.text);
      if (parsed.value === undefined) {
        diagnostics.push(...parsed.diagnostics);
        continue;
      }
      const document = plainValue(parsed.value.tree, parsed.value.text);
      rawNumbers.push(document.rawNumbers);
      const named = id ?? (hasOwnName(document.value) ? undefined : stem);
      policies.push({ ...(named === undefined ? {} : { id: named }), document: document.value });
      origins.push({ source: parsed.value, documentPath: [], entryPath: at });
    }
  }
  const value = entries === undefined ? root : Object.fromEntries(Object.entries(root).map(([k, v]) => [k, k === "policies" ? policies : v]));
  return {
    value,
    rawNumbers,
    diagnostics,
    locate(problem) {
      const [head, index, part, ...rest] = problem.path;
      const origin = head === "policies" && typeof index === "number" ? origins[index] : undefined;
      if (origin === undefined) return valueDiagnostic(manifest.file, problem, manifest);
      const path = part === "document" ? [...origin.documentPath, ...rest] : origin.entryPath;
      return valueDiagnostic(origin.source.file, { ...problem, path }, origin.source);
    },
  };
}

function hasOwnName(document: unknown): boolean {
  return isRecord(document) && ((typeof document.Id === "string" && document.Id !== "") || (typeof document.name === "string" && document.name !== ""));
}

function withId(entry: Record<string, unknown>, id: string | undefined): Record<string, unknown> {
  if (id === undefined || entry.id === id) return entry;
  const { id: _dropped, ...rest } = entry;
  return { id, ...rest };
}
