// zod issues → iamc diagnostics: each issue's path becomes a JSON pointer and a line:column span,
// each issue kind a stable code, and the message says what to change.
import type * as z from "zod";
import type { Diagnostic, DiagnosticCode, Result } from "../diagnostics.js";
import { encodePointer, pathToSpan, type JsonPath, type JsonSource } from "../json-source.js";
import { didYouMean } from "../suggest.js";

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

/** How the checked value is named in messages when the issue is at its root. */
export interface CheckContext {
  readonly rootLabel: string;
}

/**
 * Validates the value at `path` of `source` with `schema`. Every issue becomes a diagnostic
 * located in the file; unknown fields get a did-you-mean.
 */
export function checkSchema<T>(
  schema: z.ZodType<T>,
  source: JsonSource,
  path: JsonPath,
  context: CheckContext,
): Result<T> {
  const value = valueAt(source.value, path);
  const reserved = reservedKeys(value, path);
  if (reserved.length > 0) {
    // a manifest and the policy documents inside it are checked in turn: report each key once
    let reported = RESERVED_REPORTED.get(source);
    if (reported === undefined) RESERVED_REPORTED.set(source, (reported = new Set()));
    const fresh = reserved.filter((at) => !reported.has(encodePointer(at)));
    for (const at of fresh) reported.add(encodePointer(at));
    return {
      value: undefined,
      diagnostics: fresh.map((at): Diagnostic => {
        const span = pathToSpan(source, at, "key");
        return {
          code: "IAMC2018", severity: "error", file: source.file, pointer: encodePointer(at), ...(span ? { span } : {}),
          message: "`__proto__` cannot be a key: JavaScript objects would drop it, silently changing what the policy says",
          help: "rename the key (a tag or condition key named `__proto__` cannot be honoured)",
        };
      }),
    };
  }
  const result = schema.safeParse(value);
  if (result.success) return { value: result.data, diagnostics: [] };
  const diagnostics = issuesToDiagnostics(result.error.issues, schema, source, path, context);
  return { value: undefined, diagnostics };
}

const RESERVED_REPORTED = new WeakMap<JsonSource, Set<string>>();

/**
 * Paths of every `__proto__` key in a JSON value. The JSON reader keeps such keys as data, but
 * zod's records (tags, condition blocks) build ordinary objects, where assigning `__proto__`
 * sets the prototype: the key would vanish, and a condition with it. So they are refused.
 */
function reservedKeys(value: unknown, path: JsonPath): JsonPath[] {
  const found: JsonPath[] = [];
  const visit = (v: unknown, at: JsonPath) => {
    if (Array.isArray(v)) v.forEach((item, i) => visit(item, [...at, i]));
    else if (isRecord(v)) {
      for (const key of Object.keys(v)) {
        if (key === "__proto__") found.push([...at, key]);
        else visit(v[key], [...at, key]);
      }
    }
  };
  visit(value, path);
  return found;
}

/** The plain value at `path` of `root`, or undefined. */
export function valueAt(root: unknown, path: JsonPath): unknown {
  let value = root;
  for (const segment of path) {
    if (Array.isArray(value) && typeof segment === "number") value = value[segment];
    else if (isRecord(value) && Object.hasOwn(value, segment)) value = value[segment];
    else return undefined;
  }
  return value;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `a string`, `an array`, `null`: how a JSON value's kind reads in a message. */
export function describeKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string": return "a string";
    case "number": return "a number";
    case "boolean": return "a boolean";
    case "object": return "an object";
    default: return "nothing";
  }
}

/** How a path reads in a message: the last key with the indices after it, `Action[1]`. */
export function labelOf(path: JsonPath, rootLabel: string): string {
  let end = path.length;
  while (end > 0 && typeof path[end - 1] === "number") end--;
  const indices = path.slice(end).map((index) => `[${String(index)}]`).join("");
  if (end === 0) return indices === "" ? rootLabel : `${rootLabel}${indices}`;
  return `\`${String(path[end - 1])}${indices}\``;
}

// ---------------------------------------------------------------------------------------------
// Walking schemas (to find allowed keys, union options, descriptions)

interface SchemaDef {
  readonly type: string;
  readonly innerType?: AnySchema;
  readonly in?: AnySchema;
  readonly shape?: Record<string, AnySchema>;
  readonly element?: AnySchema;
  readonly valueType?: AnySchema;
  readonly options?: readonly AnySchema[];
  readonly values?: readonly unknown[];
  readonly entries?: Record<string, unknown>;
  readonly getter?: () => AnySchema;
}

const defOf = (schema: AnySchema): SchemaDef => schema._zod.def as unknown as SchemaDef;

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "nonoptional", "readonly", "catch"]);

