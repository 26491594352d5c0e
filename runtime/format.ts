// The `.iamc` wire format and its reader. This file owns the format: the magic, FORMAT_VERSION,
// the msgpackr options, and the payload's field names. A change to the bytes bumps
// FORMAT_VERSION. The writer is compiler/encode-bundle.ts: the runtime only reads bundles, so it
// carries no encoder.
//
//   offset 0   4 bytes  magic "IAMC"
//          4   u32 LE   FORMAT_VERSION
//          8   u32 LE   payload length N
//         12   N bytes  payload: one msgpack map (WirePayload), no extension types
//     12 + N   32 bytes SHA-256 of bytes [0, 12 + N)
//     44 + N   u32 LE   signature block length S (0: unsigned)
//     48 + N   S bytes  msgpack [key id, ed25519 signature of bytes [0, 44 + N)]
//
// Formats 7 to 9 are load-ready (8 adds the wild gate, 9 resume points). The payload's first field,
// `tables`, is one binary holding every integer table the runtime reads (TABLE_NAMES, lengths in
// `tableLengths`), each exactly as the runtime reads it: little-endian Int32, after a pad byte
// count that makes the first table start 4-byte aligned in the bundle. Loading takes Int32Array
// views of it (one copy when the bytes are not aligned or the engine is big-endian), range-checks
// them with linear loops and builds nothing: the compiler derived the automata's records, dense and
// fan rows, skip lists and columns, the sparse maps' hash tables and the leaves' records
// (runtime/wire.ts has the layout). What only explain and the analysis commands read (statement
// provenance and texts, literal spellings) is one more binary, `cold`, a nested msgpack map decoded
// on first use; the payload keeps its statement count so that loading can range-check statement ids
// without it.
import { Unpackr } from "msgpackr";
import { sha256 } from "./sha256.js";
import { BundleError } from "./errors.js";
import type { WireCondition } from "./wire.js";

export const MAGIC = new Uint8Array([0x49, 0x41, 0x4d, 0x43]); // "IAMC"
export const FORMAT_VERSION = 9;
/** The frame (see above): magic, version and payload length; the digest; the signature block's length. */
export const HEADER_BYTES = 12;
export const DIGEST_BYTES = 32;
export const SIGNATURE_LENGTH_BYTES = 4;

// Pinned msgpackr options: plain maps and arrays only, no records or structures (their reader
// generates code), no extensions, identical bytes for identical input.
export const MSGPACK_OPTIONS = { useRecords: false, structuredClone: false, moreTypes: false, mapsAsObjects: true, int64AsType: "number" } as const;
const unpackr = new Unpackr(MSGPACK_OPTIONS);

/**
 * The integer tables of a payload, in the order `tables` stores them. Per dimension and
 * automaton (layout in runtime/wire.ts): `nodes` (NODE ints per state, plus a sentinel), `edges`
 * ((character, target) pairs of the edges other than run edges, by state, then character),
 * `aux` (AUX ints per state with a skip list or fan row), `skip` (3 characters per skip list),
 * `dense` (small automata: states x width targets, column 0 for characters no edge names; else
 * empty), `fan` (large automata: width targets per fan row), `ascii` (the column of each ASCII
 * character), `wide` ((character, column) pairs of the others edges name). Per dimension:
 * `mainFacts` (per main class: bits, group or -1), `wildFacts` (per wild class: bits, group,
 * KMS key 0/1), `spellingFacts` (per cached spelling: main class, bits, group, KMS key) and
 * `resume` (per main state: a depth and a wild state, such that every string whose main walk
 * passes through the state leads the wild automaton to that state in its first depth characters;
 * empty when the wild automaton matches nothing: compiler/prefilter.ts resumePoints).
 *
 * Why Int32 throughout, when format 6 stored each table in the narrowest of 1, 2 or 4 bytes:
 * widening cost the load more (measured at 100,000 statements: ~26 ms of a ~240 ms load, and an
 * Int32 copy of every table on the heap) than the narrow tables saved in digest time (~0.6 ms per
 * MB); the 100,000-statement tables were 4 bytes wide already. Int32 views need no copy at all.
 */
