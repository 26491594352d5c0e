// The sparse maps' layout (runtime/pair-table.ts has the format and the lookups): the compiler
// packs each caller class's rows and each row's leaves as sparse maps, and this lays them out as
// the `head` and `slots` tables a bundle stores, so that the runtime reads them in place. Only the
// compiler lays maps out; it places hash entries by the runtime's own hashKey and slotOf, so that
// the lookups find them.
import { hashKey, slotOf } from "../runtime/pair-table.js";
// The layout's constants come from wire.ts itself: the runtime's lookups keep copies (V8 folds a
// module's own constants into hot loops), but laying out maps is a compile step, not a hot path.
import { EMPTY_MAIN, ENTRY, H_DEFAULTS, H_DEFAULTS_SIZE, H_EXPLICIT, H_EXPLICIT_SIZE, H_MASK, MAP_HEAD } from "../runtime/wire.js";

/** Parts with at most this many entries are a list: 2 cache lines at most, no hashing. */
const LIST_MAX = 8;

/** A sparse map as the compiler builds it (compiler/table.ts SparseMap). */
export interface SparseMapInput {
  readonly mask: number;
  /** (main class, bits, group) -> value. */
  readonly explicit: readonly (readonly [number, number, number, number])[];
  /** Main classes without an entry: (bits, group) -> value. */
  readonly defaults: readonly (readonly [number, number, number])[];
}

/**
 * Sparse maps packed in one Int32Array, as the compiler builds them: map m is
 * `data[start[m] .. start[m + 1])` = mask, explicit count, defaults count, the explicit entries
 * (main, bits, group, value), then the defaults (bits, group, value).
 */
export interface PackedSparseMaps {
  readonly data: Int32Array;
  /** Where each map starts, then where the last one ends. */
  readonly start: Int32Array;
}

/** The index of a packed map's fields. */
const P_MASK = 0;
const P_EXPLICIT = 1;
const P_DEFAULTS = 2;
const P_ENTRIES = 3;

/** Packs maps given as objects (tests and small callers; the compiler packs its own). */
function packSparseMaps(maps: readonly SparseMapInput[]): PackedSparseMaps {
  const data: number[] = [];
  const start = new Int32Array(maps.length + 1);
  maps.forEach((m, i) => {
    data.push(m.mask, m.explicit.length, m.defaults.length);
    for (const e of m.explicit) data.push(e[0], e[1], e[2], e[3]);
    for (const d of m.defaults) data.push(d[0], d[1], d[2]);
    start[i + 1] = data.length;
  });
  return { data: Int32Array.from(data), start };
}

/**
 * Lays maps out as `head` (MAP_HEAD ints per map) and `slots` (their parts' entries). The layout
 * depends only on the maps' contents: entries are sorted by key before they are listed or hashed,
 * and a part placed once is shared by every map that has it.
 */
export function layoutSparseMaps(maps: readonly SparseMapInput[]): { head: Int32Array; slots: Int32Array } {
  return layoutPackedSparseMaps(packSparseMaps(maps));
}

