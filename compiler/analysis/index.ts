// Exact questions on decision tables: what changes between two (diff), what may one caller do
// (access), who may do one thing (who). Each walks the regions of regions.ts, so every request
// is accounted for and each distinct case is looked at once.
import type { DecidingStatement, DimensionClass, TableInspector } from "../../runtime/index.js";
import type { Decision } from "../ir.js";
import { matchTokens, tokenize } from "../reference/glob.js";
import { callersOf, conditionsOf, exampleOf, RegionNamer, statementName, type Caller } from "./describe.js";
import { dimensionRegions, regionKey, SteppedDimension, type Region } from "./regions.js";
import { accessChange, jointDecisions, regionDecision, sameStructure, Verdicts, type LeafVerdict, type RegionDecision } from "./verdicts.js";

export { AnalysisTooLarge } from "./regions.js";
export type { Caller } from "./describe.js";

/** One side of a region: its decision and the statements behind it. */
export interface SideVerdict {
  readonly decision: RegionDecision;
  /** The statements that apply outright (the deciding ones for a constant decision). */
  readonly statements: readonly string[];
  /** Statements whose conditions decide, with those conditions as written. */
  readonly conditional: readonly { readonly statement: string; readonly effect: "Allow" | "Deny"; readonly conditions: string }[];
}

/** A region whose decision differs between two tables. */
export interface RegionChange {
  readonly principal: string;
  /** The most specific action pattern the policies write for the region, and an action in it. */
  readonly action: string;
  readonly resource: string;
  /** Narrower resources under `resource` whose decision does not change, as their statements name them. */
  readonly except: readonly string[];
  readonly example: { readonly action: string; readonly resource: string };
  readonly before: SideVerdict;
  readonly after: SideVerdict;
  readonly added: boolean;
  readonly removed: boolean;
  /** The caller's region keys, for tools that map requests to regions. */
  readonly key: string;
}

export interface TableDiff {
  /** Regions where some request gains access. */
  readonly added: readonly RegionChange[];
  /** Regions where some request loses access. */
  readonly removed: readonly RegionChange[];
  /** Regions whose decision changes without access changing (an explicit deny now implicit, ...). */
  readonly changed: readonly RegionChange[];
  readonly stats: { readonly callers: number; readonly actionRegions: number; readonly resourceRegions: number };
}

/** Prepared dimensions of a set of tables, shared by the questions below. */
class Space {
  readonly actionDims: SteppedDimension[];
  readonly resourceDims: SteppedDimension[];
  private actionRegionList: Region[] | undefined;
  private resourceRegionList: Region[] | undefined;
  readonly actionNamer: RegionNamer;
  readonly resourceNamer: RegionNamer;

  readonly verdicts: readonly Verdicts[];
  private readonly comparisons = new Map<string, { joint: ReturnType<typeof jointDecisions>; change: ReturnType<typeof accessChange> } | undefined>();

  constructor(readonly tables: readonly TableInspector[]) {
    this.verdicts = tables.map((t) => new Verdicts(t));
    this.actionDims = tables.map((t) => steppedOf(t).actions);
    this.resourceDims = tables.map((t) => steppedOf(t).resources);
    this.actionNamer = new RegionNamer(tables, "actions");
    this.resourceNamer = new RegionNamer(tables, "resources");
  }

  get actionRegions(): Region[] {
    return (this.actionRegionList ??= dimensionRegions(this.actionDims));
  }

  get resourceRegions(): Region[] {
    return (this.resourceRegionList ??= dimensionRegions(this.resourceDims));
  }

  /** How two verdicts differ (undefined: they decide alike), each pair worked out once. */
  compare(b: LeafVerdict, a: LeafVerdict): { joint: ReturnType<typeof jointDecisions>; change: ReturnType<typeof accessChange> } | undefined {
    const key = `${b.id},${a.id}`;
    if (this.comparisons.has(key)) return this.comparisons.get(key);
    const joint = jointDecisions([b, a]);
    const change = accessChange(joint, sameStructure(b, a));
    const result = change.changed ? { joint, change } : undefined;
    this.comparisons.set(key, result);
    return result;
  }

