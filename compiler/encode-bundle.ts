// The `.iamc` writer: a bundle payload (runtime/format.ts BundlePayload) -> bundle bytes. The
// format, its constants and its reader live in runtime/format.ts; the writer is here because only
// the compiler writes bundles, and the runtime stays the reader alone.
import { Packr } from "msgpackr";
import {
  DIGEST_BYTES, FORMAT_VERSION, HEADER_BYTES, LITTLE_ENDIAN, MAGIC, MSGPACK_OPTIONS, SIGNATURE_LENGTH_BYTES, TABLE_NAMES, int32Bytes,
  type BundlePayload, type BundleSigner, type PayloadTables, type Sha256, type WireDimension, type WireStatementSource,
} from "../runtime/format.js";
import { sha256 } from "../runtime/sha256.js";

const packr = new Packr(MSGPACK_OPTIONS);

/**
 * Encodes the statement texts of a payload's provenance: sourceOf(i) for each of `count`
 * statements, asked for once each and written as it comes. Measured at 100,000 statements:
 * keeping the tuples to write them later cost ~60 ms (the scavenger copies every one of them),
 * asking for them twice (to measure, then write) cost a second walk of the workspace's
 * statements, and measuring their strings first cost a second read of each (~30 ms of cache
 * misses).
 */
export function encodeStatementSources(count: number, sourceOf: (statement: number) => WireStatementSource): Uint8Array {
  const out = new PlainWriter(TEXT_BYTES_GUESS * count);
  out.arrayHeader(count);
  for (let i = 0; i < count; i++) {
    // Fields by index: destructuring a tuple goes through its iterator, which unoptimized code pays for.
    const source = sourceOf(i);
    out.arrayHeader(8);
    out.strings(source[0]);
    out.boolean(source[1]);
    out.strings(source[2]);
    out.boolean(source[3]);
    const principals = source[4];
    if (principals === null) out.nil();
    else out.strings(principals);
    out.boolean(source[5]);
    out.strings(source[6]);
    const at = source[7];
    if (at === null) out.nil();
    else out.string(at);
  }
  return out.written();
}

/**
 * Bytes of statement text to expect per statement: 51 to 56 in the generated workloads, ~120
 * with conditions (one growth, then).
 */
const TEXT_BYTES_GUESS = 64;

/**
 * Writes the statement texts and the cold part in the bytes msgpackr writes for them with
 * MSGPACK_OPTIONS (test/bundle/plain-msgpack.test.ts compares the two), in one pass, into a
 * buffer sized by a guess that doubles when short. msgpackr grew its buffer fourfold from a few
 * KB and copied its results out, and the cold part was copied twice more on its way into the
 * bundle: ~35 MB of buffers at 100,000 statements, external memory enough to start a
 * mark-compact of the compiler's whole heap (~200 ms) in encode.
 */
class PlainWriter {
  private bytes: Uint8Array;
  private at = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(capacity, 64));
  }

  /** What was written: a view of the buffer, which may have room to spare. */
  written(): Uint8Array {
    return this.bytes.subarray(0, this.at);
  }

  nil(): void {
    this.room(1)[this.at++] = 0xc0;
  }

  boolean(value: boolean): void {
    this.room(1)[this.at++] = value ? 0xc3 : 0xc2;
  }

  /** fixarray, array 16 or 32. */
  arrayHeader(length: number): void {
    const bytes = this.room(5);
    if (length < 0x10) {
      bytes[this.at++] = 0x90 | length;
    } else if (length < 0x10000) {
      writeHeader16(bytes, this.at, 0xdc, length);
      this.at += 3;
    } else {
      writeHeader32(bytes, this.at, 0xdd, length);
      this.at += 5;
    }
  }

  /** Always map 16, as msgpackr writes objects when useRecords is false. */
  mapHeader(count: number): void {
    writeHeader16(this.room(3), this.at, 0xde, count);
    this.at += 3;
  }

  binary(value: Uint8Array): void {
    const bytes = this.room(5 + value.length);
    this.at = writeBinaryHeader(bytes, this.at, value.length);
    bytes.set(value, this.at);
    this.at += value.length;
  }

  strings(list: readonly string[]): void {
    this.arrayHeader(list.length);
    for (let i = 0; i < list.length; i++) this.string(list[i]!);
  }

  nullableStrings(list: readonly (string | null)[]): void {
    this.arrayHeader(list.length);
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (s === null) this.nil();
      else this.string(s);
    }
  }

  string(s: string): void {
    // At most 3 bytes per UTF-16 unit, and a 5-byte header.
    this.at = writeString(this.room(5 + 3 * s.length), this.at, s);
  }

  /** The buffer, with room for `bytes` more. */
  private room(bytes: number): Uint8Array {
    if (this.at + bytes > this.bytes.length) {
      const bigger = new Uint8Array(Math.max(2 * this.bytes.length, this.at + bytes));
      bigger.set(this.bytes.subarray(0, this.at));
      this.bytes = bigger;
    }
    return this.bytes;
  }
}