/** layoutSparseMaps for maps already packed. */
export function layoutPackedSparseMaps(maps: PackedSparseMaps): { head: Int32Array; slots: Int32Array } {
  const { data, start } = maps;
  const count = start.length - 1;
  const head = new Int32Array(MAP_HEAD * count);
  const parts = new PartSet(data, count);
  let scratch = new Int32Array(ENTRY * 64);
  // The previous map's defaults, as packed: most maps share them with the map before, found
  // again by comparing a few ints rather than by sorting, hashing and probing (~5 ms of the
  // rows' ~38 at 100,000 statements).
  let previousFirst = -1;
  let previousCount = -1;
  let previousDefaults = -1;
  for (let m = 0; m < count; m++) {
    const at = start[m]!;
    const explicitCount = data[at + P_EXPLICIT]!;
    const defaultsCount = data[at + P_DEFAULTS]!;
    const firstDefault = at + P_ENTRIES + ENTRY * explicitCount;
    // The explicit entries are looked up where they are when in key order (as the compiler
    // writes them), else sorted in scratch. Copying every part out, as PartSet did, cost ~20 ms
    // and 13 MB of buffers at 100,000 statements.
    let explicit: number;
    if (inKeyOrder(data, at + P_ENTRIES, explicitCount)) {
      explicit = parts.id(data, at + P_ENTRIES, ENTRY * explicitCount);
    } else {
      if (ENTRY * explicitCount > scratch.length) scratch = new Int32Array(ENTRY * explicitCount);
      copyInts(data, at + P_ENTRIES, scratch, 0, ENTRY * explicitCount);
      sortEntries(scratch, explicitCount);
      explicit = parts.id(scratch, 0, ENTRY * explicitCount);
    }
    let defaults = previousDefaults;
    if (defaultsCount !== previousCount || !sameInts(data, previousFirst, firstDefault, 3 * defaultsCount)) {
      if (ENTRY * defaultsCount > scratch.length) scratch = new Int32Array(ENTRY * defaultsCount);
      for (let d = 0; d < defaultsCount; d++) {
        scratch[ENTRY * d] = -1;
        scratch[ENTRY * d + 1] = data[firstDefault + 3 * d]!;
        scratch[ENTRY * d + 2] = data[firstDefault + 3 * d + 1]!;
        scratch[ENTRY * d + 3] = data[firstDefault + 3 * d + 2]!;
      }
      sortEntries(scratch, defaultsCount);
      defaults = parts.id(scratch, 0, ENTRY * defaultsCount);
    }
    previousFirst = firstDefault;
    previousCount = defaultsCount;
    previousDefaults = defaults;
    const h = MAP_HEAD * m;
    head[h + H_MASK] = data[at + P_MASK]!;
    head[h + H_EXPLICIT] = parts.offset(explicit);
    head[h + H_EXPLICIT_SIZE] = parts.size(explicit);
    head[h + H_DEFAULTS] = parts.offset(defaults);
    head[h + H_DEFAULTS_SIZE] = parts.size(defaults);
  }
  return { head, slots: placeParts(parts) };
}

/**
 * The slots: each part's entries, as a list or hashed. A function of its own, as the loop above
 * runs once per compile: V8 compiles such a loop on the spot (OSR), and the code after it, which
 * had not run yet, fell back to unoptimized code.
 */
function placeParts(parts: PartSet): Int32Array {
  const slots = new Int32Array(ENTRY * parts.cells);
  for (let part = 0; part < parts.count; part++) {
    const entries = parts.array(part);
    const from = parts.from(part);
    const to = from + parts.length(part);
    const offset = parts.offset(part);
    const size = parts.size(part);
    if (size >= 0) {
      copyInts(entries, from, slots, offset, to - from);
      continue;
    }
    const capacity = -size;
    freeSlots(slots, offset, capacity);
    for (let e = from; e < to; e += ENTRY) {
      let s = slotOf(hashKey(entries[e]!, entries[e + 1]!, entries[e + 2]!), capacity);
      while (slots[offset + ENTRY * s] !== EMPTY_MAIN) s = s + 1 === capacity ? 0 : s + 1;
      put(slots, offset + ENTRY * s, entries, e);
    }
  }
  return slots;
}

/**
 * Makes `capacity` slots at `offset` free: one free entry written, then copied over the rest,
 * doubling. A loop over the slots, compiled on the spot for a 100,000-entry part, left the
 * placement after it without type feedback, and it deoptimized.
 */
function freeSlots(slots: Int32Array, offset: number, capacity: number): void {
  const end = offset + ENTRY * capacity;
  slots[offset] = EMPTY_MAIN;
  slots[offset + 1] = 0;
  slots[offset + 2] = 0;
  slots[offset + 3] = -1;
  for (let filled = ENTRY; offset + filled < end; filled *= 2) slots.copyWithin(offset + filled, offset, Math.min(offset + filled, end - filled));
}

