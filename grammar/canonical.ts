// The canonical JSON form of a workspace or policy: a fixed key order per kind of object, two
// spaces of indentation (as `JSON.stringify(value, null, 2)` lays it out), numbers as written, a
// final newline. JSON in this form survives JSON -> DSL -> JSON byte for byte.
import { NO_RAW_NUMBERS, type RawNumbers } from "./located.js";

/** Key orders; keys not listed follow the listed ones in the order they came. */
export const CANONICAL_ORDER = {
  manifest: ["$schema", "model", "policies", "accounts", "roles", "groups", "principals", "users", "accessKeys", "trusts", "resources"],
  policyEntry: ["id", "file", "document"],
  document: ["name", "description", "Version", "Id", "Statement", "rules"],
  statement: ["Sid", "Effect", "Principal", "NotPrincipal", "Identity", "NotIdentity", "Action", "NotAction", "Resource", "NotResource", "Condition"],
  rule: ["Sid", "service", "operations", "effect", "resources"],
  principal: ["AWS", "Service", "Federated", "CanonicalUser"],
  /** A policy test: its name, the request (who, as whom, what, on what, with what), the decision it wants. */
  testCase: ["name", "principal", "identity", "via", "action", "resource", "context", "expect"],
  entity: [
    "id", "kind", "account", "identity", "trustee", "owner", "policies", "policy", "roles", "groups", "boundary",
    "sessionPolicies", "scps", "rcps", "tags",
  ],
} as const;

export type ObjectKind = keyof typeof CANONICAL_ORDER | "other";

/** Manifest lists whose items are entities. */
export const ENTITY_LISTS: ReadonlySet<string> = new Set(["accounts", "roles", "groups", "principals", "users", "accessKeys", "trusts", "resources"]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The keys of `object` in canonical order for its kind. */
export function orderedKeys(object: Record<string, unknown>, kind: ObjectKind): string[] {
  const keys = Object.keys(object);
  if (kind === "other") return keys;
  const order: readonly string[] = CANONICAL_ORDER[kind];
  const rank = (key: string) => {
    const index = order.indexOf(key);
    return index === -1 ? order.length : index;
  };
  return keys.map((key, index) => ({ key, index })).sort((a, b) => rank(a.key) - rank(b.key) || a.index - b.index).map((e) => e.key);
}

/** What kind of object the child `key` of an object of kind `parent` is. */
function childKind(parent: ObjectKind, key: string | number, value: unknown): ObjectKind {
  switch (parent) {
    case "manifest":
      return "other";
    case "policyEntry":
      return key === "document" ? "document" : "other";
    case "document":
      if (key === "Statement") return "statement";
      if (key === "rules") return "rule";
      return "other";
    case "statement":
      return key === "Principal" || key === "NotPrincipal" ? "principal" : "other";
    default:
      return isRecord(value) ? "other" : "other";
  }
}

/** The kind of the items of the list `key` of an object of kind `parent`. */
function itemKind(parent: ObjectKind, key: string | number): ObjectKind {
  if (parent === "manifest" && key === "policies") return "policyEntry";
  if (parent === "manifest" && typeof key === "string" && ENTITY_LISTS.has(key)) return "entity";
  if (parent === "manifest" && key === "tests") return "testCase";
  if (parent === "document" && key === "Statement") return "statement";
  if (parent === "document" && key === "rules") return "rule";
  return "other";
}

export interface JsonWriteOptions {
  /** Numbers as written in the source (`2.50` stays `2.50`). */
  readonly rawNumbers?: RawNumbers;
}

/** Canonical JSON text of a manifest (`root` = "manifest") or of a policy document (`root` = "document"). */
export function writeCanonicalJson(value: unknown, root: "manifest" | "document", options: JsonWriteOptions = {}): string {
  const raw = options.rawNumbers ?? NO_RAW_NUMBERS;
  const write = (v: unknown, kind: ObjectKind, listItems: ObjectKind, indent: string, container?: object, key?: string | number): string => {
    if (typeof v === "number") {
      const written = container === undefined || key === undefined ? undefined : raw.get(container, key);
      return written ?? JSON.stringify(v);
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      const inner = indent + "  ";
      const items = v.map((item, index) => inner + write(item, isRecord(item) ? listItems : "other", "other", inner, v, index));
      return `[\n${items.join(",\n")}\n${indent}]`;
    }
    if (isRecord(v)) {
      const keys = orderedKeys(v, kind);
      if (keys.length === 0) return "{}";
      const inner = indent + "  ";
      const entries = keys.map((k) => {
        const child = v[k];
        return `${inner}${JSON.stringify(k)}: ${write(child, childKind(kind, k, child), itemKind(kind, k), inner, v, k)}`;
      });
      return `{\n${entries.join(",\n")}\n${indent}}`;
    }
    return JSON.stringify(v) ?? "null";
  };
  return write(value, isRecord(value) ? root : "other", "other", "") + "\n";
}