/**
 * Strings of this many UTF-16 units or more msgpackr encodes through Buffer (U+FFFD for a lone
 * surrogate); shorter ones by its own loop (a lone surrogate as its 3-byte form).
 */
const NATIVE_UTF8_FROM = 0x40;

/**
 * Writes a msgpack string as msgpackr does: the bytes go after a header sized for the string's
 * UTF-16 length (its UTF-8 length is at least that), then move up when that header was short.
 */
function writeString(bytes: Uint8Array, at: number, s: string): number {
  const units = s.length;
  const guess = units < 0x20 ? 1 : units < 0x100 ? 2 : units < 0x10000 ? 3 : 5;
  const replaceLone = units >= NATIVE_UTF8_FROM;
  let to = at + guess;
  for (let i = 0; i < units; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      bytes[to++] = c;
    } else if (c < 0x800) {
      bytes[to++] = (c >> 6) | 0xc0;
      bytes[to++] = (c & 0x3f) | 0x80;
    } else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c & 0x3ff) << 10) + (s.charCodeAt(++i) & 0x3ff);
      bytes[to++] = (c >> 18) | 0xf0;
      bytes[to++] = ((c >> 12) & 0x3f) | 0x80;
      bytes[to++] = ((c >> 6) & 0x3f) | 0x80;
      bytes[to++] = (c & 0x3f) | 0x80;
    } else {
      if (replaceLone && (c & 0xf800) === 0xd800) c = 0xfffd;
      bytes[to++] = (c >> 12) | 0xe0;
      bytes[to++] = ((c >> 6) & 0x3f) | 0x80;
      bytes[to++] = (c & 0x3f) | 0x80;
    }
  }
  const length = to - at - guess;
  const header = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
  if (header !== guess) bytes.copyWithin(at + header, at + guess, to);
  if (header === 1) bytes[at] = 0xa0 | length;
  else if (header === 2) {
    bytes[at] = 0xd9;
    bytes[at + 1] = length;
  } else if (header === 3) writeHeader16(bytes, at, 0xda, length);
  else writeHeader32(bytes, at, 0xdb, length);
  return at + header + length;
}

function binaryHeaderSize(length: number): number {
  return length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
}

/** Writes a msgpack binary header for `length` bytes (bin 8, 16 or 32, as msgpackr chooses); returns where the bytes go. */
function writeBinaryHeader(bytes: Uint8Array, at: number, length: number): number {
  if (length < 0x100) {
    bytes[at] = 0xc4;
    bytes[at + 1] = length;
  } else if (length < 0x10000) writeHeader16(bytes, at, 0xc5, length);
  else writeHeader32(bytes, at, 0xc6, length);
  return at + binaryHeaderSize(length);
}

/** A type byte and a 16-bit big-endian length. */
function writeHeader16(bytes: Uint8Array, at: number, type: number, length: number): void {
  bytes[at] = type;
  bytes[at + 1] = length >> 8;
  bytes[at + 2] = length & 0xff;
}

/** A type byte and a 32-bit big-endian length. */
function writeHeader32(bytes: Uint8Array, at: number, type: number, length: number): void {
  bytes[at] = type;
  bytes[at + 1] = length >>> 24;
  bytes[at + 2] = (length >> 16) & 0xff;
  bytes[at + 3] = (length >> 8) & 0xff;
  bytes[at + 4] = length & 0xff;
}