/** Copies one entry (ENTRY ints) from `from[at ..]` to `slots[to ..]`. */
function put(slots: Int32Array, to: number, from: Int32Array, at: number): void {
  slots[to] = from[at]!;
  slots[to + 1] = from[at + 1]!;
  slots[to + 2] = from[at + 2]!;
  slots[to + 3] = from[at + 3]!;
}

/** Copies `length` ints by a loop: parts are a few entries, and a subarray view per copy cost more than them. */
function copyInts(from: Int32Array, at: number, to: Int32Array, offset: number, length: number): void {
  for (let i = 0; i < length; i++) to[offset + i] = from[at + i]!;
}

/** Whether `ints[a .. a + length)` and `ints[b .. b + length)` hold the same values. */
function sameInts(ints: Int32Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (ints[a + i] !== ints[b + i]) return false;
  return true;
}

/**
 * Whether the `count` entries (ENTRY ints each) at `at` in `entries` are in key order (byKey).
 * The comparison inline, not compareEntries: this runs on 100,000 entries at once, unoptimized
 * at first, where a call per entry cost ~15 ms at 100,000 statements.
 */
function inKeyOrder(entries: Int32Array, at: number, count: number): boolean {
  for (let i = at + ENTRY, end = at + ENTRY * count; i < end; i += ENTRY) {
    const order = entries[i - ENTRY]! - entries[i]! || entries[i - ENTRY + 1]! - entries[i + 1]! || entries[i - ENTRY + 2]! - entries[i + 2]!;
    if (order > 0) return false;
  }
  return true;
}

/** Sorts the first `count` entries (ENTRY ints each) of `entries` by key (byKey), in place. */
function sortEntries(entries: Int32Array, count: number): void {
  if (inKeyOrder(entries, 0, count)) return;
  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((a, b) => compareEntries(entries, ENTRY * a, entries, ENTRY * b) || a - b);
  const copy = entries.slice(0, ENTRY * count);
  order.forEach((from, to) => entries.set(copy.subarray(ENTRY * from, ENTRY * from + ENTRY), ENTRY * to));
}

/**
 * A hash of entries (ENTRY ints each). Its own function, not inline in PartSet.id: V8 compiles a
 * long-running loop on the spot (OSR), before the code after it ever ran, and such code can
 * deoptimize at that code on every later call (measured: thousands of times per compile).
 */
function hashEntries(list: Int32Array, from: number, length: number): number {
  let h = length;
  for (let i = from; i < from + length; i += ENTRY) h = hashKey(hashKey(h ^ list[i]!, list[i + 1]!, list[i + 2]!), list[i + 3]!, 0);
  return h;
}

function compareEntries(a: Int32Array, i: number, b: Int32Array, j: number): number {
  return a[i]! - b[j]! || a[i + 1]! - b[j + 1]! || a[i + 2]! - b[j + 2]!;
}

/**
 * Interns parts by their entries (lists of ints), in first-seen order, and places them: part p
 * takes cells [offset(p), offset(p) + |size(p)|) of the slots, a list of size(p) entries or a
 * hash table of -size(p) slots. A part found in the maps' own data (explicit entries in key
 * order) is kept as a reference to it; any other is copied. A set of its own, not
 * compiler/int-lists.ts's IntListInterner, which copies every list it holds.
 */
class PartSet {
  /** Copies of the parts not kept in `data`. */
  private values: Int32Array = new Int32Array(1024);
  private used = 0;
  /**
   * PART_FIELDS per part: where its entries start (in `data` when >= 0, else at ~start in
   * `values`), their length in ints, their hash, its offset in the slots and its size. One typed
   * array: five arrays grown by pushes cost ~15 ms at 100,000 statements. Sized for a part per
   * map and some more (maps mostly share their defaults), doubled past that.
   */
  private fields: Int32Array;
  private parts = 0;
  private readonly table: Int32Array;
  /** The slots' cells taken so far (ENTRY ints each). */
  cells = 0;

