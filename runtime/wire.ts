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

/** Most literals a wild gate holds (WireDimension.gate): each costs a check one `indexOf`. */
export const WILD_GATE_MAX = 4;

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

// The load-ready layout of a bundle's integer tables (formats 7 and 8), shared by the writer
// (compiler/bundle.ts, compiler/layout-sparse-maps.ts) and the reader (runtime/index.ts,
// runtime/pair-table.ts). The compiler derives every table the runtime reads; the runtime takes
// them as they are and range-checks them.

/**
 * An automaton state: NODE ints in `nodes`, one record per state plus a sentinel record whose
 * N_EDGES ends the last state's edges. States are numbered in preorder of the trie, so a chain of
 * one-child states (most of a trie of ARNs) is a run of consecutive records.
 */
export const NODE = 4;
/** The state's run character (its edge to the next state, taken by one compare), RUN_NONE, RUN_SINK, or an aux record (see RUN_AUX). */
export const N_RUN = 0;
/** First of the state's other edges, in (character, target) pairs of `edges`; the next record's N_EDGES ends them. */
export const N_EDGES = 1;
/** The target for characters no edge names (-1: dead). */
export const N_OTHER = 2;
export const N_CLASS = 3;
/** No run character: the state's edges are all in `edges`. */
export const RUN_NONE = -1;
/** A sink: no edge, and every character stays. Once there the class cannot change. */
export const RUN_SINK = -2;
/** N_RUN <= RUN_AUX: the state has a skip list or a fan row; its aux record is RUN_AUX - N_RUN. */
export const RUN_AUX = -3;
/** An aux record: AUX ints in `aux`. */
export const AUX = 3;
/** The run character, or -1. */
export const A_RUN = 0;
/**
 * When at most three characters leave the state and every other one stays: the index of those
 * three (padded with -1) in `skip`; else -1. The walk then finds the next such character without
 * stepping: the `*`s of `arn:aws:*:::*\/secret/*` wait for a `:` or a `/` this way.
 */
export const A_SKIP = 1;
/** The state's row in `fan` (large automata, states with many edges): one load per character. */
export const A_FAN = 2;

/** A leaf: LEAF ints in `leaves.record`, one record per leaf plus a sentinel ending the last lists. */
export const LEAF = 4;
export const L_DENY = 0;
export const L_ALLOW = 1;
/** First of the leaf's open statements in `leaves.open` (OPEN ints each); the next record's L_OPEN ends them. */
export const L_OPEN = 2;
/** First of the leaf's matched statements in `leaves.matched`; the next record's L_MATCHED ends them. */
export const L_MATCHED = 3;
/** An open statement: provenance id, verdict slot, 1 for a deny, predicate id. */
export const OPEN = 4;

/**
 * A sparse map: MAP_HEAD ints in `head`, for its two parts, its explicit entries and its defaults
 * (which several maps may share). A part's size >= 0: a list of that many entries at its offset
 * in `slots`; size < 0: a hash table of -size slots there (hashKey in pair-table.ts, linear
 * probing). An entry or slot is ENTRY ints: main class (-1 in defaults, EMPTY_MAIN for a free
 * slot), bits, group, value (-1 in a free slot).
 */
export const MAP_HEAD = 5;
export const H_MASK = 0;
export const H_EXPLICIT = 1;
export const H_EXPLICIT_SIZE = 2;
export const H_DEFAULTS = 3;
export const H_DEFAULTS_SIZE = 4;
export const ENTRY = 4;
export const EMPTY_MAIN = -2;