/** Encodes a payload into bundle bytes, signed when a signer is given. Deterministic: the same payload (and key) gives the same bytes. */
export function encodeBundle(payload: BundlePayload, digest: Sha256 = sha256, sign?: BundleSigner): Uint8Array {
  const lengths = tableLengths(payload.tables);
  const { provenance, actions, resources } = payload;
  const dimension = (d: WireDimension) => ({
    groupCount: d.groupCount, mainWidth: d.mainWidth, wildWidth: d.wildWidth, spellings: d.spellings,
    ...(d.gate === undefined ? {} : { gate: d.gate }),
  });
  // Fields in a fixed order (not the payload object's), so that decode then encode gives the same bytes.
  const wire = {
    // INVARIANT: first, so that its position in the payload is known. Packed empty here: the
    // arena (tens of MB at 100,000 statements) is written once, straight into the bundle, in
    // the place msgpack would have put it (see below), instead of being copied four times.
    tables: PLACEHOLDER,
    tableLengths: lengths,
    model: payload.model,
    compiler: payload.compiler,
    sources: payload.sources,
    ...(payload.build === undefined ? {} : { build: { revision: payload.build.revision, createdAt: payload.build.createdAt } }),
    slots: payload.slots,
    accounts: payload.accounts,
    groupCount: payload.groupCount,
    actions: dimension(actions),
    resources: dimension(resources),
    principals: payload.principals,
    outsiderAccounts: payload.outsiderAccounts,
    stranger: payload.stranger,
    anonymous: payload.anonymous,
    refused: payload.refused,
    classes: { names: payload.classes.names, facts: payload.classes.facts },
    kinds: payload.kinds,
    predicates: payload.predicates,
    statements: provenance.policy.length,
    // INVARIANT: last. Packed empty too: the cold part is written into its place (below).
    cold: PLACEHOLDER,
  };
  // policy ids and layer names repeat (a policy's statements, every statement of a layer): each
  // is written once, and a statement names them by index
  const policies = dictionary(provenance.policy);
  const layers = dictionary(provenance.layer);
  // The cold part up to its last field, the statement texts: the texts (5.3 MB at 100,000
  // statements) are copied from the payload straight into the bundle, after this. Sized for the
  // binaries and a short string (or null) per literal, Sid and name.
  const binaries = [policies.indices, provenance.index, layers.indices, provenance.deny];
  const strings = actions.literals.length + resources.literals.length + provenance.sid.length + policies.names.length + layers.names.length;
  const coldWriter = new PlainWriter(binaries.reduce((sum, b) => sum + b.length, 0) + COLD_STRING_BYTES_GUESS * strings);
  coldWriter.mapHeader(2);
  coldWriter.string("literals");
  coldWriter.arrayHeader(2);
  coldWriter.strings(actions.literals);
  coldWriter.strings(resources.literals);
  coldWriter.string("provenance");
  coldWriter.mapHeader(8);
  coldWriter.string("policies");
  coldWriter.strings(policies.names);
  coldWriter.string("policy");
  coldWriter.binary(policies.indices);
  coldWriter.string("sid");
  coldWriter.nullableStrings(provenance.sid);
  coldWriter.string("index");
  coldWriter.binary(provenance.index);
  coldWriter.string("layers");
  coldWriter.strings(layers.names);
  coldWriter.string("layer");
  coldWriter.binary(layers.indices);
  coldWriter.string("deny");
  coldWriter.binary(provenance.deny);
  coldWriter.string("text");
  const coldHead = coldWriter.written();
  const text = provenance.text;
  const coldLength = coldHead.length + binaryHeaderSize(text.length) + text.length;
  // The payload is this msgpack with the two empty binaries replaced by theirs: a binary header
  // (as msgpack writes one for its length), then the arena (arenaInto) or the cold part.
  const packed = packr.pack(wire);
  const arenaPlaceholder = arenaPlaceholderAt(packed);
  const coldPlaceholder = packed.length - PLACEHOLDER_BYTES;
  if (packed[coldPlaceholder] !== 0xc4 || packed[coldPlaceholder + 1] !== 0) throw new Error("internal error: the cold part is not where the payload ends");
  const arenaLength = 4 + 4 * lengths.reduce((a, b) => a + b, 0);
  const bodyLength = coldPlaceholder - PLACEHOLDER_BYTES + binaryHeaderSize(arenaLength) + arenaLength + binaryHeaderSize(coldLength) + coldLength;
  const signed = HEADER_BYTES + bodyLength + DIGEST_BYTES;
  // Unsigned (the usual case): one buffer, the signature block's length (0) included.
  const head = new Uint8Array(sign === undefined ? signed + SIGNATURE_LENGTH_BYTES : signed);
  head.set(MAGIC, 0);
  const view = new DataView(head.buffer);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, bodyLength, true);
  head.set(packed.subarray(0, arenaPlaceholder), HEADER_BYTES);
  const arenaAt = writeBinaryHeader(head, HEADER_BYTES + arenaPlaceholder, arenaLength);
  arenaInto(head, arenaAt, payload.tables);
  head.set(packed.subarray(arenaPlaceholder + PLACEHOLDER_BYTES, coldPlaceholder), arenaAt + arenaLength);
  const coldAt = writeBinaryHeader(head, arenaAt + arenaLength + coldPlaceholder - arenaPlaceholder - PLACEHOLDER_BYTES, coldLength);
  head.set(coldHead, coldAt);
  head.set(text, writeBinaryHeader(head, coldAt + coldHead.length, text.length));
  head.set(digest(head.subarray(0, HEADER_BYTES + bodyLength)), HEADER_BYTES + bodyLength);
  if (sign === undefined) return head; // the signature block's length, 0, is already there
  const { keyId, signature } = sign(head);
  const block = packr.pack([keyId, signature]);
  const out = new Uint8Array(signed + SIGNATURE_LENGTH_BYTES + block.length);
  out.set(head, 0);
  new DataView(out.buffer).setUint32(signed, block.length, true);
  out.set(block, signed + SIGNATURE_LENGTH_BYTES);
  return out;
}

