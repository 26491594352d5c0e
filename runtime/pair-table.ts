// Sparse maps (a caller class's rows, a row's leaves) in two flat typed arrays, laid out by the
// compiler and read in place by the runtime: no objects on the heap per entry, nothing built at
// load. A map is two parts, its explicit entries and its defaults; a small part is a short list,
// scanned, a large one an open-addressing hash table. Maps with the same defaults (most rows)
// share one part. An entry holds its key ints and its value side by side, so a lookup touches one
// or two cache lines.

// The layout (wire.ts), copied here: V8 folds a module's own constants into the lookups, not
// imported ones. test/runtime/layout.test.ts keeps the copies equal to wire.ts.
const MAP_HEAD = 5;
const H_MASK = 0;
const H_EXPLICIT = 1;
const H_EXPLICIT_SIZE = 2;
const H_DEFAULTS = 3;
const H_DEFAULTS_SIZE = 4;
const ENTRY = 4;
const EMPTY_MAIN = -2;
const GROUP_BLIND = 1 << 30;

/** Parts with at most this many entries are a list: 2 cache lines at most, no hashing. */
export const LIST_MAX = 8;

/** A sparse map as the compiler builds it (compiler/table.ts SparseMap). */
export interface SparseMapInput {
  readonly mask: number;
  /** (main class, bits, group) -> value. */
  readonly explicit: readonly (readonly [number, number, number, number])[];
  /** Main classes without an entry: (bits, group) -> value. */
  readonly defaults: readonly (readonly [number, number, number])[];
}

type Entry = readonly [main: number, bits: number, group: number, value: number];

/**
 * Lays maps out as `head` (MAP_HEAD ints per map) and `slots` (their parts' entries). The layout
 * depends only on the maps' contents: entries are sorted by key before they are listed or hashed,
 * and a part placed once is shared by every map that has it.
 */
export function layoutSparseMaps(maps: readonly SparseMapInput[]): { head: Int32Array; slots: Int32Array } {
  const head = new Int32Array(MAP_HEAD * maps.length);
  // parts placed so far, by a hash of their entries (equal parts are found and shared)
  const placed = new Map<number, { entries: readonly Entry[]; offset: number; size: number }[]>();
  const parts: { entries: readonly Entry[]; offset: number; size: number }[] = [];
  let cells = 0;
  const place = (entries: Entry[]): { offset: number; size: number } => {
    entries.sort(byKey);
    let h = entries.length;
    for (const e of entries) h = hashKey(hashKey(h ^ e[0], e[1], e[2]), e[3], 0);
    const candidates = placed.get(h) ?? [];
    const found = candidates.find((part) => sameEntries(part.entries, entries));
    if (found !== undefined) return found;
    const size = entries.length <= LIST_MAX ? entries.length : -capacityFor(entries.length);
    const part = { entries, offset: ENTRY * cells, size };
    candidates.push(part);
    placed.set(h, candidates);
    parts.push(part);
    cells += Math.abs(size);
    return part;
  };
  maps.forEach((m, i) => {
    const explicit = place([...m.explicit]);
    const defaults = place(m.defaults.map(([b, g, v]) => [-1, b, g, v] as const));
    const h = MAP_HEAD * i;
    head[h + H_MASK] = m.mask;
    head[h + H_EXPLICIT] = explicit.offset;
    head[h + H_EXPLICIT_SIZE] = explicit.size;
    head[h + H_DEFAULTS] = defaults.offset;
    head[h + H_DEFAULTS_SIZE] = defaults.size;
  });
  const slots = new Int32Array(ENTRY * cells);
  const put = (at: number, e: Entry) => {
    slots[at] = e[0];
    slots[at + 1] = e[1];
    slots[at + 2] = e[2];
    slots[at + 3] = e[3];
  };
  for (const { entries, offset, size } of parts) {
    if (size >= 0) {
      entries.forEach((entry, i) => put(offset + ENTRY * i, entry));
      continue;
    }
    const capacity = -size;
    for (let s = 0; s < capacity; s++) put(offset + ENTRY * s, FREE);
    for (const entry of entries) {
      let s = slotOf(hashKey(entry[0], entry[1], entry[2]), capacity);
      while (slots[offset + ENTRY * s] !== EMPTY_MAIN) s = s + 1 === capacity ? 0 : s + 1;
      put(offset + ENTRY * s, entry);
    }
  }
  return { head, slots };
}

const FREE: Entry = [EMPTY_MAIN, 0, 0, -1];

function sameEntries(a: readonly Entry[], b: readonly Entry[]): boolean {
  return a.length === b.length && a.every((e, i) => e[0] === b[i]![0] && e[1] === b[i]![1] && e[2] === b[i]![2] && e[3] === b[i]![3]);
}

