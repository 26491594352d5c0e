// Wire shapes shared by the bundle writer (compiler) and reader (runtime). Field names are the
// bytes: renaming one is a format change (bump FORMAT_VERSION in format.ts).

/** A piece of a template on the wire: text with wildcards, inert literal text, or a variable. */
export type WirePart =
  | readonly ["t", string]
  | readonly ["l", string]
  | readonly ["v", string]
  | readonly ["v", string, string];

export type WireTemplate = readonly WirePart[];

/** One (operator, key) condition, as the compiler lowered it from the IR. */
export interface WireCondition {
  /** The operator without qualifier or `IfExists`: `StringEquals`, `IpAddress`, ... */
  readonly op: string;
  /** Set qualifier: "" none, "any" ForAnyValue, "all" ForAllValues. */
  readonly q: "" | "any" | "all";
  /** `...IfExists`. */
  readonly ie: boolean;
  /** The condition key as written; keys compare case-insensitively. */
  readonly key: string;
  readonly vals: readonly WireTemplate[];
}

/** The condition key under which a residual resource check reads the request's resource. */
export const RESOURCE_KEY = "iamc:resource";

/** Set in a sparse map's mask when its keys ignore the resource group (they use group 0). */
export const GROUP_BLIND = 1 << 30;

/**
 * cloudalus: the key of a request that names an `identity` or `via`, under which a bundle lists
 * the class of that adoption. The compiler builds the keys, the runtime the one it looks up.
 */
export function adoptionKey(principal: string, identity: string | undefined, via: readonly string[] | undefined): string {
  const trusts = via === undefined ? "\u0001" : [...new Set(via)].sort().join("\u0000");
  return `${principal}\u0000${identity ?? "\u0001"}\u0000${trusts}`;
}
