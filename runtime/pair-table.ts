// An open-addressing hash table from four ints to an int, in flat typed arrays: the sparse maps
// of a decision table become O(1) lookups with no objects on the heap per entry.

export class KeyTable {
  private readonly keys: Int32Array; // 4 per slot; keys[4 * slot] === EMPTY marks a free slot
  private readonly values: Int32Array;
  private readonly mask: number;

  constructor(entries: number) {
    let capacity = 8;
    while (capacity < entries * 2) capacity *= 2;
    this.keys = new Int32Array(capacity * 4).fill(EMPTY);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  set(a: number, b: number, c: number, d: number, value: number): void {
    const keys = this.keys;
    let slot = hash(a, b, c, d) & this.mask;
    while (keys[slot * 4] !== EMPTY && !(keys[slot * 4] === a && keys[slot * 4 + 1] === b && keys[slot * 4 + 2] === c && keys[slot * 4 + 3] === d)) {
      slot = (slot + 1) & this.mask;
    }
    keys[slot * 4] = a;
    keys[slot * 4 + 1] = b;
    keys[slot * 4 + 2] = c;
    keys[slot * 4 + 3] = d;
    this.values[slot] = value;
  }

  /** The value for (a, b, c, d), or -1. */
  get(a: number, b: number, c: number, d: number): number {
    const keys = this.keys;
    let slot = hash(a, b, c, d) & this.mask;
    for (;;) {
      const at = slot * 4;
      const first = keys[at]!;
      if (first === EMPTY) return -1;
      if (first === a && keys[at + 1] === b && keys[at + 2] === c && keys[at + 3] === d) return this.values[slot]!;
      slot = (slot + 1) & this.mask;
    }
  }
}

const EMPTY = -0x80000000;

function hash(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ c, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15) ^ d, 0x165667b1);
  return (h ^ (h >>> 16)) >>> 0;
}