export const TABLE_NAMES = [
  "actions.main.nodes", "actions.main.edges", "actions.main.aux", "actions.main.skip",
  "actions.main.dense", "actions.main.fan", "actions.main.ascii", "actions.main.wide",
  "actions.wild.nodes", "actions.wild.edges", "actions.wild.aux", "actions.wild.skip",
  "actions.wild.dense", "actions.wild.fan", "actions.wild.ascii", "actions.wild.wide",
  "actions.mainFacts", "actions.wildFacts", "actions.spellingFacts", "actions.resume",
  "resources.main.nodes", "resources.main.edges", "resources.main.aux", "resources.main.skip",
  "resources.main.dense", "resources.main.fan", "resources.main.ascii", "resources.main.wide",
  "resources.wild.nodes", "resources.wild.edges", "resources.wild.aux", "resources.wild.skip",
  "resources.wild.dense", "resources.wild.fan", "resources.wild.ascii", "resources.wild.wide",
  "resources.mainFacts", "resources.wildFacts", "resources.spellingFacts", "resources.resume",
  /** Per principal (payload.principals), per outsider account, per class: its class, class, kind. */
  "principalClass", "outsiderAccountClass", "classKind",
  /** Per class: (action class) -> row; per row: (resource class) -> leaf. Sparse maps (runtime/pair-table.ts; compiler/layout-sparse-maps.ts lays them out). */
  "classActions.head", "classActions.slots", "rows.head", "rows.slots",
  /** Terms of kind k, group g, kms m: termBits[termStart[i] .. termStart[i+1]), i = (k * groupCount + g) * 2 + m. */
  "termStart", "termBits",
  /** LEAF ints per leaf and a sentinel; OPEN ints per open statement; matched statements' provenance ids. */
  "leaves.record", "leaves.open", "leaves.matched",
] as const;

export type TableName = (typeof TABLE_NAMES)[number];
export type PayloadTables = { readonly [K in TableName]: Int32Array };
export type DimensionName = "actions" | "resources";
export type AutomatonName = "main" | "wild";
export type AutomatonTable = "nodes" | "edges" | "aux" | "skip" | "dense" | "fan" | "ascii" | "wide";

/** An automaton's tables: `tables[automatonTable("actions", "main", "nodes")]`. */
export function automatonTable(dimension: DimensionName, automaton: AutomatonName, table: AutomatonTable): TableName {
  return `${dimension}.${automaton}.${table}`;
}

/**
 * An automaton as analysis tools read it (TableInspector): per state its edges
 * edgeChar/edgeTarget[edgeStart[s] .. edgeStart[s+1]) sorted by character, the target of any
 * other character (-1: dead) and its class. Integer tables as int32Bytes writes them. Bundles
 * store the load-ready form instead; the inspector rebuilds this one when asked.
 */
export interface WireAutomaton {
  readonly edgeStart: Uint8Array;
  readonly edgeChar: Uint8Array;
  readonly edgeTarget: Uint8Array;
  readonly otherTarget: Uint8Array;
  readonly stateClass: Uint8Array;
}

/** A dimension (actions or resources): a main automaton (a trie in effect) and a wild one; their tables are in `tables`. */
export interface WireDimension {
  readonly groupCount: number;
  /** Columns of the dense and fan rows: 1 + the characters edges name. */
  readonly mainWidth: number;
  readonly wildWidth: number;
  /** Exact spellings the policies use (actions), for the analysis commands. Cold: loading does not read them. */
  readonly literals: readonly string[];
  /**
   * The literals again when there are few (SPELLINGS_MAX at most; none otherwise), classified by
   * the compiler (tables.spellingFacts): the runtime finds them with one hash lookup instead of a
   * walk (see SPELLINGS_MAX).
   */
  readonly spellings: readonly string[];
  /**
   * The wild gate (compiler/prefilter.ts): literals one of which every string a wild statement
   * pattern matches contains ([] when there is no such pattern). For a string holding none, the
   * wild walk only looks for what the ARN probes find (account group, KMS key), stopping once no
   * probe can match. Absent: no gate, always walk. Only on dimensions compared exactly
   * (resources); WILD_GATE_MAX literals at most.
   */
  readonly gate?: readonly string[];
}