/** What `tables` and `cold` are packed as before the arena and the cold part take their places: an empty binary (bin 8, length 0). */
const PLACEHOLDER = new Uint8Array(0);
const PLACEHOLDER_BYTES = 2;
/** Bytes to expect per literal, Sid (mostly null) and name in the cold part: 15 for the 100,000-statement workload's literals. */
const COLD_STRING_BYTES_GUESS = 16;

/**
 * Where the arena's placeholder binary is in the packed payload: right after the map header and
 * the key `tables` (neither holds a bin 8 marker), within the first bytes.
 */
function arenaPlaceholderAt(packed: Uint8Array): number {
  for (let k = 0; k < 32; k++) if (packed[k] === 0xc4 && packed[k + 1] === 0 && k > 0) return k;
  throw new Error("internal error: the tables binary is not where the payload starts");
}

/** The distinct strings, first seen first, and int32Bytes of each string's index among them. */
function dictionary(strings: readonly string[]): { names: string[]; indices: Uint8Array } {
  const index = new Map<string, number>();
  const ids = new Int32Array(strings.length);
  let previous: string | undefined;
  let id = -1;
  for (let i = 0; i < strings.length; i++) {
    const name = strings[i]!;
    // Runs are the rule (a policy's statements are consecutive): one compare instead of a lookup.
    if (name !== previous) {
      id = index.get(name) ?? index.size;
      if (id === index.size) index.set(name, id);
      previous = name;
    }
    ids[i] = id;
  }
  return { names: [...index.keys()], indices: int32Bytes(ids) };
}

/** The tables' lengths, in TABLE_NAMES order (checking that each is an Int32Array). */
function tableLengths(tables: PayloadTables): number[] {
  return TABLE_NAMES.map((name) => {
    const table = tables[name];
    if (!(table instanceof Int32Array)) throw new Error(`internal error: payload table ${name} is not an Int32Array`);
    return table.length;
  });
}

/**
 * Writes the arena, the binary that holds the tables, at `at` in `bundle` (zeroed): a pad count
 * byte, that many zero bytes so that the tables start 4-byte aligned in the bundle, the tables
 * (little-endian Int32, in TABLE_NAMES order), then zeros: 4 + 4 x (the tables' lengths) bytes
 * in all, whatever the pad (3 bytes are kept to spare for it).
 */
function arenaInto(bundle: Uint8Array, at: number, tables: PayloadTables): void {
  const pad = (4 - ((at + 1) % 4)) % 4;
  bundle[at] = pad;
  const view = new DataView(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  let to = at + 1 + pad;
  for (const name of TABLE_NAMES) {
    const table = tables[name];
    if (LITTLE_ENDIAN) bundle.set(new Uint8Array(table.buffer, table.byteOffset, table.byteLength), to);
    else for (let i = 0; i < table.length; i++) view.setInt32(to + 4 * i, table[i]!, true);
    to += table.byteLength;
  }
}
