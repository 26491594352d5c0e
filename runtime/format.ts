// The `.iamc` wire format. This file owns it: the magic, FORMAT_VERSION, the msgpackr options,
// and the payload's field names. A change to the bytes bumps FORMAT_VERSION.
//
//   offset 0   4 bytes  magic "IAMC"
//          4   u32 LE   FORMAT_VERSION
//          8   u32 LE   payload length N
//         12   N bytes  payload: one msgpack map (BundlePayload), no extension types
//     12 + N   32 bytes SHA-256 of bytes [0, 12 + N)
//     44 + N   u32 LE   signature block length S (0: unsigned)
//     48 + N   S bytes  msgpack [key id, ed25519 signature of bytes [0, 44 + N)]
import { Packr, Unpackr } from "msgpackr";
import { sha256 } from "./sha256.js";
import { BundleError } from "./errors.js";
import type { WireCondition } from "./wire.js";

export const MAGIC = new Uint8Array([0x49, 0x41, 0x4d, 0x43]); // "IAMC"
export const FORMAT_VERSION = 6;
const HEADER_BYTES = 12;
const DIGEST_BYTES = 32;
const SIGNATURE_LENGTH_BYTES = 4;

// Pinned msgpackr options: plain maps and arrays only, no records or structures (their reader
// generates code), no extensions, identical bytes for identical input.
const MSGPACK_OPTIONS = { useRecords: false, structuredClone: false, moreTypes: false, mapsAsObjects: true, int64AsType: "number" } as const;
const packr = new Packr(MSGPACK_OPTIONS);
const unpackr = new Unpackr(MSGPACK_OPTIONS);

/**
 * Sparse maps from a dimension's classes to ids; several maps share flat arrays, one slice each.
 * Map m's explicit entries are [start[m], start[m + 1]) of main/bits/group/values; its defaults
 * [defaultStart[m], defaultStart[m + 1]) of defaultBits/defaultGroup/defaultValues.
 */
export interface WireSparseMaps {
  readonly mask: Uint8Array; // Int32 per map
  readonly start: Uint8Array;
  readonly main: Uint8Array;
  readonly bits: Uint8Array;
  readonly group: Uint8Array;
  readonly values: Uint8Array;
  readonly defaultStart: Uint8Array;
  readonly defaultBits: Uint8Array;
  readonly defaultGroup: Uint8Array;
  readonly defaultValues: Uint8Array;
}

export interface WireAutomaton {
  readonly edgeStart: Uint8Array; // Int32 arrays, little-endian
  readonly edgeChar: Uint8Array;
  readonly edgeTarget: Uint8Array;
  readonly otherTarget: Uint8Array;
  readonly stateClass: Uint8Array;
}

/** A dimension (actions or resources): a main automaton (a trie in effect) and a wild one. */
export interface WireDimension {
  readonly main: WireAutomaton;
  /** Per main class: bits of its broad patterns; the group of the resource entry it names, or -1. */
  readonly mainBits: Uint8Array;
  readonly mainGroup: Uint8Array;
  readonly wild: WireAutomaton;
  /** Per wild class: bits of its wild patterns, account group from the probes, KMS key or not. */
  readonly wildBits: Uint8Array;
  readonly wildGroup: Uint8Array;
  readonly wildKms: Uint8Array;
  readonly groupCount: number;
  /** Exact spellings the runtime classifies at load and finds by hash (a cache of the automata). */
  readonly literals: readonly string[];
}