/**
 * The most spellings a dimension caches: the compiler's (WireDimension.spellings), then, for
 * actions, those the runtime learns as requests ask for them. A `Map` lookup beats the walk at
 * every size measured (77 ns against 142 at 10,000 actions), but the runtime builds the `Map` at
 * load: ~5 ms for 10,000 spellings, ~40 ms for 100,000, which would break the load budget.
 */
export const SPELLINGS_MAX = 16384;

/** Everything a bundle holds, as the compiler writes it and decodeBundle returns it. */
export interface BundlePayload {
  /** The model the bundle was compiled from; the runtime reads every model the same way. */
  readonly model: "aws" | "krutrim" | "cloudalus";
  readonly compiler: string;
  readonly sources: readonly (readonly [string, string])[];
  /**
   * The build, when `compile --revision` recorded it: a revision number that only grows, and
   * when it was built (ISO 8601). Absent otherwise, so identical inputs give identical bytes.
   */
  readonly build?: { readonly revision: number; readonly createdAt: string };
  /** Layer name of each verdict bit. */
  readonly slots: readonly string[];
  readonly accounts: readonly string[];
  /** Resource groups: 0 unknown account, 1 another account, 2 + i accounts[i]. */
  readonly groupCount: number;
  readonly actions: WireDimension;
  readonly resources: WireDimension;
  /** Principal ids; their classes are tables.principalClass. */
  readonly principals: readonly string[];
  /** Account ids; the class of unnamed callers from each is tables.outsiderAccountClass. */
  readonly outsiderAccounts: readonly string[];
  readonly stranger: number;
  readonly anonymous: number;
  /**
   * -1: requests name only a principal (aws, krutrim). Otherwise (cloudalus) a request that names
   * an `identity` or `via` is looked up by adoptionKey, and one the bundle does not list gets this
   * class.
   */
  readonly refused: number;
  readonly classes: {
    readonly names: readonly string[];
    /** Per class: [lower-cased key, value or null] the manifest fixes for open conditions. */
    readonly facts: readonly (readonly (readonly [string, unknown])[])[];
  };
  readonly kinds: readonly {
    readonly outsider: boolean;
    readonly account: string | null;
    readonly role: boolean;
    readonly boundary: boolean;
    readonly session: boolean;
    readonly scpLevels: number;
  }[];
  readonly predicates: readonly (readonly WireCondition[])[];
  readonly tables: PayloadTables;
  /** Cold: only explain and the analysis commands read it. */
  readonly provenance: {
    readonly policy: readonly string[];
    readonly sid: readonly (string | null)[];
    readonly index: Uint8Array;
    readonly layer: readonly string[];
    readonly deny: Uint8Array;
    /** The statements as written, one WireStatementSource per provenance id, msgpack-encoded in one binary. */
    readonly text: Uint8Array;
  };
}

/** A payload as the runtime loads it: the cold part (provenance, literals) still encoded in `cold`. */
export interface WirePayload extends Omit<BundlePayload, "actions" | "resources" | "provenance"> {
  readonly actions: Omit<WireDimension, "literals">;
  readonly resources: Omit<WireDimension, "literals">;
  /** How many provenance ids there are. */
  readonly statements: number;
  readonly cold: Uint8Array;
}

/** What `cold` holds. */
export interface ColdPayload {
  readonly literals: readonly [actions: readonly string[], resources: readonly string[]];
  readonly provenance: BundlePayload["provenance"];
}

/**
 * A statement as written, for explain and analysis: [actions, NotAction?, resources,
 * NotResource?, principals (null outside resource policies), NotPrincipal?, conditions (one
 * line each: `StringEquals aws:SourceVpc vpc-1, vpc-2`), `file:line:col` or null].
 */
export type WireStatementSource = readonly [
  actions: readonly string[], notAction: boolean,
  resources: readonly string[], notResource: boolean,
  principals: readonly string[] | null, notPrincipal: boolean,
  conditions: readonly string[], at: string | null,
];

