// What a table decides on one region, as a function of the request's conditions. A leaf holds
// the statements that apply outright and those whose conditions only the request can decide;
// treating each distinct condition as an independent yes/no, the decision is a function of
// those bits, compared exactly across tables by enumerating them. Conditions on the same key
// are not independent, so an assignment may be impossible: a change found only there is
// reported all the same (a diff may over-report a conditional change, never miss one).
import type { DimensionClass, TableInspector } from "../../runtime/index.js";
import type { Decision } from "../ir.js";

/** One table's view of a region: what applies outright, and what depends on conditions. */
export interface LeafVerdict {
  /** Unique among the verdicts of one `Verdicts`: equal ids, same function of the request. */
  readonly id: number;
  readonly table: TableInspector;
  readonly cls: number;
  readonly resource: DimensionClass;
  readonly allow: number;
  readonly deny: number;
  /** Statements (provenance ids) that apply outright. */
  readonly matched: readonly number[];
  readonly open: readonly { readonly statement: number; readonly slot: number; readonly deny: boolean; readonly condition: string }[];
}

/**
 * A table's verdicts, each built once: a verdict depends only on the caller class, the leaf and
 * the resource's group (which picks the combination terms), and most regions share leaves.
 */
export class Verdicts {
  private readonly cache = new Map<string, LeafVerdict>();
  private readonly factsOf = new Map<number, string>();

  constructor(readonly table: TableInspector) {}

  /** The verdict for a caller class (-1: no class) on an action class and a resource class. */
  of(cls: number, action: DimensionClass, resource: DimensionClass): LeafVerdict {
    return this.ofRow(cls, cls < 0 ? -1 : this.table.rowOf(cls, action), resource);
  }

  /** The verdict for a row of a caller class (-1: nothing applies) and a resource class. */
  ofRow(cls: number, row: number, resource: DimensionClass): LeafVerdict {
    const leafId = row < 0 ? -1 : this.table.leafOf(row, resource);
    const key = `${cls}:${leafId}:${resource.group}:${resource.kms}`;
    let verdict = this.cache.get(key);
    if (verdict === undefined) {
      verdict = this.build(cls, leafId, resource);
      this.cache.set(key, verdict);
    }
    return verdict;
  }

  private build(cls: number, leafId: number, resource: DimensionClass): LeafVerdict {
    const id = this.cache.size;
    const table = this.table;
    if (leafId < 0) return { id, table, cls, resource, allow: 0, deny: 0, matched: [], open: [] };
    const leaf = table.leaf(leafId);
    let facts = this.factsOf.get(cls);
    if (facts === undefined) this.factsOf.set(cls, (facts = JSON.stringify(table.facts(cls))));
    return {
      id, table, cls, resource,
      allow: leaf.allow,
      deny: leaf.deny,
      matched: leaf.matched,
      open: leaf.open.map((o) => ({ statement: o.statement, slot: o.slot, deny: o.deny, condition: conditionKey(table, o.predicate, facts) })),
    };
  }
}

/** Conditions are the same condition when they are written the same and see the same manifest facts. */
function conditionKey(table: TableInspector, predicate: number, facts: string): string {
  return `${JSON.stringify(table.predicate(predicate))}\u0000${facts}`;
}

/** The decision when exactly the conditions in `holds` are true. */
export function decideWith(v: LeafVerdict, holds: (condition: string) => boolean): Decision {
  if (v.deny !== 0) return "ExplicitDeny";
  let allow = v.allow;
  for (const o of v.open) {
    if (!holds(o.condition)) continue;
    if (o.deny) return "ExplicitDeny";
    allow |= 1 << o.slot;
  }
  return v.table.allows(v.cls, v.resource, allow) ? "Allow" : "ImplicitDeny";
}

/**
 * A side's decision over a region: constant; `Conditional` when some requests of the region are
 * allowed and others not, as their conditions decide; `Deny` when none is allowed but conditions
 * decide whether explicitly.
 */
export type RegionDecision = Decision | "Conditional" | "Deny";

/** How many distinct conditions one comparison enumerates (2^n assignments) before it compares by structure. */
const MAX_ENUMERATED_CONDITIONS = 12;

/**
 * The decisions of several tables on one region, under every assignment of the conditions any
 * of them depends on. `exact` is false when there were too many conditions to enumerate; the
 * assignments then cover only all-true and all-false.
 */
export interface JointDecisions {
  readonly conditions: readonly string[];
  /** Per table, its decision under each assignment (bit i of the index: condition i holds). */
  readonly outcomes: readonly (readonly Decision[])[];
  readonly exact: boolean;
}

export function jointDecisions(verdicts: readonly LeafVerdict[]): JointDecisions {
  const conditions = [...new Set(verdicts.flatMap((v) => v.open.map((o) => o.condition)))].sort();
  const exact = conditions.length <= MAX_ENUMERATED_CONDITIONS;
  const assignments = exact ? 1 << conditions.length : 2;
  const index = new Map(conditions.map((c, i) => [c, i]));
  const outcomes = verdicts.map((v) => {
    const decisions: Decision[] = [];
    for (let a = 0; a < assignments; a++) {
      decisions.push(decideWith(v, (c) => (exact ? (a & (1 << index.get(c)!)) !== 0 : a === 1)));
    }
    return decisions;
  });
  return { conditions, outcomes, exact };
}

/** One side's decisions folded to what it says for the region. */
export function regionDecision(decisions: readonly Decision[]): RegionDecision {
  if (decisions.every((d) => d === decisions[0])) return decisions[0]!;
  return decisions.includes("Allow") ? "Conditional" : "Deny";
}

/** How a region's access changed between two tables (index 0 before, 1 after). */
export interface AccessChange {
  /** Some request of the region is allowed after and was not before. */
  readonly added: boolean;
  /** Some request of the region was allowed before and is not after. */
  readonly removed: boolean;
  /** The decisions differ somewhere (also ExplicitDeny vs ImplicitDeny). */
  readonly changed: boolean;
}

export function accessChange(joint: JointDecisions, structurallyEqual: boolean): AccessChange {
  const [before, after] = joint.outcomes as [readonly Decision[], readonly Decision[]];
  let added = false;
  let removed = false;
  let changed = false;
  for (let a = 0; a < before.length; a++) {
    if (before[a] === after[a]) continue;
    changed = true;
    if (after[a] === "Allow") added = true;
    if (before[a] === "Allow") removed = true;
  }
  if (!joint.exact && !structurallyEqual) {
    // Too many conditions to enumerate: different statements may change anything.
    const mayAllow = (d: readonly Decision[]) => d.includes("Allow");
    changed = true;
    added ||= mayAllow(after);
    removed ||= mayAllow(before);
  }
  return { added, removed, changed };
}

/** Two verdicts are the same function of the request when they hold the same bits and conditions. */
export function sameStructure(a: LeafVerdict, b: LeafVerdict): boolean {
  const key = (v: LeafVerdict) => `${v.allow}/${v.deny}/${v.open.map((o) => `${o.slot}.${o.deny}.${o.condition}`).sort().join(";")}`;
  return key(a) === key(b);
}
