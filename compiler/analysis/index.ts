// Exact questions on decision tables: what changes between two (diff), what may one caller do
// (access), who may do one thing (who). Each walks the regions of regions.ts, so every request
// is accounted for and each distinct case is looked at once.
//
// Rows are sparse: a row names a few resource main classes; every other resource region gets the
// row's defaults, which depend only on the region's bits, group and KMS flag (its *profile*). So
// a row is looked at through its *slices*: the regions it names, one by one, and one
// representative per profile for all the others. That keeps a diff linear in the table's size
// rather than in actions × resources.
import type { DecidingStatement, DimensionClass, Request, TableInspector } from "../../runtime/index.js";
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
}

export interface TableDiff {
  /** Regions where some request gains access. */
  readonly added: readonly RegionChange[];
  /** Regions where some request loses access. */
  readonly removed: readonly RegionChange[];
  /** Regions whose decision changes without access changing (an explicit deny now implicit, ...). */
  readonly changed: readonly RegionChange[];
  readonly stats: { readonly callers: number; readonly actionRegions: number; readonly resourceRegions: number };
  /** The change a request falls in, or undefined when its decision does not change. */
  changeAt(request: Request): RegionChange | undefined;
}

/** A row seen through its slices: the resource regions it names, and a representative per profile of the rest. */
interface Slice {
  /** A region of the slice: the named region itself, or the representative of a profile. */
  readonly region: Region;
  /** -1 for a named region; else the profile the slice stands for. */
  readonly profile: number;
}

interface Slices {
  readonly slices: readonly Slice[];
  /** Keys of the named regions (their requests are never answered by a profile's representative). */
  readonly named: ReadonlySet<string>;
}

/** Prepared dimensions of a set of tables, shared by the questions below. */
class Space {
  readonly actionDims: SteppedDimension[];
  readonly resourceDims: SteppedDimension[];
  private actionRegionList: Region[] | undefined;
  private resourceIndex: ResourceIndex | undefined;
  readonly actionNamer: RegionNamer;
  readonly resourceNamer: RegionNamer;
  readonly verdicts: readonly Verdicts[];
  private readonly comparisons = new Map<string, Comparison | undefined>();

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

  get resources(): ResourceIndex {
    return (this.resourceIndex ??= new ResourceIndex(dimensionRegions(this.resourceDims), this.tables.length));
  }

  /** The rows of each table for a tuple of caller classes and an action's classes (-1: none). */
  rowsOf(classes: readonly number[], action: readonly DimensionClass[]): number[] {
    return this.tables.map((t, k) => (classes[k]! < 0 ? -1 : t.rowOf(classes[k]!, action[k]!)));
  }

  /** The verdicts of each table on a resource region, for the given caller classes and rows. */
  verdictsOf(classes: readonly number[], rows: readonly number[], resource: Region): LeafVerdict[] {
    return this.verdicts.map((v, k) => v.ofRow(classes[k]!, rows[k]!, resource.classes[k]!));
  }

  /** The slices of a tuple of rows (one per table). */
  slicesOf(rows: readonly number[]): Slices {
    const index = this.resources;
    const named = new Map<string, Region>();
    rows.forEach((row, k) => {
      if (row < 0) return;
      for (const main of this.tables[k]!.explicitMains(row)) for (const r of index.byMain[k]!.get(main) ?? []) named.set(r.key, r);
    });
    const slices: Slice[] = [...named.values()].map((region) => ({ region, profile: -1 }));
    index.profiles.forEach((members, profile) => {
      const representative = members.find((r) => !named.has(r.key));
      if (representative !== undefined) slices.push({ region: representative, profile });
    });
    return { slices, named: new Set(named.keys()) };
  }

  /** How two verdicts differ (undefined: they decide alike), each pair worked out once. */
  compare(b: LeafVerdict, a: LeafVerdict): Comparison | undefined {
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
    if (this.spellings === undefined) {
      this.spellings = new Map();
      for (const t of this.tables) for (const l of t.actions.literals) if (!this.spellings.has(l.toLowerCase())) this.spellings.set(l.toLowerCase(), l);
    }
    return this.spellings.get(example) ?? example;
  }
  /** Actions as the policies spell them, by their lower-cased form. */
  private spellings: Map<string, string> | undefined;