/** Decodes `provenance.text`; throws BundleError when it is not a list of statement sources. */
export function decodeStatementSources(bytes: Uint8Array, count: number): readonly WireStatementSource[] {
  if (!(bytes instanceof Uint8Array)) throw new BundleError("IAMC5005", "the bundle's statement texts are not bytes");
  assertPlainMsgpack(bytes);
  const value: unknown = unpackr.unpack(bytes);
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === "string");
  const ok = Array.isArray(value) && value.length === count && value.every((s: unknown) =>
    Array.isArray(s) && s.length === 8 && strings(s[0]) && typeof s[1] === "boolean" && strings(s[2]) && typeof s[3] === "boolean" &&
    (s[4] === null || strings(s[4])) && typeof s[5] === "boolean" && strings(s[6]) && (s[7] === null || typeof s[7] === "string"));
  if (!ok) throw new BundleError("IAMC5005", "the bundle's statement texts are malformed");
  return value as readonly WireStatementSource[];
}

/**
 * An integer table -> bytes: one byte giving the width (1, 2 or 4: the narrowest signed
 * little-endian integer that holds every value), then the values. For the tables only explain
 * and the analysis commands read (provenance, inspected automata), which no load widens.
 */
export function int32Bytes(values: ArrayLike<number>): Uint8Array {
  const width = narrowestWidth(values);
  const bytes = new Uint8Array(1 + values.length * width);
  bytes[0] = width;
  // By byte stores (a Uint8Array keeps the low 8 bits), not a DataView call per value.
  if (width === 1) {
    for (let i = 0; i < values.length; i++) bytes[1 + i] = values[i]!;
  } else if (width === 2) {
    for (let i = 0, at = 1; i < values.length; i++, at += 2) {
      const v = values[i]!;
      bytes[at] = v;
      bytes[at + 1] = v >> 8;
    }
  } else {
    for (let i = 0, at = 1; i < values.length; i++, at += 4) {
      const v = values[i]!;
      bytes[at] = v;
      bytes[at + 1] = v >> 8;
      bytes[at + 2] = v >> 16;
      bytes[at + 3] = v >> 24;
    }
  }
  return bytes;
}

/** The narrowest signed little-endian integer width, 1, 2 or 4 bytes, that holds every value. */
function narrowestWidth(values: ArrayLike<number>): 1 | 2 | 4 {
  let min = 0;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min >= -0x80 && max <= 0x7f ? 1 : min >= -0x8000 && max <= 0x7fff ? 2 : 4;
}

/** Bytes from int32Bytes -> Int32Array (the hot path reads one element type, whatever the width). */
export function bytesInt32(bytes: Uint8Array): Int32Array {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new BundleError("IAMC5004", "an integer table is not bytes with a width");
  const width = bytes[0]!;
  if ((width !== 1 && width !== 2 && width !== 4) || (bytes.length - 1) % width !== 0) {
    throw new BundleError("IAMC5004", "an integer table has a bad width or length");
  }
  const out = new Int32Array((bytes.length - 1) / width);
  if (width === 1) {
    for (let i = 0; i < out.length; i++) out[i] = (bytes[1 + i]! << 24) >> 24;
  } else if (width === 2) {
    for (let i = 0, at = 1; i < out.length; i++, at += 2) out[i] = ((bytes[at]! | (bytes[at + 1]! << 8)) << 16) >> 16;
  } else {
    for (let i = 0, at = 1; i < out.length; i++, at += 4) out[i] = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
  }
  return out;
}

/** A SHA-256 function: the runtime's own (portable), or a native one passed in at the edges. */
export type Sha256 = (data: Uint8Array) => Uint8Array;

/**
 * Signs the signed part of a bundle (everything up to and including the digest): the key's id and
 * the signature. Signing happens at the edges (node:crypto); the format only carries the result.
 */
export type BundleSigner = (message: Uint8Array) => { readonly keyId: string; readonly signature: Uint8Array };

/**
 * Checks a bundle's signature: whether `signature` by the key `keyId` is valid for `message`.
 * False for a key it does not trust. The runtime core takes one so that it stays engine-neutral.
 */
export type BundleVerifier = (message: Uint8Array, signature: Uint8Array, keyId: string) => boolean;

/** The strings a dictionary names, or undefined when its indices are not all in range. */
function undictionary(names: unknown, indices: unknown): string[] | undefined {
  if (!Array.isArray(names) || !names.every((n) => typeof n === "string") || !(indices instanceof Uint8Array)) return undefined;
  const ids = bytesInt32(indices);
  const out: string[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const name = names[ids[i]!] as string | undefined;
    if (name === undefined) return undefined;
    out[i] = name;
  }
  return out;
}

