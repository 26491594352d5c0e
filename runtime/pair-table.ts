// Sparse maps (a caller class's rows, a row's leaves) in two flat typed arrays, laid out by the
// compiler and read in place by the runtime: no objects on the heap per entry, nothing built at
// load. A map is two parts, its explicit entries and its defaults; a small part is a short list,
// scanned, a large one an open-addressing hash table. Maps with the same defaults (most rows)
// share one part. An entry holds its key ints and its value side by side, so a lookup touches one
// or two cache lines. This file reads them; compiler/layout-sparse-maps.ts lays them out, placing
// hash entries by this file's hashKey and slotOf.

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

type Entry = readonly [main: number, bits: number, group: number, value: number];

/** A hash's slot in a table of `capacity` slots (multiply-shift, exact in doubles). Part of the format, as hashKey. */
export function slotOf(hash: number, capacity: number): number {
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
  // Every hash part has a free slot (checked at load), so a probe ends there. The count bounds it
  // anyway: tables whose buffer was detached after the load read as undefined (capacity NaN: no
  // probe), and no lookup may hang.
  for (let probes = capacity; probes > 0; probes--) {
    const at = offset + ENTRY * s;
    const k = slots[at]!;
    if (k === EMPTY_MAIN) return -1;
    if (k === main && slots[at + 1] === bits && slots[at + 2] === group) return slots[at + 3]!;
    s = s + 1 === capacity ? 0 : s + 1;
  }
  return -1;
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

/** Mixes a key (main class, bits, group) into 32 bits. Part of the format: the compiler places entries by it (compiler/layout-sparse-maps.ts). */
export function hashKey(main: number, bits: number, group: number): number {
  let h = Math.imul(main ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ bits, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ group, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}