/**
 * Slots for a hash part of this many entries: a third of them free (linear probing stays short,
 * and a free slot always ends it). Not rounded to a power of two, which could double the table.
 */
function capacityFor(entries: number): number {
  return entries + Math.ceil(entries / 2);
}

/** A hash's slot in a table of `capacity` slots (multiply-shift, exact in doubles). */
function slotOf(hash: number, capacity: number): number {
  return Math.floor((hash / 4294967296) * capacity);
}

function byKey(a: Entry, b: Entry): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * The value map `m` gives a class (main class, bits, group), its defaults' when the main class has
 * no entry, or -1. `bits` and `group` are the dimension's; the map's mask picks what it reads.
 */
export function sparseGet(head: Int32Array, slots: Int32Array, m: number, main: number, dimensionBits: number, dimensionGroup: number): number {
  const h = MAP_HEAD * m;
  const mask = head[h + H_MASK]!;
  // GROUP_BLIND (bit 30 of the mask): this map's answer does not depend on the group.
  const group = (mask & GROUP_BLIND) !== 0 ? 0 : dimensionGroup;
  const bits = dimensionBits & mask & ~GROUP_BLIND;
  const value = find(slots, head[h + H_EXPLICIT]!, head[h + H_EXPLICIT_SIZE]!, main, bits, group);
  return value >= 0 ? value : find(slots, head[h + H_DEFAULTS]!, head[h + H_DEFAULTS_SIZE]!, -1, bits, group);
}

function find(slots: Int32Array, offset: number, size: number, main: number, bits: number, group: number): number {
  if (size >= 0) {
    for (let at = offset, end = offset + ENTRY * size; at < end; at += ENTRY) {
      if (slots[at] === main && slots[at + 1] === bits && slots[at + 2] === group) return slots[at + 3]!;
    }
    return -1;
  }
  const capacity = -size;
  let s = slotOf(hashKey(main, bits, group), capacity);
  for (;;) {
    const at = offset + ENTRY * s;
    const k = slots[at]!;
    if (k === EMPTY_MAIN) return -1; // INVARIANT: every hash part has a free slot (checked at load)
    if (k === main && slots[at + 1] === bits && slots[at + 2] === group) return slots[at + 3]!;
    s = s + 1 === capacity ? 0 : s + 1;
  }
}

/** The entries of map `m`: its explicit ones, then its defaults (main class -1), each in key order. */
export function sparseEntries(head: Int32Array, slots: Int32Array, m: number): Entry[] {
  const part = (offset: number, size: number) => {
    const out: Entry[] = [];
    for (let i = 0, n = Math.abs(size); i < n; i++) {
      const at = offset + ENTRY * i;
      if (slots[at] !== EMPTY_MAIN) out.push([slots[at]!, slots[at + 1]!, slots[at + 2]!, slots[at + 3]!]);
    }
    return out.sort(byKey);
  };
  const h = MAP_HEAD * m;
  return [...part(head[h + H_EXPLICIT]!, head[h + H_EXPLICIT_SIZE]!), ...part(head[h + H_DEFAULTS]!, head[h + H_DEFAULTS_SIZE]!)];
}

/**
 * Why `head` and `slots` cannot be read safely, or undefined: every part within `slots`, every
 * hash part with a free slot. (The caller checks the entries' main classes and values.)
 */
export function sparseProblem(head: Int32Array, slots: Int32Array): string | undefined {
  if (head.length % MAP_HEAD !== 0 || slots.length % ENTRY !== 0) return "sparse map tables have a partial record";
  const checked = new Set<number>(); // hash parts known to have a free slot, by offset and size
  for (let h = 0; h < head.length; h += MAP_HEAD) {
    for (let part = H_EXPLICIT; part <= H_DEFAULTS; part += H_DEFAULTS - H_EXPLICIT) {
      const offset = head[h + part]!;
      const size = head[h + part + 1]!;
      const cells = size >= 0 ? size : -size;
      if (offset < 0 || offset % ENTRY !== 0 || offset + ENTRY * cells > slots.length) return "sparse map out of range";
      if (size < 0 && !checked.has(offset * 4294967296 + cells)) {
        if (!hasFreeSlot(slots, offset, cells)) return "sparse map hash table is full";
        checked.add(offset * 4294967296 + cells);
      }
    }
  }
  return undefined;
}

function hasFreeSlot(slots: Int32Array, offset: number, cells: number): boolean {
  for (let at = offset, end = offset + ENTRY * cells; at < end; at += ENTRY) if (slots[at] === EMPTY_MAIN) return true;
  return false;
}

/** Mixes a key (main class, bits, group) into 32 bits. Part of the format: the compiler places entries by it. */
export function hashKey(main: number, bits: number, group: number): number {
  let h = Math.imul(main ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ bits, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ group, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}