/** Whether this engine stores integers little-endian, as the arena does: then a table's bytes there are its Int32Array's. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The tables of an arena as Int32Array views (of a copy when they are not aligned or the engine is big-endian). */
function tablesOf(arena: unknown, lengths: unknown): PayloadTables {
  if (!(arena instanceof Uint8Array) || arena.length < 4 || !Array.isArray(lengths) || lengths.length !== TABLE_NAMES.length) {
    throw malformed("its integer tables are missing");
  }
  let total = 0;
  for (const n of lengths) {
    if (!Number.isSafeInteger(n) || n < 0) throw malformed("a table length is not a count");
    total += n as number;
  }
  const pad = arena[0]!;
  if (pad > 3 || arena.length !== 4 + 4 * total) throw malformed("its integer tables disagree with their lengths");
  let buffer: ArrayBufferLike = arena.buffer;
  let at = arena.byteOffset + 1 + pad;
  if (at % 4 !== 0 || !LITTLE_ENDIAN) {
    const copy = arena.slice(1 + pad, 1 + pad + 4 * total);
    if (!LITTLE_ENDIAN) {
      for (let i = 0; i < copy.length; i += 4) {
        const [b0, b1] = [copy[i]!, copy[i + 1]!];
        copy[i] = copy[i + 3]!;
        copy[i + 1] = copy[i + 2]!;
        copy[i + 2] = b1;
        copy[i + 3] = b0;
      }
    }
    buffer = copy.buffer;
    at = 0;
  }
  const tables: Partial<Record<TableName, Int32Array>> = {};
  TABLE_NAMES.forEach((name, i) => {
    const n = lengths[i] as number;
    tables[name] = new Int32Array(buffer, at, n);
    at += 4 * n;
  });
  return tables as PayloadTables;
}

function malformed(message: string): BundleError {
  return new BundleError("IAMC5005", `the bundle payload is malformed: ${message}`);
}

/** The key id a bundle is signed with, or undefined when it is unsigned (after decodeBundle accepted its frame). */
export function signatureKeyId(bytes: Uint8Array): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const signed = HEADER_BYTES + view.getUint32(8, true) + DIGEST_BYTES;
  const block = readSignatureBlock(bytes, signed);
  return block?.keyId;
}

/** The signature block at `signed` (after the digest): undefined when the bundle is unsigned. */
function readSignatureBlock(bytes: Uint8Array, signed: number): { keyId: string; signature: Uint8Array } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(signed, true);
  if (length === 0) return undefined;
  const block = bytes.subarray(signed + SIGNATURE_LENGTH_BYTES, signed + SIGNATURE_LENGTH_BYTES + length);
  assertPlainMsgpack(block);
  let value: unknown;
  try {
    value = unpackr.unpack(block);
  } catch {
    throw new BundleError("IAMC5007", "the bundle's signature block cannot be decoded");
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== "string" || !(value[1] instanceof Uint8Array)) {
    throw new BundleError("IAMC5007", "the bundle's signature block is malformed");
  }
  return { keyId: value[0], signature: value[1] };
}

/**
 * Checks the frame, the digest and (when a verifier is given) the signature, then decodes the
 * payload, cold part included. Throws BundleError with a stable code: IAMC5002 not a bundle,
 * IAMC5003 unknown format version, IAMC5004 truncated or corrupt, IAMC5005 not a decision table,
 * IAMC5007 unsigned or not signed by a trusted key. The tables are views of `bytes`.
 */
export function decodeBundle(bytes: Uint8Array, digestOf: Sha256 = sha256, verify?: BundleVerifier): BundlePayload {
  return expandPayload(readPayload(bytes, digestOf, verify));
}

/** The payload with its cold part decoded. */
export function expandPayload(wire: WirePayload): BundlePayload {
  const cold = decodeCold(wire.cold, wire.statements);
  const { tables, actions, resources, statements: _statements, cold: _cold, ...rest } = wire;
  return {
    ...rest,
    actions: { ...actions, literals: cold.literals[0] },
    resources: { ...resources, literals: cold.literals[1] },
    tables,
    provenance: cold.provenance,
  };
}

