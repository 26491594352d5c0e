// The manifest, checked: its model, then each list entry on its own, so that one bad entry does
// not hide the errors of the others, and the good entries still go on to be linked.
import { InternalError, type Diagnostic } from "./diagnostics.js";
import { encodePointer, pathToSpan, type JsonPath, type JsonSource } from "./json-source.js";
import {
  IMPLEMENTED_MODELS,
  KNOWN_MODELS,
  awsAccountSchema,
  awsFilePolicyEntrySchema,
  awsGroupSchema,
  awsInlinePolicyEntryShellSchema,
  awsManifestShellSchema,
  awsPrincipalEntrySchema,
  awsResourceSchema,
  type AwsAccountEntry,
  type AwsGroupEntry,
  type AwsPrincipalEntry,
  type AwsResourceEntry,
} from "./schema/aws.js";
import { checkSchema, describeKind } from "./schema/issues.js";
import { didYouMean } from "./suggest.js";
import type * as z from "zod";

/**
 * The outcome of a stage that recovers: `value` holds what was valid (bad parts left out) and
 * `diagnostics` what was not. Callers decide whether to go on.
 */
export interface Checked<T> {
  readonly value: T;
  readonly diagnostics: readonly Diagnostic[];
}

/** A manifest entry with the path where it sits. */
export interface Located<T> {
  readonly value: T;
  readonly path: JsonPath;
}

/** A policy entry of the manifest. */
export type PolicyEntry =
  | { readonly kind: "inline"; readonly id?: string; readonly path: JsonPath }
  | { readonly kind: "file"; readonly id?: string; readonly file: string; readonly path: JsonPath };

/** Ids named by entries that failed to check: references to them are not reported again. */
export interface BrokenIds {
  readonly policies: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
}

