// The int-list interner numbers lists exactly as a Map keyed by an injective string of each list
// would: equal lists get the same id, new ones the next id, through every growth of its tables.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IntListInterner, IntLists } from "../../compiler/int-lists.js";

/** The ids a Map keyed by the list's text gives, in first-seen order. */
function mapIds(lists: readonly (readonly number[])[]): number[] {
  const ids = new Map<string, number>();
  return lists.map((list) => {
    const key = list.join(",");
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    return id;
  });
}

// Lists drawn again and again from a pool (300 to 1,500 distinct, so the slots grow one to three
// times), in an order that asks for most of them again after each growth.
const someLists = fc
  .tuple(
    fc.uniqueArray(fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 5 }), { minLength: 300, maxLength: 1500, selector: (list) => list.join(","), size: "max" }),
    fc.array(fc.nat(), { minLength: 1000, maxLength: 4000, size: "max" }),
  )
  .map(([pool, picks]) => [...pool, ...picks.map((pick) => pool[pick % pool.length]!)]);

describe("IntListInterner", () => {
  it("numbers lists as a Map keyed by their text does, and keeps each list", () => {
    fc.assert(
      fc.property(someLists, (lists) => {
        const interner = new IntListInterner();
        expect(lists.map((list) => interner.id(list))).toEqual(mapIds(lists));
        const distinct = Math.max(...mapIds(lists)) + 1;
        expect(interner.size).toBe(distinct);
        const firstOfId = new Map<number, readonly number[]>();
        mapIds(lists).forEach((id, i) => { if (!firstOfId.has(id)) firstOfId.set(id, lists[i]!); });
        for (let id = 0; id < distinct; id++) {
          expect([...interner.data.subarray(interner.start(id), interner.end(id))]).toEqual(firstOfId.get(id));
        }
      }),
      { numRuns: 60 },
    );
  });

  it("numbers lists the same whatever size it was told to expect, growing past it", () => {
    // Sizes below, near and above what the lists need: the hint only sets where growth starts.
    const expected = fc.record({ lists: fc.integer({ min: 0, max: 3000 }), ints: fc.integer({ min: 0, max: 12_000 }) });
    fc.assert(
      fc.property(someLists, expected, (lists, size) => {
        const interner = new IntListInterner(size);
        expect(lists.map((list) => interner.id(list))).toEqual(mapIds(lists));
        const ids = mapIds(lists);
        ids.forEach((id, i) => expect([...interner.data.subarray(interner.start(id), interner.end(id))]).toEqual(lists[i]));
      }),
      { numRuns: 30 },
    );
  });

  it("reads a list from a range of a larger array", () => {
    const interner = new IntListInterner();
    const scratch = Int32Array.of(9, 1, 2, 3, 9);
    expect(interner.id(scratch, 1, 4)).toBe(0);
    expect(interner.id([1, 2, 3])).toBe(0);
    expect(interner.id(scratch, 1, 3)).toBe(1);
    expect(interner.id([])).toBe(2);
    expect(interner.id(scratch, 2, 2)).toBe(2);
  });

  it("tells apart 100,000 distinct lists whose hashes share low bits", () => {
    const interner = new IntListInterner();
    for (let i = 0; i < 100_000; i++) expect(interner.id([i * 1024, 7])).toBe(i);
    for (let i = 0; i < 100_000; i++) expect(interner.id([i * 1024, 7])).toBe(i);
  });
});

describe("IntLists", () => {
  it("appends lists and reports where each starts and ends", () => {
    const lists = new IntLists();
    expect(lists.push([4, 5])).toBe(0);
    expect(lists.push([])).toBe(1);
    expect(lists.push(Int32Array.of(1, 6, 7, 1), 1, 3)).toBe(2);
    expect([...lists.starts]).toEqual([0, 2, 2, 4]);
    expect([...lists.data.subarray(0, 4)]).toEqual([4, 5, 6, 7]);
  });

  it("grows past the size it was told to expect", () => {
    const lists = new IntLists({ lists: 1, ints: 1 });
    for (let i = 0; i < 100; i++) expect(lists.push([i, i + 1, i + 2])).toBe(i);
    expect(lists.size).toBe(100);
    expect([...lists.data.subarray(lists.start(99), lists.end(99))]).toEqual([99, 100, 101]);
    expect(lists.starts.length).toBe(101);
  });
});