/**
 * As decodeBundle, leaving the cold part encoded (loading does not read it): checks the frame,
 * the digest and the signature, decodes the payload's map and takes views of its tables.
 */
export function readPayload(bytes: Uint8Array, digestOf: Sha256 = sha256, verify?: BundleVerifier): WirePayload {
  if (!(bytes instanceof Uint8Array)) throw new BundleError("IAMC5002", "a bundle must be given as bytes (Uint8Array)");
  if (bytes.length < 4 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new BundleError("IAMC5002", "not an iamc bundle: the magic number `IAMC` is missing");
  }
  if (bytes.length < HEADER_BYTES) throw new BundleError("IAMC5004", "the bundle is truncated: its header is incomplete");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) {
    throw new BundleError("IAMC5003", `bundle format version ${version} is not supported (this runtime reads version ${FORMAT_VERSION}); recompile it with a matching iamc`);
  }
  const length = view.getUint32(8, true);
  const signed = HEADER_BYTES + length + DIGEST_BYTES;
  if (bytes.length < signed + SIGNATURE_LENGTH_BYTES) {
    throw new BundleError("IAMC5004", `the bundle is truncated: expected at least ${signed + SIGNATURE_LENGTH_BYTES} bytes, found ${bytes.length}`);
  }
  const blockLength = view.getUint32(signed, true);
  if (bytes.length !== signed + SIGNATURE_LENGTH_BYTES + blockLength) {
    throw new BundleError("IAMC5004", `the bundle is truncated or has trailing bytes: expected ${signed + SIGNATURE_LENGTH_BYTES + blockLength} bytes, found ${bytes.length}`);
  }
  const digest = digestOf(bytes.subarray(0, HEADER_BYTES + length));
  const stored = bytes.subarray(HEADER_BYTES + length, signed);
  if (digest.some((b, i) => b !== stored[i])) {
    throw new BundleError("IAMC5004", "the bundle is corrupt: its SHA-256 digest does not match its contents");
  }
  const block = readSignatureBlock(bytes, signed);
  if (verify !== undefined) {
    if (block === undefined) throw new BundleError("IAMC5007", "the bundle is not signed, and keys are configured: only signed bundles are accepted");
    let valid = false;
    try {
      valid = verify(bytes.subarray(0, signed), block.signature, block.keyId);
    } catch {
      valid = false;
    }
    if (!valid) throw new BundleError("IAMC5007", `the bundle's signature (key \`${block.keyId}\`) is not valid for any trusted key`);
  }
  const body = bytes.subarray(HEADER_BYTES, HEADER_BYTES + length);
  assertPlainMsgpack(body);
  let payload: unknown;
  try {
    payload = unpackr.unpack(body);
  } catch (error) {
    throw new BundleError("IAMC5004", `the bundle payload cannot be decoded: ${(error as Error).message}`);
  }
  const map = typeof payload === "object" && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
  if (map.model !== "aws" && map.model !== "krutrim" && map.model !== "cloudalus") {
    throw new BundleError("IAMC5005", "the bundle payload is not an iamc decision table");
  }
  const { tables, tableLengths, ...rest } = map;
  if (!(rest.cold instanceof Uint8Array) || !Number.isSafeInteger(rest.statements) || (rest.statements as number) < 0) {
    throw malformed("its statement section is missing");
  }
  const arena = tablesOf(tables, tableLengths);
  // When the tables had to be copied (unaligned bytes), the cold part is copied too: then the
  // authorizer reads nothing of the caller's bytes, and detaching them changes nothing.
  const cold = arena["leaves.record"].buffer === (tables as Uint8Array).buffer ? rest.cold : rest.cold.slice();
  return { ...rest, cold, tables: arena } as unknown as WirePayload;
}