/** The valid entries of an `aws` manifest. */
export interface AwsManifest {
  readonly model: "aws";
  readonly policies: readonly PolicyEntry[];
  readonly accounts: readonly Located<AwsAccountEntry>[];
  readonly groups: readonly Located<AwsGroupEntry>[];
  readonly principals: readonly Located<AwsPrincipalEntry>[];
  readonly resources: readonly Located<AwsResourceEntry>[];
  readonly broken: BrokenIds;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** How a model's policy entries are checked: their schemas, and the key a document names itself by. */
export interface PolicyEntryDialect {
  readonly fileEntrySchema: z.ZodType<{ id?: string | undefined; file: string }>;
  readonly inlineEntryShellSchema: z.ZodType<{ id?: string | undefined }>;
  /** The document's own name field, for ids of entries that failed (`Id` for aws, `name` for krutrim). */
  readonly nameKey: string;
}

const AWS_POLICY_ENTRIES: PolicyEntryDialect = {
  fileEntrySchema: awsFilePolicyEntrySchema,
  inlineEntryShellSchema: awsInlinePolicyEntryShellSchema,
  nameKey: "Id",
};

/**
 * Checks the manifest's model: an object with a known, implemented `model`. The value is the
 * model's name, or undefined when the manifest cannot be read as any workspace.
 */
export function checkModel(source: JsonSource): Checked<string | undefined> {
  const root = source.value;
  const error = (path: JsonPath, code: Diagnostic["code"], message: string, help: string): Diagnostic => {
    const span = pathToSpan(source, path);
    return { code, severity: "error", message, file: source.file, pointer: encodePointer(path), ...(span ? { span } : {}), help };
  };
  if (!isRecord(root)) {
    return {
      value: undefined,
      diagnostics: [error([], "IAMC2001", `the manifest must be an object, not ${describeKind(root)}`, 'write `{"model": "aws", "policies": [...]}`')],
    };
  }
  if (!Object.hasOwn(root, "model")) {
    const span = pathToSpan(source, []);
    return {
      value: undefined,
      diagnostics: [
        { code: "IAMC2002", severity: "error", message: "missing required field `model`", file: source.file, pointer: "/model", ...(span ? { span } : {}), help: 'add `"model": "aws"`' },
      ],
    };
  }
  const model = root.model;
  if (typeof model !== "string") {
    return { value: undefined, diagnostics: [error(["model"], "IAMC2001", `\`model\` must be a string, not ${describeKind(model)}`, 'write `"model": "aws"`')] };
  }
  if (!(KNOWN_MODELS as readonly string[]).includes(model)) {
    const known = KNOWN_MODELS.map((m) => `\`${m}\``).join(", ");
    const suggestion = didYouMean(model, KNOWN_MODELS);
    return {
      value: undefined,
      diagnostics: [error(["model"], "IAMC2010", `unknown model \`${model}\``, suggestion === undefined ? `known models: ${known}` : `${suggestion} known models: ${known}`)],
    };
  }
  if (!IMPLEMENTED_MODELS.includes(model)) {
    const implemented = IMPLEMENTED_MODELS.map((m) => `\`${m}\``).join(" and ");
    return {
      value: undefined,
      diagnostics: [error(["model"], "IAMC2012", `model \`${model}\` is not implemented yet`, `only ${implemented} workspaces can be compiled so far`)],
    };
  }
  return { value: model, diagnostics: [] };
}

/**
 * Checks an `aws` manifest: its model, then its entries. The value is undefined when the manifest
 * cannot be read as a workspace at all (not an object, unknown or unimplemented model). Other
 * models' manifests go through `checkWorkspaceManifest` (manifest.ts).
 */
export function checkManifest(source: JsonSource): Checked<AwsManifest | undefined> {
  const model = checkModel(source);
  if (model.value === undefined) return { value: undefined, diagnostics: model.diagnostics };
  if (model.value !== "aws") throw new InternalError(`checkManifest reads \`aws\` manifests, not \`${model.value}\`: use checkWorkspaceManifest`);
  return checkAwsManifest(source, source.value as Record<string, unknown>);
}

/** Checks the entries of an `aws` manifest whose model was checked. */
export function checkAwsManifest(source: JsonSource, root: Record<string, unknown>): Checked<AwsManifest> {
  const diagnostics: Diagnostic[] = [...checkSchema(awsManifestShellSchema, source, [], { rootLabel: "the manifest" }).diagnostics];
  const brokenPolicies = new Set<string>();
  const brokenGroups = new Set<string>();
  const entries = <T>(key: string, schema: z.ZodType<T>, broken?: Set<string>): Located<T>[] =>
    checkEntryList(source, root, key, schema, diagnostics, broken);

  const manifest: AwsManifest = {
    model: "aws",
    policies: checkPolicyEntries(source, root, AWS_POLICY_ENTRIES, diagnostics, brokenPolicies),
    accounts: entries("accounts", awsAccountSchema),
    groups: entries("groups", awsGroupSchema, brokenGroups),
    principals: entries("principals", awsPrincipalEntrySchema),
    resources: entries("resources", awsResourceSchema),
    broken: { policies: brokenPolicies, groups: brokenGroups },
  };
  return { value: manifest, diagnostics };
}

/**
 * Checks each entry of the list `root[key]` on its own with `schema`; returns the valid ones. The
 * ids of invalid entries go to `broken`, so that references to them are not reported again.
 */
export function checkEntryList<T>(
  source: JsonSource,
  root: Record<string, unknown>,
  key: string,
  schema: z.ZodType<T>,
  diagnostics: Diagnostic[],
  broken?: Set<string>,
): Located<T>[] {
  const out: Located<T>[] = [];
  const list = Array.isArray(root[key]) ? (root[key] as unknown[]) : [];
  list.forEach((raw, index) => {
    const path = [key, index];
    const checked = checkSchema(schema, source, path, { rootLabel: `\`${key}[${index}]\`` });
    diagnostics.push(...checked.diagnostics);
    if (checked.value !== undefined) out.push({ value: checked.value, path });
    else if (broken !== undefined && isRecord(raw) && typeof raw.id === "string") broken.add(raw.id);
  });
  return out;
}

/**
 * Checks the `policies` entries: each is `{id?, document}` or `{id?, file}`. The document itself
 * is left for the model's policy checker. Ids of entries that failed go to `broken`.
 */
export function checkPolicyEntries(
  source: JsonSource,
  root: Record<string, unknown>,
  dialect: PolicyEntryDialect,
  diagnostics: Diagnostic[],
  broken: Set<string>,
): PolicyEntry[] {
  const policies: PolicyEntry[] = [];
  const list = Array.isArray(root.policies) ? (root.policies as unknown[]) : [];
  list.forEach((raw, index) => {
    const path = ["policies", index];
    const rawId = isRecord(raw) && typeof raw.id === "string" ? raw.id : undefined;
    const hasDocument = isRecord(raw) && Object.hasOwn(raw, "document");
    const hasFile = isRecord(raw) && Object.hasOwn(raw, "file");
    if (hasDocument && hasFile) {
      const span = pathToSpan(source, [...path, "file"], "key");
      diagnostics.push({
        code: "IAMC2013",
        severity: "error",
        message: "a policy entry has both `document` and `file`",
        file: source.file,
        pointer: encodePointer([...path, "file"]),
        ...(span ? { span } : {}),
        help: "keep `document` for a policy written here, or `file` for policies read from files",
      });
      if (rawId !== undefined) broken.add(rawId);
      return;
    }
    if (isRecord(raw) && !hasDocument && !hasFile) {
      const span = pathToSpan(source, path);
      diagnostics.push({
        code: "IAMC2002",
        severity: "error",
        message: "a policy entry needs `document` or `file`",
        file: source.file,
        pointer: encodePointer([...path, "document"]),
        ...(span ? { span } : {}),
        help: 'add `"document": {...}` with the policy, or `"file": "policies/*.json"`',
      });
      if (rawId !== undefined) broken.add(rawId);
      return;
    }
    const context = { rootLabel: `\`policies[${index}]\`` };
    const checked: { value: { id?: string | undefined; file?: string } | undefined; diagnostics: readonly Diagnostic[] } = hasFile
      ? checkSchema(dialect.fileEntrySchema, source, path, context)
      : checkSchema(dialect.inlineEntryShellSchema, source, path, context);
    diagnostics.push(...checked.diagnostics);
    if (checked.value === undefined) {
      const ownName = isRecord(raw) && isRecord(raw.document) ? raw.document[dialect.nameKey] : undefined;
      if (rawId !== undefined) broken.add(rawId);
      else if (typeof ownName === "string") broken.add(ownName);
      return;
    }
    const id = checked.value.id;
    if (checked.value.file !== undefined) {
      policies.push({ kind: "file", ...(id === undefined ? {} : { id }), file: checked.value.file, path });
    } else policies.push({ kind: "inline", ...(id === undefined ? {} : { id }), path });
  });
  return policies;
}
