// An open-addressing hash table from a pair of non-negative ints to an int, in flat typed arrays:
// the sparse maps of a decision table become O(1) lookups with no objects on the heap per entry.

export class PairTable {
  private readonly first: Int32Array;
  private readonly second: Int32Array;
  private readonly values: Int32Array;
  private readonly mask: number;

  constructor(entries: number) {
    let capacity = 8;
    while (capacity < entries * 2) capacity *= 2;
    this.first = new Int32Array(capacity).fill(-1);
    this.second = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  set(a: number, b: number, value: number): void {
    let slot = hash(a, b) & this.mask;
    while (this.first[slot] !== -1 && (this.first[slot] !== a || this.second[slot] !== b)) slot = (slot + 1) & this.mask;
    this.first[slot] = a;
    this.second[slot] = b;
    this.values[slot] = value;
  }

  /** The value for (a, b), or -1. */
  get(a: number, b: number): number {
    let slot = hash(a, b) & this.mask;
    for (;;) {
      const key = this.first[slot]!;
      if (key === -1) return -1;
      if (key === a && this.second[slot] === b) return this.values[slot]!;
      slot = (slot + 1) & this.mask;
    }
  }
}

function hash(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 0;
}