/** The schema without optional/default/pipe wrappers. */
function unwrap(schema: AnySchema): AnySchema {
  for (;;) {
    const def = defOf(schema);
    if (WRAPPERS.has(def.type) && def.innerType !== undefined) schema = def.innerType;
    else if (def.type === "pipe" && def.in !== undefined) schema = def.in;
    else if (def.type === "lazy" && def.getter !== undefined) schema = def.getter();
    else return schema;
  }
}

/** The schema of the value at `path` below `schema`, or undefined when the path leaves it. */
function schemaAt(schema: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
  if (path.length === 0) return schema;
  const inner = unwrap(schema);
  const def = defOf(inner);
  const [head, ...rest] = path;
  switch (def.type) {
    case "object": {
      const child = def.shape?.[String(head)];
      return child === undefined ? undefined : schemaAt(child, rest);
    }
    case "array":
      return def.element === undefined ? undefined : schemaAt(def.element, rest);
    case "record":
      return def.valueType === undefined ? undefined : schemaAt(def.valueType, rest);
    case "union":
      for (const option of def.options ?? []) {
        const found = schemaAt(option, path);
        if (found !== undefined) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

const descriptionOf = (schema: AnySchema | undefined): string | undefined =>
  schema === undefined ? undefined : ((schema as z.ZodType).description ?? (unwrap(schema) as z.ZodType).description);

/** Field names an object schema allows. */
function objectKeys(schema: AnySchema | undefined): string[] {
  if (schema === undefined) return [];
  const def = defOf(unwrap(schema));
  if (def.type === "object") return Object.keys(def.shape ?? {});
  if (def.type === "union") return (def.options ?? []).flatMap((option) => objectKeys(option));
  return [];
}

/** `a string`, `an array`, `` `*` ``: what a schema accepts, in a message. */
function describeSchema(schema: AnySchema): string[] {
  const def = defOf(unwrap(schema));
  switch (def.type) {
    case "string": return ["a string"];
    case "number": return ["a number"];
    case "boolean": return ["a boolean"];
    case "array": return ["an array"];
    case "object": case "record": return ["an object"];
    case "literal": return (def.values ?? []).map((value) => `\`${String(value)}\``);
    case "enum": return Object.values(def.entries ?? {}).map((value) => `\`${String(value)}\``);
    case "union": return (def.options ?? []).flatMap(describeSchema);
    default: return ["a valid value"];
  }
}

const orList = (items: readonly string[]): string => {
  const unique = [...new Set(items)];
  if (unique.length <= 1) return unique[0] ?? "";
  return `${unique.slice(0, -1).join(", ")} or ${unique[unique.length - 1]}`;
};

// ---------------------------------------------------------------------------------------------
// Issues

/** Whether an issue says "the value at the root has the wrong kind" (as opposed to a deeper problem). */
function isRootMismatch(issue: Issue, value: unknown): boolean {
  if (issue.path.length > 0) return false;
  if (issue.code === "invalid_type") return true;
  if (issue.code === "invalid_value") return !issue.values.some((allowed) => typeof allowed === typeof value);
  if (issue.code === "invalid_union") return issue.errors.every((branch) => branch.some((i) => isRootMismatch(i, value)));
  return false;
}

interface MapContext {
  readonly source: JsonSource;
  readonly rootLabel: string;
  readonly out: Diagnostic[];
  /** Help from an enclosing union, for branches whose schemas say nothing themselves. */
  readonly fallbackHelp?: string | undefined;
}

function issuesToDiagnostics(
  issues: readonly Issue[],
  schema: AnySchema,
  source: JsonSource,
  base: JsonPath,
  context: CheckContext,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  mapIssues(issues, schema, base, { source, rootLabel: context.rootLabel, out });
  // one location, one complaint: a union's branches can repeat each other
  const seen = new Set<string>();
  return out.filter((d) => {
    const key = `${d.code} ${d.pointer ?? ""} ${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function mapIssues(issues: readonly Issue[], schema: AnySchema, base: JsonPath, ctx: MapContext): void {
  for (const issue of issues) mapIssue(issue, schema, base, ctx);
}

function toPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((segment) => (typeof segment === "number" ? segment : String(segment)));
}

function mapIssue(issue: Issue, schema: AnySchema, base: JsonPath, ctx: MapContext): void {
  const relative = toPath(issue.path);
  const path = [...base, ...relative];
  const value = valueAt(ctx.source.value, path);
  const here = schemaAt(schema, relative);
  // the nearest description on the way down says what belongs here
  const schemaHelp = (): string | undefined => {
    for (let end = relative.length; end >= 0; end--) {
      const description = descriptionOf(schemaAt(schema, relative.slice(0, end)));
      if (description !== undefined) return lowerFirst(description);
    }
    return ctx.fallbackHelp;
  };
  const label = labelOf(path, ctx.rootLabel);
  const emit = (code: DiagnosticCode, message: string, help?: string, at: JsonPath = path, target: "value" | "key" = "value") => {
    const span = pathToSpan(ctx.source, at, target) ?? nearestSpan(ctx.source, at);
    ctx.out.push({
      code,
      severity: "error",
      message,
      file: ctx.source.file,
      pointer: encodePointer(at),
      ...(span === undefined ? {} : { span }),
      ...(help === undefined ? {} : { help }),
    });
  };

  // a missing field reads as a type error on `undefined`: say it is missing, at its object
  const parent = valueAt(ctx.source.value, path.slice(0, -1));
  const key = path[path.length - 1];
  if (value === undefined && typeof key === "string" && isRecord(parent) && !Object.hasOwn(parent, key)) {
    const description = descriptionOf(here);
    const span = pathToSpan(ctx.source, path.slice(0, -1));
    ctx.out.push({
      code: "IAMC2002",
      severity: "error",
      message: `missing required field \`${key}\``,
      file: ctx.source.file,
      pointer: encodePointer(path),
      ...(span === undefined ? {} : { span }),
      help: description === undefined ? `add \`${key}\`` : `add \`${key}\`: ${lowerFirst(description)}`,
    });
    return;
  }

  switch (issue.code) {
    case "invalid_type": {
      const expected = here === undefined ? [`a ${issue.expected}`] : describeSchema(here);
      emit("IAMC2001", `${label} must be ${orList(expected)}, not ${describeKind(value)}`, schemaHelp());
      return;
    }
    case "invalid_value": {
      const allowed = issue.values.map((v) => `\`${String(v)}\``);
      if (!issue.values.some((v) => typeof v === typeof value)) {
        emit("IAMC2001", `${label} must be ${orList(allowed)}, not ${describeKind(value)}`, schemaHelp());
        return;
      }
      const written = typeof value === "string" ? `\`${value}\`` : describeKind(value);
      const suggestion =
        typeof value === "string" ? didYouMean(value, issue.values.filter((v): v is string => typeof v === "string")) : undefined;
      emit(
        "IAMC2004",
        `${label} must be ${orList(allowed)}, not ${written}`,
        suggestion === undefined ? `use ${orList(allowed)}` : `${suggestion} (values are case-sensitive)`,
      );
      return;
    }
    case "unrecognized_keys": {
      const allowed = objectKeys(here);
      for (const unknownKey of issue.keys) {
        const suggestion = didYouMean(unknownKey, allowed);
        const help =
          suggestion ?? (allowed.length === 0 ? "remove it" : `remove it; allowed fields: ${allowed.map((k) => `\`${k}\``).join(", ")}`);
        emit("IAMC2003", `unknown field \`${unknownKey}\``, help, [...path, unknownKey], "key");
      }
      return;
    }
    case "invalid_union": {
      // follow the branch that fits the value's kind; if none does, the kind itself is wrong
      const options = here === undefined ? [] : (defOf(unwrap(here)).options ?? []);
      const fitting = issue.errors.findIndex((branch) => !branch.some((i) => isRootMismatch(i, value)));
      const option = options[fitting];
      if (fitting >= 0 && option !== undefined) {
        mapIssues(issue.errors[fitting]!, option, path, { ...ctx, fallbackHelp: schemaHelp() });
        return;
      }
      const expected = here === undefined ? ["a valid value"] : describeSchema(here);
      emit("IAMC2001", `${label} must be ${orList(expected)}, not ${describeKind(value)}`, schemaHelp());
      return;
    }
    case "too_small": {
      const what = issue.origin === "array" ? "an empty array" : issue.origin === "string" ? "empty" : `too small (at least ${String(issue.minimum)})`;
      const help = issue.origin === "array" ? "list at least one value, or remove the field if it is optional" : schemaHelp();
      emit("IAMC2001", `${label} must not be ${what}`, help);
      return;
    }
    case "invalid_format": {
      const written = typeof value === "string" ? `, not \`${value}\`` : "";
      emit("IAMC2001", `${label} ${issue.message}${written}`, schemaHelp());
      return;
    }
    default: {
      const params = (issue as { params?: { code?: DiagnosticCode; help?: string } }).params;
      emit(params?.code ?? "IAMC2001", `${label}: ${issue.message.toLowerCase()}`, params?.help ?? schemaHelp());
    }
  }
}

const lowerFirst = (text: string): string => {
  const trimmed = text.replace(/\.$/, "");
  return trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
};


/** The span of the closest enclosing value that exists in the file. */
function nearestSpan(source: JsonSource, path: JsonPath) {
  for (let end = path.length; end >= 0; end--) {
    const span = pathToSpan(source, path.slice(0, end));
    if (span !== undefined) return span;
  }
  return undefined;
}