/** Decodes the cold part of a payload; throws BundleError IAMC5005 when it is not what iamc writes. */
export function decodeCold(bytes: Uint8Array, statements: number): ColdPayload {
  assertPlainMsgpack(bytes);
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch {
    throw malformed("its statement section cannot be decoded");
  }
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === "string");
  const cold = value as { literals?: unknown; provenance?: Record<string, unknown> } | undefined;
  const p = cold?.provenance;
  if (typeof cold !== "object" || cold === null || !Array.isArray(cold.literals) || cold.literals.length !== 2 || !strings(cold.literals[0]) || !strings(cold.literals[1]) ||
    typeof p !== "object" || p === null || !(p.index instanceof Uint8Array) || !(p.deny instanceof Uint8Array) || !(p.text instanceof Uint8Array) ||
    !Array.isArray(p.sid) || !p.sid.every((s) => s === null || typeof s === "string")) {
    throw malformed("its statement section is not the statements' provenance");
  }
  const policy = undictionary(p.policies, p.policy);
  const layer = undictionary(p.layers, p.layer);
  if (policy?.length !== statements || layer?.length !== statements || p.sid.length !== statements ||
    bytesInt32(p.index).length !== statements || bytesInt32(p.deny).length !== statements) {
    throw malformed("its statement tables disagree in length");
  }
  return {
    literals: cold.literals as [string[], string[]],
    provenance: { policy, sid: p.sid as (string | null)[], index: p.index, layer, deny: p.deny, text: p.text },
  };
}

/** How deep a bundle payload may nest (iamc writes about six levels). */
const MAX_PAYLOAD_NESTING = 32;

/**
 * Walks msgpack bytes and rejects anything but nil, booleans, numbers, strings, binaries,
 * arrays and maps, so no extension type (records, which msgpackr reads by generating code;
 * RegExp; Error; ...) ever reaches the decoder.
 */
export function assertPlainMsgpack(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 0;
  // values still to read in each open container, outermost first: iamc's payload nests a few
  // levels; a deeper one is refused here, before the (recursive) decoder could run out of stack
  const open: number[] = [1];
  let total = 1; // values still to read, all containers together
  const need = (n: number) => {
    if (position + n > bytes.length) throw new BundleError("IAMC5004", "the bundle payload is truncated");
  };
  const skip = (n: number) => { need(n); position += n; };
  const enter = (count: number) => {
    if (count === 0) return;
    if (open.length >= MAX_PAYLOAD_NESTING) throw new BundleError("IAMC5005", `the bundle payload nests deeper than ${MAX_PAYLOAD_NESTING} levels, which iamc never writes`);
    open.push(count);
    total += count;
  };
  while (total > 0) {
    while (open[open.length - 1] === 0) open.pop();
    open[open.length - 1]!--;
    total--;
    need(1);
    const token = bytes[position++]!;
    if (token <= 0x7f || token >= 0xe0) continue; // fixint
    if (token >= 0x80 && token <= 0x8f) { enter(2 * (token & 0x0f)); continue; } // fixmap
    if (token >= 0x90 && token <= 0x9f) { enter(token & 0x0f); continue; } // fixarray
    if (token >= 0xa0 && token <= 0xbf) { skip(token & 0x1f); continue; } // fixstr
    switch (token) {
      case 0xc0: case 0xc2: case 0xc3: break; // nil, false, true
      case 0xc4: case 0xd9: need(1); skip(bytes[position++]!); break; // bin8, str8
      case 0xc5: case 0xda: need(2); position += 2; skip(view.getUint16(position - 2)); break;
      case 0xc6: case 0xdb: need(4); position += 4; skip(view.getUint32(position - 4)); break;
      case 0xca: skip(4); break; // float32
      case 0xcb: skip(8); break; // float64
      case 0xcc: case 0xd0: skip(1); break;
      case 0xcd: case 0xd1: skip(2); break;
      case 0xce: case 0xd2: skip(4); break;
      case 0xcf: case 0xd3: skip(8); break;
      case 0xdc: need(2); enter(view.getUint16(position)); position += 2; break; // array16
      case 0xdd: need(4); enter(view.getUint32(position)); position += 4; break; // array32
      case 0xde: need(2); enter(2 * view.getUint16(position)); position += 2; break; // map16
      case 0xdf: need(4); enter(2 * view.getUint32(position)); position += 4; break; // map32
      default:
        throw new BundleError("IAMC5004", `the bundle payload holds msgpack type 0x${token.toString(16)}, which iamc never writes`);
    }
    if (total > bytes.length) throw new BundleError("IAMC5004", "the bundle payload declares more values than it has bytes");
  }
  if (position !== bytes.length) throw new BundleError("IAMC5004", "the bundle payload has trailing bytes");
}