/** Everything a bundle holds. Field names are part of the format. */
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
  /** Principal id -> class, as parallel arrays. */
  readonly principals: readonly string[];
  readonly principalClass: Uint8Array;
  /** Account id -> class of unnamed callers from it. */
  readonly outsiderAccounts: readonly string[];
  readonly outsiderAccountClass: Uint8Array;
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
    readonly kind: Uint8Array;
    /** Per class: [lower-cased key, value or null] the manifest fixes for open conditions. */
    readonly facts: readonly (readonly (readonly [string, unknown])[])[];
    readonly actions: WireSparseMaps;
  };
  readonly kinds: readonly {
    readonly outsider: boolean;
    readonly account: string | null;
    readonly role: boolean;
    readonly boundary: boolean;
    readonly session: boolean;
    readonly scpLevels: number;
  }[];
  /** Terms of kind k, group g, kms m: termBits[termStart[i] .. termStart[i+1]), i = (k * groupCount + g) * 2 + m. */
  readonly termStart: Uint8Array;
  readonly termBits: Uint8Array;
  readonly rows: WireSparseMaps;
  readonly leaves: {
    readonly allow: Uint8Array;
    readonly deny: Uint8Array;
    /** Open statements of leaf l: open[4 * openStart[l] ..], 4 ints each: provenance, slot, deny, predicate. */
    readonly openStart: Uint8Array;
    readonly open: Uint8Array;
    readonly matchedStart: Uint8Array;
    readonly matched: Uint8Array;
  };
  readonly predicates: readonly (readonly WireCondition[])[];
  readonly provenance: {
    readonly policy: readonly string[];
    readonly sid: readonly (string | null)[];
    readonly index: Uint8Array;
    readonly layer: readonly string[];
    readonly deny: Uint8Array;
    /**
     * The statements as written, one WireStatementSource per provenance id, msgpack-encoded in
     * one binary: only explain and the analysis commands read it, so loading skips it.
     */
    readonly text: Uint8Array;
  };
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

/** Encodes the statement texts of a payload's provenance. */
export function encodeStatementSources(sources: readonly WireStatementSource[]): Uint8Array {
  return packr.pack(sources);
}

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
 * little-endian integer that holds every value), then the values. Most tables (characters,
 * classes, bits, small ids) fit in one or two bytes.
 */
export function int32Bytes(values: ArrayLike<number>): Uint8Array {
  let min = 0;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const width = min >= -0x80 && max <= 0x7f ? 1 : min >= -0x8000 && max <= 0x7fff ? 2 : 4;
  const bytes = new Uint8Array(1 + values.length * width);
  bytes[0] = width;
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    if (width === 1) view.setInt8(1 + i, values[i]!);
    else if (width === 2) view.setInt16(1 + 2 * i, values[i]!, true);
    else view.setInt32(1 + 4 * i, values[i]!, true);
  }
  return bytes;
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

/** Encodes a payload into bundle bytes, signed when a signer is given. Deterministic: the same payload (and key) gives the same bytes. */
export function encodeBundle(payload: BundlePayload, digest: Sha256 = sha256, sign?: BundleSigner): Uint8Array {
  const body = packr.pack(payload);
  const signed = HEADER_BYTES + body.length + DIGEST_BYTES;
  const head = new Uint8Array(signed);
  head.set(MAGIC, 0);
  const view = new DataView(head.buffer);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, body.length, true);
  head.set(body, HEADER_BYTES);
  head.set(digest(head.subarray(0, HEADER_BYTES + body.length)), HEADER_BYTES + body.length);
  let block: Uint8Array = new Uint8Array(0);
  if (sign !== undefined) {
    const { keyId, signature } = sign(head);
    block = packr.pack([keyId, signature]);
  }
  const out = new Uint8Array(signed + SIGNATURE_LENGTH_BYTES + block.length);
  out.set(head, 0);
  new DataView(out.buffer).setUint32(signed, block.length, true);
  out.set(block, signed + SIGNATURE_LENGTH_BYTES);
  return out;
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
 * payload. Throws BundleError with a stable code: IAMC5002 not a bundle, IAMC5003 unknown format
 * version, IAMC5004 truncated or corrupt, IAMC5007 unsigned or not signed by a trusted key.
 */
export function decodeBundle(bytes: Uint8Array, digestOf: Sha256 = sha256, verify?: BundleVerifier): BundlePayload {
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
  const model = typeof payload === "object" && payload !== null ? (payload as { model?: unknown }).model : undefined;
  if (model !== "aws" && model !== "krutrim" && model !== "cloudalus") {
    throw new BundleError("IAMC5005", "the bundle payload is not an iamc decision table");
  }
  return payload as BundlePayload;
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