  /** How an action region reads: the pattern, and an action in it spelled as the policies do. */
  actionExample(region: Region): string {
    const example = exampleOf(region);
    for (const t of this.tables) {
      const spelled = t.actions.literals.find((l) => l.toLowerCase() === example);
      if (spelled !== undefined) return spelled;
    }
    return example;
  }
}

/** A table's dimensions decoded for stepping, once per table. */
function steppedOf(table: TableInspector): { actions: SteppedDimension; resources: SteppedDimension } {
  let stepped = STEPPED.get(table);
  if (stepped === undefined) {
    stepped = { actions: new SteppedDimension(table.actions, true), resources: new SteppedDimension(table.resources, false) };
    STEPPED.set(table, stepped);
  }
  return stepped;
}
const STEPPED = new WeakMap<TableInspector, { actions: SteppedDimension; resources: SteppedDimension }>();

/** One table's space, built once per table: its regions serve every question asked of it. */
function spaceOf(table: TableInspector): Space {
  let space = SPACES.get(table);
  if (space === undefined) SPACES.set(table, (space = new Space([table])));
  return space;
}
const SPACES = new WeakMap<TableInspector, Space>();

/** Who each table takes a caller to be. */
function classesOf(tables: readonly TableInspector[], caller: Caller): number[] {
  return tables.map((t) => t.classOf(caller.request));
}

function sideVerdict(v: LeafVerdict, decisions: readonly Decision[]): SideVerdict {
  const name = (id: number) => statementName(v.table.statement(id));
  const decision = regionDecision(decisions);
  const effect = (id: number): DecidingStatement["effect"] => v.table.statement(id).effect;
  // For a constant decision, the statements that made it; otherwise every one that applies.
  const shown = v.matched.filter((id) => decision === "Conditional" || decision === "ImplicitDeny"
    || (decision === "Allow" ? effect(id) === "Allow" : effect(id) === "Deny"));
  return {
    decision,
    statements: [...new Set(shown.map(name))],
    conditional: v.open.map((o) => ({ statement: name(o.statement), effect: o.deny ? "Deny" : "Allow", conditions: conditionsOf(v.table, o.statement) })),
  };
}

/**
 * The exact difference between two tables: every (caller, action region, resource region) whose
 * decision differs, for every caller either table lists and each kind of outside caller.
 */
export function diffTables(before: TableInspector, after: TableInspector, options: { readonly merge?: boolean } = {}): TableDiff {
  if (before.payload.model !== after.payload.model) {
    throw new Error(`cannot compare a ${before.payload.model} table with a ${after.payload.model} one`);
  }
  const space = new Space([before, after]);
  const callers = callersOf([before, after]);
  const added: RegionChange[] = [];
  const removed: RegionChange[] = [];
  const changed: RegionChange[] = [];
  // Callers that both tables put in the same classes get the same answers: work each pair out once.
  const byClasses = new Map<string, Caller[]>();
  for (const caller of callers) {
    const key = classesOf([before, after], caller).join(",");
    byClasses.set(key, [...(byClasses.get(key) ?? []), caller]);
  }
  for (const [key, group] of byClasses) {
    const [c0, c1] = key.split(",").map(Number) as [number, number];
    if (c0 < 0 && c1 < 0) continue;
    const changes = diffClasses(space, c0, c1);
    for (const caller of group) {
      for (const change of changes) {
        const entry: RegionChange = { ...change, principal: caller.label };
        if (change.added) added.push(entry);
        if (change.removed) removed.push(entry);
        if (!change.added && !change.removed) changed.push(entry);
      }
    }
  }
  const tidy = options.merge === false ? (c: RegionChange[]) => c : merge;
  return {
    added: tidy(added),
    removed: tidy(removed),
    changed: tidy(changed),
    stats: { callers: callers.length, actionRegions: space.actionRegions.length, resourceRegions: space.resourceRegions.length },
  };
}

