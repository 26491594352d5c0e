// An open-addressing hash table from four ints to an int, in one flat typed array: the sparse
// maps of a decision table become O(1) lookups with no objects on the heap per entry. A slot
// holds its four key ints and its value side by side, so a lookup touches one cache line.

const SLOT = 5;

export class KeyTable {
  private readonly slots: Int32Array; // SLOT ints per slot; slots[SLOT * i] === EMPTY marks a free slot
  private readonly mask: number;

  constructor(entries: number) {
    let capacity = 8;
    while (capacity < entries * 2) capacity *= 2;
    this.slots = new Int32Array(capacity * SLOT).fill(EMPTY);
    this.mask = capacity - 1;
  }

  set(a: number, b: number, c: number, d: number, value: number): void {
    const slots = this.slots;
    let slot = hash(a, b, c, d) & this.mask;
    for (;;) {
      const at = slot * SLOT;
      if (slots[at] === EMPTY || (slots[at] === a && slots[at + 1] === b && slots[at + 2] === c && slots[at + 3] === d)) {
        slots[at] = a;
        slots[at + 1] = b;
        slots[at + 2] = c;
        slots[at + 3] = d;
        slots[at + 4] = value;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** The value for (a, b, c, d), or -1. */
  get(a: number, b: number, c: number, d: number): number {
    const slots = this.slots;
    let slot = hash(a, b, c, d) & this.mask;
    for (;;) {
      const at = slot * SLOT;
      const first = slots[at]!;
      if (first === EMPTY) return -1;
      if (first === a && slots[at + 1] === b && slots[at + 2] === c && slots[at + 3] === d) return slots[at + 4]!;
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