  /** The regions a request's action and resource are in. */
  regionsOf(action: string, resource: string): { action: Region; resource: Region } {
    const a = regionKey(this.actionDims.map((d) => d.classOf(action)));
    const r = regionKey(this.resourceDims.map((d) => d.classOf(resource)));
    (this.actionByKey ??= new Map(this.actionRegions.map((x) => [x.key, x])));
    return { action: this.actionByKey.get(a)!, resource: this.resources.byKey.get(r)! };
  }
  private actionByKey: Map<string, Region> | undefined;
}

type Comparison = { readonly joint: ReturnType<typeof jointDecisions>; readonly change: ReturnType<typeof accessChange> };

/** Resource regions indexed for slicing rows: by each table's main class, and by profile. */
class ResourceIndex {
  readonly byMain: Map<number, Region[]>[];
  /** The regions of each profile (equal bits, group and KMS flag in every table). */
  readonly profiles: Region[][] = [];
  readonly profileOf = new Map<string, number>();
  readonly byKey: Map<string, Region>;

  constructor(readonly regions: readonly Region[], tables: number) {
    this.byMain = Array.from({ length: tables }, () => new Map<number, Region[]>());
    this.byKey = new Map(regions.map((r) => [r.key, r]));
    const profileIds = new Map<string, number>();
    for (const r of regions) {
      r.classes.forEach((c, k) => {
        const list = this.byMain[k]!.get(c.mainClass);
        if (list === undefined) this.byMain[k]!.set(c.mainClass, [r]);
        else list.push(r);
      });
      const profileKey = r.classes.map((c) => `${c.bits}.${c.group}.${c.kms}`).join("|");
      let id = profileIds.get(profileKey);
      if (id === undefined) {
        profileIds.set(profileKey, (id = this.profiles.length));
        this.profiles.push([]);
      }
      this.profiles[id]!.push(r);
      this.profileOf.set(r.key, id);
    }
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

/** The statements that take part in a region's decision on one side. */
function decidingIds(v: LeafVerdict): number[] {
  return [...v.matched, ...v.open.map((o) => o.statement)];
}

// ---------------------------------------------------------------------------------------------
// diff

/** What changes for one row tuple: the slices that change, and how the unchanged ones are named. */
interface RowDiff {
  readonly slices: Slices;
  /** Changed slices: by named region key, or by profile. */
  readonly named: ReadonlyMap<string, SliceChange>;
  readonly profiles: ReadonlyMap<number, SliceChange>;
  /** Names of the regions some statement speaks of whose decision does not change: exceptions. */
  readonly same: readonly string[];
}

interface SliceChange {
  readonly resource: Region;
  readonly verdicts: readonly LeafVerdict[];
  readonly comparison: Comparison;
}

/** The diff of one pair of caller classes, row tuple by row tuple. */
class ClassesDiff {
  private readonly rows = new Map<string, RowDiff>();
  private readonly covers = new Map<string, boolean>();

  constructor(private readonly space: Space, readonly classes: readonly number[]) {}

  rowDiff(rows: readonly number[]): RowDiff {
    const key = rows.join(",");
    let diff = this.rows.get(key);
    if (diff === undefined) this.rows.set(key, (diff = this.compute(rows)));
    return diff;
  }

  private compute(rows: readonly number[]): RowDiff {
    const space = this.space;
    const slices = space.slicesOf(rows);
    const named = new Map<string, SliceChange>();
    const profiles = new Map<number, SliceChange>();
    const same = new Set<string>();
    for (const { region, profile } of slices.slices) {
      const verdicts = space.verdictsOf(this.classes, rows, region);
      const comparison = space.compare(verdicts[0]!, verdicts[1]!);
      if (comparison === undefined) {
        const deciding = verdicts.map(decidingIds);
        if (deciding.some((ids) => ids.length > 0)) same.add(space.resourceNamer.name(region, deciding));
        continue;
      }
      const change = { resource: region, verdicts, comparison };
      if (profile < 0) named.set(region.key, change);
      else profiles.set(profile, change);
    }
    return { slices, named, profiles, same: [...same] };
  }

  /** The report entry of a changed slice for an action region. */
  entry(principal: string, action: Region, rowDiff: RowDiff, change: SliceChange): RegionChange {
    const space = this.space;
    const [b, a] = change.verdicts as [LeafVerdict, LeafVerdict];
    const deciding = [decidingIds(b), decidingIds(a)];
    const name = space.resourceNamer.name(change.resource, deciding);
    const { joint, change: access } = change.comparison;
    return {
      principal,
      action: space.actionNamer.name(action, deciding),
      resource: name,
      except: rowDiff.same.filter((n) => n !== name && globCovers(name, n, this.covers)).sort(),
      example: { action: space.actionExample(action), resource: exampleOf(change.resource) },
      before: sideVerdict(b, joint.outcomes[0]!),
      after: sideVerdict(a, joint.outcomes[1]!),
      added: access.added,
      removed: access.removed,
    };
  }
}

/**
 * The exact difference between two tables: every (caller, action region, resource region) whose
 * decision differs, for every caller either table lists and each kind of outside caller.
 */
export function diffTables(before: TableInspector, after: TableInspector, options: { readonly merge?: boolean } = {}): TableDiff {
  if (before.payload.model !== after.payload.model) {
    throw new Error(`cannot compare a ${before.payload.model} table with a ${after.payload.model} one`);
  }
  const tables = [before, after];
  const space = new Space(tables);
  const callers = callersOf(tables);
  const added: RegionChange[] = [];
  const removed: RegionChange[] = [];
  const changed: RegionChange[] = [];
  // Callers that both tables put in the same classes get the same answers: work each pair out once.
  const byClasses = new Map<string, { diff: ClassesDiff; callers: Caller[] }>();
  for (const caller of callers) {
    const classes = tables.map((t) => t.classOf(caller.request));
    const key = classes.join(",");
    const group = byClasses.get(key);
    if (group === undefined) byClasses.set(key, { diff: new ClassesDiff(space, classes), callers: [caller] });
    else group.callers.push(caller);
  }
  for (const { diff, callers: group } of byClasses.values()) {
    if (diff.classes.every((c) => c < 0)) continue;
    for (const action of space.actionRegions) {
      const rows = space.rowsOf(diff.classes, action.classes);
      if (rows.every((r) => r < 0)) continue; // nothing applies on either side: implicit deny both
      const rowDiff = diff.rowDiff(rows);
      for (const change of [...rowDiff.named.values(), ...rowDiff.profiles.values()]) {
        for (const caller of group) {
          const entry = diff.entry(caller.label, action, rowDiff, change);
          if (entry.added) added.push(entry);
          if (entry.removed) removed.push(entry);
          if (!entry.added && !entry.removed) changed.push(entry);
        }
      }
    }
  }
  const tidy = options.merge === false ? (c: RegionChange[]) => c : merge;
  return {
    added: tidy(added),
    removed: tidy(removed),
    changed: tidy(changed),
    stats: { callers: callers.length, actionRegions: space.actionRegions.length, resourceRegions: space.resources.regions.length },
    changeAt(request) {
      const classes = tables.map((t) => t.classOf(request));
      const group = byClasses.get(classes.join(","));
      const label = group?.callers[0]?.label ?? (request.principal ?? "an unauthenticated caller");
      const diff = group?.diff ?? new ClassesDiff(space, classes);
      if (classes.every((c) => c < 0)) return undefined;
      const { action, resource } = space.regionsOf(request.action, request.resource);
      const rows = space.rowsOf(classes, action.classes);
      if (rows.every((r) => r < 0)) return undefined;
      const rowDiff = diff.rowDiff(rows);
      const change = rowDiff.slices.named.has(resource.key)
        ? rowDiff.named.get(resource.key)
        : rowDiff.profiles.get(space.resources.profileOf.get(resource.key)!);
      return change === undefined ? undefined : diff.entry(label, action, rowDiff, change);
    },
  };
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

// ---------------------------------------------------------------------------------------------
// access

/** A region a caller may act on. */
export interface AccessEntry {
  readonly action: string;
  readonly resource: string;
  /** Narrower resources under `resource` where this action is denied, as their statements name them. */
  readonly except: readonly string[];
  readonly example: { readonly action: string; readonly resource: string };
  readonly verdict: SideVerdict;
}

export interface AccessReport {
  /** Every region the caller may act on, merged by how they read, sorted by action and resource. */
  readonly entries: readonly AccessEntry[];
  /** The entry a request of the caller falls in, or undefined when no request of its region is allowed. */
  entryAt(action: string, resource: string): AccessEntry | undefined;
}

/** Everything a caller may do: every region where some request of theirs is allowed. */
export function accessOf(table: TableInspector, caller: Caller["request"]): AccessReport {
  const cls = table.classOf(caller);
  if (cls < 0) return { entries: [], entryAt: () => undefined };
  const space = spaceOf(table);
  type Allowed = { readonly region: Region; readonly v: LeafVerdict; readonly decisions: readonly Decision[] };
  interface RowAccess { readonly slices: Slices; readonly named: Map<string, Allowed>; readonly profiles: Map<number, Allowed>; readonly denied: string[] }
  const byRow = new Map<number, RowAccess>();
  const covers = new Map<string, boolean>(); // names repeat across rows
  const rowAccess = (row: number): RowAccess => {
    let access = byRow.get(row);
    if (access !== undefined) return access;
    const slices = space.slicesOf([row]);
    access = { slices, named: new Map(), profiles: new Map(), denied: [] };
    const denied = new Set<string>();
    for (const { region, profile } of slices.slices) {
      const [v] = space.verdictsOf([cls], [row], region) as [LeafVerdict];
      const decisions = jointDecisions([v]).outcomes[0]!;
      if (decisions.includes("Allow")) {
        if (profile < 0) access.named.set(region.key, { region, v, decisions });
        else access.profiles.set(profile, { region, v, decisions });
      }
      // Denied regions some statement speaks of (a deny, or an allow that is not enough) are
      // the exceptions to a broad allow; regions nothing names are not worth a mention.
      else if (decidingIds(v).length > 0) denied.add(space.resourceNamer.name(region, [decidingIds(v)]));
    }
    access.denied.push(...denied);
    byRow.set(row, access);
    return access;
  };
  const entryOf = (action: Region, access: RowAccess, allowed: Allowed): AccessEntry => {
    const name = space.resourceNamer.name(allowed.region, [decidingIds(allowed.v)]);
    return {
      action: space.actionNamer.name(action, [decidingIds(allowed.v)]),
      resource: name,
      except: access.denied.filter((d) => d !== name && globCovers(name, d, covers)).sort(),
      example: { action: space.actionExample(action), resource: exampleOf(allowed.region) },
      verdict: sideVerdict(allowed.v, allowed.decisions),
    };
  };
  const seen = new Map<string, AccessEntry>();
  for (const action of space.actionRegions) {
    const row = table.rowOf(cls, action.classes[0]!);
    if (row < 0) continue;
    const access = rowAccess(row);
    for (const allowed of [...access.named.values(), ...access.profiles.values()]) {
      const e = entryOf(action, access, allowed);
      const key = JSON.stringify([e.action, e.resource, e.verdict]);
      const first = seen.get(key);
      seen.set(key, first === undefined ? e : { ...first, except: [...new Set([...first.except, ...e.except])].sort() });
    }
  }
  return {
    entries: [...seen.values()].sort((a, b) => a.action.localeCompare(b.action) || a.resource.localeCompare(b.resource)),
    entryAt(actionText, resourceText) {
      const { action, resource } = space.regionsOf(actionText, resourceText);
      const row = table.rowOf(cls, action.classes[0]!);
      if (row < 0) return undefined;
      const access = rowAccess(row);
      const allowed = access.slices.named.has(resource.key) ? access.named.get(resource.key) : access.profiles.get(space.resources.profileOf.get(resource.key)!);
      return allowed === undefined ? undefined : entryOf(action, access, allowed);
    },
  };
}

/** Whether glob `outer` matches `inner` read as text: `*` covers `vm/prod-*`, `a/*` covers `a/b`. */
function globCovers(outer: string, inner: string, memo: Map<string, boolean>): boolean {
  const key = `${outer}\u0000${inner}`;
  let covers = memo.get(key);
  if (covers === undefined) memo.set(key, (covers = matchTokens(tokenize([{ kind: "text", text: outer }])!, inner)));
  return covers;
}

// ---------------------------------------------------------------------------------------------
// who

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