/** The changes for one pair of caller classes (principal filled in by the caller). */
function diffClasses(space: Space, c0: number, c1: number): RegionChange[] {
  const [before, after] = space.tables as [TableInspector, TableInspector];
  const [verdicts0, verdicts1] = space.verdicts as [Verdicts, Verdicts];
  const out: RegionChange[] = [];
  type Difference = { resource: Region; b: LeafVerdict; a: LeafVerdict; joint: ReturnType<typeof jointDecisions>; change: ReturnType<typeof accessChange> };
  // Actions whose rows are the same in both tables have the same resource answers. Regions some
  // statement speaks of that do not change are kept by name: they are a change's exceptions.
  const byRows = new Map<string, { differing: Difference[]; same: string[] }>();
  const covers = new Map<string, boolean>();
  for (const action of space.actionRegions) {
    const [a0, a1] = action.classes as [DimensionClass, DimensionClass];
    const r0 = c0 < 0 ? -1 : before.rowOf(c0, a0);
    const r1 = c1 < 0 ? -1 : after.rowOf(c1, a1);
    if (r0 < 0 && r1 < 0) continue; // nothing applies on either side: implicit deny both
    const rowKey = `${r0},${r1}`;
    let split = byRows.get(rowKey);
    if (split === undefined) {
      split = { differing: [], same: [] };
      const same = new Set<string>();
      for (const resource of space.resourceRegions) {
        const [s0, s1] = resource.classes as [DimensionClass, DimensionClass];
        const b = verdicts0.ofRow(c0, r0, s0);
        const a = verdicts1.ofRow(c1, r1, s1);
        const compared = space.compare(b, a);
        if (compared !== undefined) split.differing.push({ resource, b, a, ...compared });
        else if (decidingIds(b).length + decidingIds(a).length > 0) same.add(space.resourceNamer.name(resource, [decidingIds(b), decidingIds(a)]));
      }
      split.same = [...same];
      byRows.set(rowKey, split);
    }
    for (const { resource, b, a, joint, change } of split.differing) {
      const deciding = [decidingIds(b), decidingIds(a)];
      const name = space.resourceNamer.name(resource, deciding);
      out.push({
        principal: "",
        action: space.actionNamer.name(action, deciding),
        resource: name,
        except: split.same.filter((n) => n !== name && globCovers(name, n, covers)).sort(),
        example: { action: space.actionExample(action), resource: exampleOf(resource) },
        before: sideVerdict(b, joint.outcomes[0]!),
        after: sideVerdict(a, joint.outcomes[1]!),
        added: change.added,
        removed: change.removed,
        key: `${action.key}/${resource.key}`,
      });
    }
  }
  return out;
}

/** The statements that take part in a region's decision on one side. */
function decidingIds(v: LeafVerdict): number[] {
  return [...v.matched, ...v.open.map((o) => o.statement)];
}

/**
 * Entries that read the same (caller, action pattern, resource pattern, decisions, statements)
 * are one entry for a human: the regions behind them differ only in ways no statement names.
 */
function merge(changes: readonly RegionChange[]): RegionChange[] {
  const seen = new Map<string, RegionChange>();
  for (const c of changes) {
    const key = JSON.stringify([c.principal, c.action, c.resource, c.before, c.after]);
    const first = seen.get(key);
    seen.set(key, first === undefined ? c : { ...first, except: [...new Set([...first.except, ...c.except])].sort() });
  }
  return [...seen.values()];
}

/** A region a caller may act on. */
export interface AccessEntry {
  readonly action: string;
  readonly resource: string;
  readonly example: { readonly action: string; readonly resource: string };
  readonly verdict: SideVerdict;
  /** Narrower resources under `resource` where this action is denied, as their statements name them. */
  readonly except: readonly string[];
  /** The keys of the regions the entry stands for (entries that read alike are merged). */
  readonly keys: readonly string[];
}

