// Lists of small integers in one flat array, and interning them without building string keys.
// The table builder interns millions of short lists (patterns' tokens, statement subsets, rows,
// leaves); keyed by strings, each list cost a string per lookup and most of the compile's garbage.

/**
 * How many lists, and ints in all, a store should expect: its arrays start at that size, so a
 * good guess allocates each once. Only a hint: past it they grow by doubling. Why it pays: each
 * doubling leaves the old array as garbage outside the JS heap, and V8 starts a full collection
 * per ~64 MB of such allocation, marking the whole workspace each time; at a million statements
 * doubling interners cost about half of all collections (measured: 22 full collections and 67 s
 * without hints, 13 and 38 s with exact sizes).
 */
export interface IntListsSize {
  readonly lists: number;
  readonly ints: number;
}
const SMALL: IntListsSize = { lists: 256, ints: 1024 };

/** Lists of int32 values appended to one growing Int32Array: list `i` is `data[start(i) .. end(i))`. */
export class IntLists {
  protected values: Int32Array;
  protected used = 0;
  /** starts[i] .. starts[i + 1]: list i's values. */
  protected offsets: Int32Array;
  protected count = 0;

  constructor(expected: IntListsSize = SMALL) {
    this.values = new Int32Array(Math.max(16, Math.ceil(expected.ints)));
    this.offsets = new Int32Array(Math.max(16, Math.ceil(expected.lists)) + 1);
  }

  /** How many lists. */
  get size(): number {
    return this.count;
  }

  /** The backing store (replaced when it grows: read it after the last append). */
  get data(): Int32Array {
    return this.values;
  }

  /** Where each list starts, and after the last one where it ends (size + 1 values). */
  get starts(): Int32Array {
    return this.offsets.subarray(0, this.count + 1);
  }

  start(i: number): number {
    return this.offsets[i]!;
  }

  end(i: number): number {
    return this.offsets[i + 1]!;
  }

  /** Appends `list[from .. to)` as a new list; returns its index. */
  push(list: ArrayLike<number>, from = 0, to = list.length): number {
    const i = this.count++;
    const length = to - from;
    if (this.used + length > this.values.length) this.values = grown(this.values, this.used + length);
    for (let k = 0; k < length; k++) this.values[this.used + k] = list[from + k]!;
    this.used += length;
    if (i + 2 > this.offsets.length) this.offsets = grown(this.offsets, i + 2);
    this.offsets[i + 1] = this.used;
    return i;
  }
}

/**
 * Interns lists of int32 values: equal lists get the same id, ids in first-seen order, so that
 * it numbers things exactly as a Map keyed by an injective string of the list would.
 * INVARIANT: values are int32 (they are stored in an Int32Array and compared as stored).
 */
export class IntListInterner extends IntLists {
  /**
   * Open addressing, a pair of ints per slot: the list's hash, then its id + 1 (0: a free slot).
   * Never more than half full. The hash sits beside the id so that a probe reads one place: kept
   * in an array of its own, indexed by id, it cost a cache miss per probe in large tables.
   */
  private slots: Int32Array;

  constructor(expected: IntListsSize = SMALL) {
    super(expected);
    // Slot pairs: a power of two, at least twice the expected lists (never more than half full).
    let pairs = 512;
    while (pairs < 2 * expected.lists) pairs *= 2;
    this.slots = new Int32Array(2 * pairs);
  }

  /** The id of `list[from .. to)`, new (= the size before) if no equal list was interned before. */
  id(list: ArrayLike<number>, from = 0, to = list.length): number {
    const hash = hashInts(list, from, to);
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    const length = to - from;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const held = slots[2 * s + 1]!;
      if (held === 0) break;
      if (slots[2 * s] === hash && this.equals(held - 1, list, from, length)) return held - 1;
    }
    const id = this.push(list, from, to);
    if (4 * this.count > slots.length) this.rehash(slots.length);
    this.place(hash, id);
    return id;
  }

  private equals(id: number, list: ArrayLike<number>, from: number, length: number): boolean {
    const start = this.offsets[id]!;
    if (this.offsets[id + 1]! - start !== length) return false;
    for (let i = 0; i < length; i++) if (this.values[start + i] !== list[from + i]) return false;
    return true;
  }

  private place(hash: number, id: number): void {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let s = hash & mask;
    while (slots[2 * s + 1] !== 0) s = (s + 1) & mask;
    slots[2 * s] = hash;
    slots[2 * s + 1] = id + 1;
  }

  /** Doubles the slots, placing the held lists again (by the hashes the old slots hold). */
  private rehash(oldLength: number): void {
    const old = this.slots;
    this.slots = new Int32Array(2 * oldLength);
    for (let s = 0; s < oldLength; s += 2) if (old[s + 1] !== 0) this.place(old[s]!, old[s + 1]! - 1);
  }
}

/**
 * A growing list of int32 values for scratch work: `values[0 .. size)`. Cleared by setting size
 * to 0, which keeps its store; an array's `length = 0` drops its store in V8, so refilling it
 * allocates again (about 90 ns per clear and refill of a few values, measured).
 */
export class IntBuffer {
  values: Int32Array;
  size = 0;

  /** `capacity`: how many values to expect (it grows past that). */
  constructor(capacity = 16) {
    this.values = new Int32Array(Math.max(16, capacity));
  }

  push(value: number): void {
    if (this.size === this.values.length) this.values = grown(this.values, this.size + 1);
    this.values[this.size++] = value;
  }
}

/** A 32-bit hash of `list[from .. to)` (murmur3's mixing, the length folded in). */
export function hashInts(list: ArrayLike<number>, from = 0, to = list.length): number {
  let h = 0x9747b28c ^ (to - from);
  for (let i = from; i < to; i++) {
    let k = Math.imul(list[i]!, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** A copy of `array` with room for at least `needed` elements (doubling, so appends stay linear). */
export function grown(array: Int32Array, needed: number): Int32Array {
  const bigger = new Int32Array(Math.max(needed, array.length * 2));
  bigger.set(array);
  return bigger;
}