  /** For the parts of `maps` maps in `data`, two per map at most: the table is sized once, never rehashed. */
  constructor(private readonly data: Int32Array, maps: number) {
    this.fields = new Int32Array(PART_FIELDS * (maps + 1024));
    let size = 1024;
    while (size < 4 * maps) size *= 2;
    this.table = new Int32Array(size);
  }

  get count(): number {
    return this.parts;
  }

  /** The array that holds part's entries: data or values. */
  array(part: number): Int32Array {
    return this.fields[PART_FIELDS * part + PART_START]! >= 0 ? this.data : this.values;
  }

  /** Where part's entries start in array(part). */
  from(part: number): number {
    const start = this.fields[PART_FIELDS * part + PART_START]!;
    return start >= 0 ? start : ~start;
  }

  /** How many ints part's entries take. */
  length(part: number): number {
    return this.fields[PART_FIELDS * part + PART_LENGTH]!;
  }

  /** Where part is placed in the slots (in ints). */
  offset(part: number): number {
    return this.fields[PART_FIELDS * part + PART_OFFSET]!;
  }

  /** A list part's entry count, or minus a hash part's capacity. */
  size(part: number): number {
    return this.fields[PART_FIELDS * part + PART_SIZE]!;
  }

  /** The part holding `list[from .. from + length)`, new (= the count before) if none holds it yet. */
  id(list: Int32Array, from: number, length: number): number {
    const h = hashEntries(list, from, length) | 0; // as `fields` holds it
    const mask = this.table.length - 1;
    let s = h & mask;
    for (; this.table[s] !== 0; s = (s + 1) & mask) {
      const part = this.table[s]! - 1;
      if (this.fields[PART_FIELDS * part + PART_HASH] === h && this.holds(part, list, from, length)) return part;
    }
    // INVARIANT: at most half the table is taken (two parts per map), so a probe ends.
    const part = this.parts++;
    let start = from;
    if (list !== this.data) {
      if (this.used + length > this.values.length) {
        const bigger = new Int32Array(Math.max(this.used + length, 2 * this.values.length));
        bigger.set(this.values);
        this.values = bigger;
      }
      copyInts(list, from, this.values, this.used, length);
      start = ~this.used;
      this.used += length;
    }
    const entries = length / ENTRY;
    const size = entries <= LIST_MAX ? entries : -capacityFor(entries);
    const f = PART_FIELDS * part;
    if (f === this.fields.length) {
      const bigger = new Int32Array(2 * this.fields.length);
      bigger.set(this.fields);
      this.fields = bigger;
    }
    this.fields[f + PART_START] = start;
    this.fields[f + PART_LENGTH] = length;
    this.fields[f + PART_HASH] = h;
    this.fields[f + PART_OFFSET] = ENTRY * this.cells;
    this.fields[f + PART_SIZE] = size;
    this.cells += Math.abs(size);
    this.table[s] = part + 1;
    return part;
  }

  private holds(part: number, list: Int32Array, from: number, length: number): boolean {
    if (this.length(part) !== length) return false;
    const entries = this.array(part);
    const at = this.from(part);
    for (let i = 0; i < length; i++) if (entries[at + i] !== list[from + i]) return false;
    return true;
  }
}

const PART_FIELDS = 5;
const PART_START = 0;
const PART_LENGTH = 1;
const PART_HASH = 2;
const PART_OFFSET = 3;
const PART_SIZE = 4;

/**
 * Slots for a hash part of this many entries: a third of them free (linear probing stays short,
 * and a free slot always ends it). Not rounded to a power of two, which could double the table.
 */
function capacityFor(entries: number): number {
  return entries + Math.ceil(entries / 2);
}