/** Everything a caller may do: every region where some request of theirs is allowed. */
export function accessOf(table: TableInspector, caller: Caller["request"]): AccessEntry[] {
  const cls = table.classOf(caller);
  if (cls < 0) return [];
  const space = spaceOf(table);
  const out: AccessEntry[] = [];
  type Verdicted = { resource: Region; v: LeafVerdict; decisions: readonly Decision[] };
  const covers = new Map<string, boolean>(); // names repeat across rows
  const byRow = new Map<number, { allowed: Verdicted[]; denied: Verdicted[]; deniedNames?: string[] }>();
  for (const action of space.actionRegions) {
    const row = table.rowOf(cls, action.classes[0]!);
    if (row < 0) continue;
    let split = byRow.get(row);
    if (split === undefined) {
      split = { allowed: [], denied: [] };
      for (const resource of space.resourceRegions) {
        const v = space.verdicts[0]!.ofRow(cls, row, resource.classes[0]!);
        const decisions = jointDecisions([v]).outcomes[0]!;
        // Denied regions some statement speaks of (a deny, or an allow that is not enough) are
        // the exceptions to a broad allow; regions nothing names are not worth a mention.
        if (decisions.includes("Allow")) split.allowed.push({ resource, v, decisions });
        else if (decidingIds(v).length > 0) split.denied.push({ resource, v, decisions });
      }
      byRow.set(row, split);
    }
    const deniedNames = (split.deniedNames ??= [...new Set(split.denied.map((d) => space.resourceNamer.name(d.resource, [decidingIds(d.v)])))]);
    for (const { resource, v, decisions } of split.allowed) {
      const name = space.resourceNamer.name(resource, [decidingIds(v)]);
      out.push({
        action: space.actionNamer.name(action, [decidingIds(v)]),
        resource: name,
        except: [...new Set(deniedNames.filter((d) => d !== name && globCovers(name, d, covers)))].sort(),
        example: { action: space.actionExample(action), resource: exampleOf(resource) },
        verdict: sideVerdict(v, decisions),
        keys: [`${action.key}/${resource.key}`],
      });
    }
  }
  const seen = new Map<string, AccessEntry>();
  for (const e of out) {
    const key = JSON.stringify([e.action, e.resource, e.verdict]);
    const first = seen.get(key);
    seen.set(key, first === undefined ? e : { ...first, keys: [...first.keys, ...e.keys], except: [...new Set([...first.except, ...e.except])].sort() });
  }
  return [...seen.values()].sort((a, b) => a.action.localeCompare(b.action) || a.resource.localeCompare(b.resource));
}

/** Whether glob `outer` matches `inner` read as text: `*` covers `vm/prod-*`, `a/*` covers `a/b`. */
function globCovers(outer: string, inner: string, memo: Map<string, boolean>): boolean {
  const key = `${outer}\u0000${inner}`;
  let covers = memo.get(key);
  if (covers === undefined) memo.set(key, (covers = matchTokens(tokenize([{ kind: "text", text: outer }])!, inner)));
  return covers;
}

/** A caller that may make a request. */
export interface WhoEntry {
  readonly principal: string;
  readonly request: Caller["request"];
  readonly verdict: SideVerdict;
}

/** Every caller (listed, or a kind of outside caller) some request of whom for this action and resource is allowed. */
export function whoMay(table: TableInspector, action: string, resource: string): WhoEntry[] {
  const space = spaceOf(table);
  const actionClass = space.actionDims[0]!.classOf(action);
  const resourceClass = space.resourceDims[0]!.classOf(resource);
  const out: WhoEntry[] = [];
  const verdicts = space.verdicts[0]!;
  for (const caller of callersOf([table])) {
    const cls = table.classOf(caller.request);
    const v = verdicts.of(cls, actionClass, resourceClass);
    const decisions = jointDecisions([v]).outcomes[0]!;
    if (!decisions.includes("Allow")) continue;
    out.push({ principal: caller.label, request: caller.request, verdict: sideVerdict(v, decisions) });
  }
  return out;
}

/** The region key of a request in each table (tests map sampled requests to diff entries by it). */
export function regionKeyOf(tables: readonly TableInspector[], action: string, resource: string): string {
  const a = tables.map((t) => steppedOf(t).actions.classOf(action));
  const r = tables.map((t) => steppedOf(t).resources.classOf(resource));
  return `${regionKey(a)}/${regionKey(r)}`;
}
