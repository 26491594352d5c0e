// Stage: build the decision table from the specialized caller classes.
//
// The table answers (caller class, action, resource) without looking at any statement:
// - one automaton over all action patterns maps an action to its action class (the set of action
//   patterns it matches); one over all resource patterns (plus probes for resource-policy scope,
//   account and KMS keys) maps a resource to its resource class;
// - per caller class, a sparse map action class -> row; per row, a sparse map resource class ->
//   leaf. "Sparse": classes that only broad patterns (`*`, `s3:*`, `*/secret/*`) tell apart share
//   a default chosen by a small bitmask of those broad patterns, so broad patterns never
//   multiply entries;
// - a leaf holds the per-layer verdicts of the statements that match everywhere in its region,
//   as allow/deny bitmasks, plus the few statements whose conditions the request must decide;
// - how layers combine is a list of bitmask terms per (caller kind, resource group): Allow iff no
//   deny and some term's bits all allow.
import { ANY, FIELD, FIELD_CHAR, STAR, buildAutomaton, foldString, type Automaton, type GlobToken } from "./automaton.js";
import type { AwsWorkspace, Condition, Template } from "./ir.js";
import {
  MAX_LEVELS, SLOT_BOUNDARY, SLOT_GRANT_ACCOUNT, SLOT_GRANT_DIRECT, SLOT_GRANT_EVERYONE, SLOT_IDENTITY, SLOT_RCP,
  SLOT_SCP, SLOT_SESSION, type CallerClasses, type CallerKind, type SpecializedStatement,
} from "./specialize.js";
import { bucketOfS3Object } from "./aws-names.js";
import type { WireCondition, WireTemplate } from "../runtime/wire.js";

/** The condition key under which a residual resource check reads the request's resource. */
export const RESOURCE_KEY = "iamc:resource";

/** A sparse function from the classes of one automaton to ids (rows or leaves). */
export interface SparseMap {
  /** Bits of the broad patterns that matter here. */
  readonly mask: number;
  /** Explicit entries, sorted by class: class ids and their values. */
  readonly keys: Int32Array;
  readonly values: Int32Array;
  /** Defaults: key (broadBits & mask) * groupCount + group -> value, sorted by key. */
  readonly defaultKeys: Int32Array;
  readonly defaultValues: Int32Array;
}

export interface Leaf {
  readonly allow: number;
  readonly deny: number;
  /** Statements that matched unconditionally (provenance ids), for explain. */
  readonly matched: readonly number[];
  /** Statements whose conditions decide: [provenance, slot, deny ? 1 : 0, predicate] each. */
  readonly open: readonly (readonly [number, number, number, number])[];
}

export interface Provenance {
  readonly policy: string;
  readonly sid?: string;
  readonly index: number;
  readonly layer: string;
  readonly effect: "Allow" | "Deny";
}

export interface TableClass {
  readonly name: string;
  readonly kind: number;
  readonly facts: readonly (readonly [string, unknown])[];
  readonly actions: SparseMap;
}

export interface DecisionTable {
  readonly actionAutomaton: Automaton;
  readonly actionBroad: Int32Array;
  readonly resourceAutomaton: Automaton;
  readonly resourceBroad: Int32Array;
  /** Per resource class: account group (0 unknown, 1 other, 2+ accounts[i-2]). */
  readonly resourceGroup: Int32Array;
  readonly resourceKms: Uint8Array;
  readonly accounts: readonly string[];
  readonly classes: readonly TableClass[];
  readonly principals: readonly (readonly [string, number])[];
  readonly accountClasses: readonly (readonly [string, number])[];
  readonly stranger: number;
  readonly anonymous: number;
  readonly kinds: readonly CallerKind[];
  /** terms[kind][group * 2 + kms] = DNF terms (bitmasks). */
  readonly terms: readonly (readonly (readonly number[])[])[];
  readonly rows: readonly SparseMap[];
  readonly leaves: readonly Leaf[];
  readonly predicates: readonly (readonly WireCondition[])[];
  readonly provenance: readonly Provenance[];
}

const GROUP_UNKNOWN = 0;
const GROUP_OTHER = 1;
const BROAD_BITS = 30;
const BROAD_THRESHOLD = 16;

/** Progress callback for long compiles. */
export type Progress = (stage: string, done: number, total: number) => void;

export function buildDecisionTable(ws: AwsWorkspace, callers: CallerClasses, progress?: Progress): DecisionTable {
  const actionPatterns = new Interner<GlobToken[]>((t) => t.join(","));
  const resourcePatterns = new Interner<GlobToken[]>((t) => t.join(","));

  // --- probes: what the table must know about a resource besides the statements' patterns
  const accounts = relevantAccounts(ws, callers);
  const accountGroup = new Map(accounts.map((a, i) => [a, i + 2]));
  const entryExact = ws.resources.map((r) => resourcePatterns.id(literalTokens(r.id)));
  const entryBucket = ws.resources.map((r) =>
    bucketOfS3Object(`${r.id}/x`) === r.id ? resourcePatterns.id([...literalTokens(`${r.id}/`), STAR]) : -1);
  const accountProbe = accounts.map((a) => resourcePatterns.id([...arnPrefixTokens(), ...literalTokens(a), 58, STAR]));
  const anyAccountProbe = resourcePatterns.id([...arnPrefixTokens(), FIELD_CHAR, FIELD, 58, STAR]);
  const kmsProbe = resourcePatterns.id([...literalTokens("arn:"), FIELD, ...literalTokens(":kms:"), FIELD, 58, FIELD, ...literalTokens(":key/"), STAR]);

  // --- statements: patterns to ids
  interface Compiled {
    readonly statement: SpecializedStatement;
    readonly actions: Membership;
    readonly resources: Membership;
    readonly provenance: number;
    readonly predicate: number; // -1 when unconditional
  }
  const provenance = new Interner<Provenance>((p) => JSON.stringify([p.policy, p.sid, p.index, p.layer, p.effect]));
  const predicates = new Interner<WireCondition[]>((p) => JSON.stringify(p));
  const entryIndex = new Map(ws.resources.map((r, i) => [r.id, i]));
  const compiledByClass = callers.classes.map((cls) =>
    cls.statements.map((statement): Compiled => {
      const actionIds = statement.actions.patterns.map((p) => actionPatterns.id(actionTokens(p)));
      const hasRuntimeVariable = statement.resources.patterns.some((p) => p.parts.some((x) => x.kind === "variable"));
      const residual: WireCondition[] = statement.conditions.map(toWireCondition);
      if (hasRuntimeVariable) residual.push(resourceCheck(statement.resources.patterns, statement.resources.negated));
      const resources: Membership = hasRuntimeVariable
        ? { universal: true, negated: false, patterns: [] }
        : { universal: false, negated: statement.resources.negated, patterns: statement.resources.patterns.map((p) => resourcePatterns.id(resourceTokens(p))) };
      if (statement.scope.kind === "entry") {
        resources.entry = entryIndex.get(statement.scope.entry)!;
      } else if (statement.scope.kind === "account") {
        resources.account = statement.scope.account;
      }
      return {
        statement,
        actions: { universal: false, negated: statement.actions.negated, patterns: actionIds },
        resources,
        provenance: provenance.id({
          policy: statement.source.policy,
          ...(statement.source.sid === undefined ? {} : { sid: statement.source.sid }),
          index: statement.source.index,
          layer: statement.layer,
          effect: statement.effect,
        }),
        predicate: residual.length > 0 ? predicates.id(residual) : -1,
      };
    }));

  progress?.("automata", 0, 2);
  const actionAutomaton = buildAutomaton(actionPatterns.values);
  progress?.("automata", 1, 2);
  const resourceAutomaton = buildAutomaton(resourcePatterns.values);
  progress?.("automata", 2, 2);

  // --- resource class facts
  const resourceClassCount = resourceAutomaton.classes.length;
  const resourceGroup = new Int32Array(resourceClassCount);
  const resourceKms = new Uint8Array(resourceClassCount);
  const resourceEntry = new Int32Array(resourceClassCount).fill(-1);
  for (let k = 0; k < resourceClassCount; k++) {
    const set = new Set(resourceAutomaton.classes[k]);
    let entry = entryExact.findIndex((p) => set.has(p));
    if (entry < 0) entry = entryBucket.findIndex((p) => p >= 0 && set.has(p));
    resourceEntry[k] = entry;
    const entryAccount = entry >= 0 ? ws.resources[entry]!.account : undefined;
    let group = entryAccount !== undefined ? accountGroup.get(entryAccount)! : -1;
    if (group < 0) {
      const probe = accountProbe.findIndex((p) => set.has(p));
      group = probe >= 0 ? probe + 2 : set.has(anyAccountProbe) ? GROUP_OTHER : GROUP_UNKNOWN;
    }
    resourceGroup[k] = group;
    resourceKms[k] = set.has(kmsProbe) ? 1 : 0;
  }
  const groupCount = accounts.length + 2;

  const actionSpace = describeSpace(actionAutomaton, new Int32Array(actionAutomaton.classes.length), 1);
  const resourceSpace = describeSpace(resourceAutomaton, resourceGroup, groupCount);
  const entryClasses = new Map<number, number[]>();
  resourceEntry.forEach((entry, k) => {
    if (entry >= 0) (entryClasses.get(entry) ?? entryClasses.set(entry, []).get(entry)!).push(k);
  });

  // --- rows and leaves
  const leaves = new Interner<Leaf>((l) => JSON.stringify(l));
  const rows = new Interner<SparseMap>(sparseKey);
  const kinds = new Interner<CallerKind>((k) => JSON.stringify(k));
  const classes: TableClass[] = [];
  callers.classes.forEach((cls, classIndex) => {
    progress?.("classes", classIndex, callers.classes.length);
    const compiled = compiledByClass[classIndex]!;
    const ownAccountGroup = cls.kind.account === undefined ? -1 : accountGroup.get(cls.kind.account)!;
    const resourceMemberships = compiled.map((c) => scoped(c.resources, entryClasses, accountGroup, ownAccountGroup));
    // Many action classes select the same statements, and many resource classes the same
    // statements of a row: build each row and each leaf once per distinct subset.
    const rowBySubset = new Map<string, number>();
    const leafBySubset = new Map<string, number>();
    const leafOf = (statementIds: number[]) => {
      const key = statementIds.join(",");
      let id = leafBySubset.get(key);
      if (id === undefined) leafBySubset.set(key, (id = leaves.id(makeLeaf(statementIds.map((i) => compiled[i]!)))));
      return id;
    };
    const actions = buildSparse(actionSpace, compiled.map((c) => c.actions), (subset) => {
      const key = subset.join(",");
      let id = rowBySubset.get(key);
      if (id === undefined) {
        const rowItems = subset.map((i) => resourceMemberships[i]!);
        id = rows.id(buildSparse(resourceSpace, rowItems, (leafSubset) => leafOf(leafSubset.map((j) => subset[j]!))));
        rowBySubset.set(key, id);
      }
      return id;
    });
    classes.push({ name: cls.name, kind: kinds.id(cls.kind), facts: cls.facts, actions });
  });

  const terms = kinds.values.map((kind) => {
    const out: number[][] = [];
    for (let group = 0; group < groupCount; group++) {
      for (const kms of [false, true]) out.push(combinationTerms(kind, group, accounts, kms));
    }
    return out;
  });

  return {
    actionAutomaton, actionBroad: actionSpace.broad, resourceAutomaton, resourceBroad: resourceSpace.broad,
    resourceGroup, resourceKms, accounts,
    classes,
    principals: [...callers.byPrincipal].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    accountClasses: [...callers.byAccount].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    stranger: callers.stranger,
    anonymous: callers.anonymous,
    kinds: kinds.values,
    terms,
    rows: rows.values,
    leaves: leaves.values,
    predicates: predicates.values,
    provenance: provenance.values,
  };

  function makeLeaf(matching: readonly Compiled[]): Leaf {
    let allow = 0;
    let deny = 0;
    const matched: number[] = [];
    for (const c of matching) {
      if (c.predicate >= 0) continue;
      if (c.statement.effect === "Deny") deny |= 1 << c.statement.slot;
      else allow |= 1 << c.statement.slot;
      matched.push(c.provenance);
    }
    const open: [number, number, number, number][] = [];
    if (deny === 0) {
      for (const c of matching) {
        if (c.predicate < 0) continue;
        // An open allow in a layer that already allows cannot change the answer.
        if (c.statement.effect === "Allow" && (allow & (1 << c.statement.slot)) !== 0) continue;
        open.push([c.provenance, c.statement.slot, c.statement.effect === "Deny" ? 1 : 0, c.predicate]);
      }
    }
    return { allow, deny, matched: [...new Set(matched)].sort((a, b) => a - b), open: dedupeOpen(open) };
  }
}

function dedupeOpen(open: [number, number, number, number][]): [number, number, number, number][] {
  const seen = new Set<string>();
  return open.filter((o) => {
    const key = o.join(",");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The DNF of layer bits that allows, for one kind of caller and one kind of resource
 * (AWS's evaluation logic; see the reference evaluator, which says the same in prose).
 */
export function combinationTerms(kind: CallerKind, group: number, accounts: readonly string[], kms: boolean): number[] {
  const bit = (slot: number) => 1 << slot;
  let required = 0;
  for (let i = 0; i < kind.scpLevels; i++) required |= bit(SLOT_SCP + i);
  const resourceAccount = group === GROUP_UNKNOWN ? kind.account : group === GROUP_OTHER ? "\u0000other" : accounts[group - 2];
  const rcpLevels = resourceAccount === undefined ? 0 : rcpLevelCount.get(accounts)?.get(resourceAccount) ?? 0;
  for (let i = 0; i < rcpLevels; i++) required |= bit(SLOT_RCP + i);
  const everyone = required | bit(SLOT_GRANT_EVERYONE);
  const direct = required | bit(SLOT_GRANT_DIRECT);
  const account = required | bit(SLOT_GRANT_ACCOUNT);
  if (kind.outsider) return [everyone, direct];
  const limits = (kind.boundary ? bit(SLOT_BOUNDARY) : 0) | (kind.session ? bit(SLOT_SESSION) : 0);
  const identity = bit(SLOT_IDENTITY) | limits;
  const sameAccount = group === GROUP_UNKNOWN || (kind.account !== undefined && resourceAccount === kind.account);
  if (!sameAccount) return [identity | everyone, identity | direct, identity | account];
  const terms: number[] = [];
  if (!kms) terms.push(required | identity);
  terms.push(everyone);
  // A grant naming the caller is limited by boundary and session policies for roles and for
  // users acting in a session; a user's own grant otherwise is not.
  terms.push(kind.role || kind.session ? direct | limits : direct);
  terms.push(account | identity);
  return terms;
}

// RCP level counts per account, set by relevantAccounts (a side table keyed by the accounts array).
const rcpLevelCount = new WeakMap<readonly string[], Map<string, number>>();

function relevantAccounts(ws: AwsWorkspace, callers: CallerClasses): string[] {
  const set = new Set<string>();
  for (const a of ws.accounts) set.add(a.id);
  for (const p of ws.principals) if (p.account !== undefined) set.add(p.account);
  for (const r of ws.resources) if (r.account !== undefined) set.add(r.account);
  for (const c of callers.classes) if (c.kind.account !== undefined) set.add(c.kind.account);
  const accounts = [...set].sort();
  rcpLevelCount.set(accounts, new Map(ws.accounts.map((a) => [a.id, a.rcps.length])));
  return accounts;
}

// ---------------------------------------------------------------------------------------------
// Sparse maps over automaton classes

/** Which classes an item (statement) matches: by its patterns, then limited by a scope. */
interface Membership {
  universal: boolean;
  negated: boolean;
  patterns: number[];
  /** Resource policies: only classes governed by this entry. */
  entry?: number;
  /** RCPs: only resources of this account. */
  account?: string;
}

interface ScopedMembership {
  readonly universal: boolean;
  readonly negated: boolean;
  readonly patterns: readonly number[];
  /** When set, only these classes can match (explicit). */
  readonly only?: ReadonlySet<number>;
  /** When set, only classes in these groups can match. */
  readonly groups?: ReadonlySet<number>;
}

function scoped(m: Membership, entryClasses: Map<number, number[]>, accountGroup: Map<string, number>, ownAccountGroup: number): ScopedMembership {
  const base = { universal: m.universal, negated: m.negated, patterns: m.patterns };
  if (m.entry !== undefined) return { ...base, only: new Set(entryClasses.get(m.entry) ?? []) };
  if (m.account !== undefined) {
    const groups = new Set([accountGroup.get(m.account)!]);
    // A resource whose account nobody knows is taken to be the caller's own.
    if (accountGroup.get(m.account) === ownAccountGroup) groups.add(GROUP_UNKNOWN);
    return { ...base, groups };
  }
  return base;
}

/** One automaton's classes, with what the sparse maps need to know about them. */
interface Space {
  readonly classes: readonly (readonly number[])[];
  /** Per class, the bits of the broad patterns it contains. */
  readonly broad: Int32Array;
  readonly group: Int32Array;
  readonly groupCount: number;
  /** Per pattern: its bit if broad (else 0), and the classes containing it if narrow. */
  readonly patternBit: Int32Array;
  readonly patternClasses: readonly (readonly number[])[];
  /** Distinct (broad, group) pairs over all classes. */
  readonly combos: readonly (readonly [number, number])[];
  readonly classSets: ReadonlyMap<number, ReadonlySet<number>>;
}

function describeSpace(automaton: Automaton, group: Int32Array, groupCount: number): Space {
  const patternCount = automaton.classes.reduce((max, c) => Math.max(max, ...c.map((p) => p + 1)), 0);
  const patternClasses: number[][] = Array.from({ length: patternCount }, () => []);
  automaton.classes.forEach((patterns, k) => { for (const p of patterns) patternClasses[p]!.push(k); });
  // The most widespread patterns become broad: tracked by a bit instead of by explicit entries.
  const bySpread = patternClasses.map((classes, p) => [classes.length, p] as const)
    .filter(([n]) => n > BROAD_THRESHOLD)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, BROAD_BITS);
  const patternBit = new Int32Array(patternCount);
  bySpread.forEach(([, p], bit) => { patternBit[p] = 1 << bit; });
  const broad = new Int32Array(automaton.classes.length);
  automaton.classes.forEach((patterns, k) => {
    let bits = 0;
    for (const p of patterns) bits |= patternBit[p]!;
    broad[k] = bits;
  });
  const comboSet = new Map<string, [number, number]>();
  for (let k = 0; k < automaton.classes.length; k++) comboSet.set(`${broad[k]},${group[k]}`, [broad[k]!, group[k]!]);
  // Strings in no class's path still end in class 0 (the empty set), in any group: include them.
  for (let g = 0; g < groupCount; g++) comboSet.set(`0,${g}`, [0, g]);
  return {
    classes: automaton.classes, broad, group, groupCount, patternBit, patternClasses,
    combos: [...comboSet.values()], classSets: new Map(),
  };
}

/** Builds the sparse map class -> output(subset of items matching the class). */
function buildSparse(space: Space, items: readonly ScopedMembership[], output: (subset: number[]) => number): SparseMap {
  // Items fall in two kinds. Narrow items (only narrow patterns, not negated, or limited to an
  // explicit class list) match only the classes they list: index them by those classes. Every
  // other item (universal, negated, or with a broad pattern) may match anywhere, so it is tested
  // on every explicit class and decides the defaults. Cost: the lists' total length plus
  // explicit classes x wide items, never explicit classes x all items.
  let mask = 0;
  const candidates = new Map<number, number[]>();
  const wide: number[] = [];
  const addCandidate = (k: number, i: number) => {
    const list = candidates.get(k);
    if (list === undefined) candidates.set(k, [i]);
    else if (list[list.length - 1] !== i) list.push(i);
  };
  items.forEach((item, i) => {
    let hasBroad = false;
    for (const p of item.patterns) {
      mask |= space.patternBit[p]!;
      if (space.patternBit[p] !== 0) hasBroad = true;
      else for (const k of space.patternClasses[p]!) addCandidate(k, i);
    }
    if (item.only) {
      for (const k of item.only) addCandidate(k, i);
    } else if (item.universal || item.negated || hasBroad) {
      wide.push(i);
    }
  });
  const inClass = (k: number, p: number) => {
    let set = space.classSets.get(k);
    if (set === undefined) (space.classSets as Map<number, ReadonlySet<number>>).set(k, (set = new Set(space.classes[k])));
    return set.has(p);
  };
  const matches = (item: ScopedMembership, hit: boolean, group: number) => {
    if (item.groups && !item.groups.has(group)) return false;
    return item.universal || hit !== item.negated;
  };

  const keys = [...candidates.keys()].sort((a, b) => a - b);
  const values = keys.map((k) => {
    const tested = new Set([...candidates.get(k)!, ...wide]);
    const subset: number[] = [];
    for (const i of [...tested].sort((a, b) => a - b)) {
      const item = items[i]!;
      if (item.only && !item.only.has(k)) continue;
      const hit = item.patterns.some((p) => inClass(k, p));
      if (matches(item, hit, space.group[k]!)) subset.push(i);
    }
    return output(subset);
  });

  // A class no item lists holds none of their narrow patterns: only wide items can match it,
  // and only through their broad bits.
  const defaults = new Map<number, number>();
  for (const [broad, group] of space.combos) {
    const key = (broad & mask) * space.groupCount + group;
    if (defaults.has(key)) continue;
    const subset: number[] = [];
    for (const i of wide) {
      const item = items[i]!;
      const hit = item.patterns.some((p) => (space.patternBit[p]! & broad) !== 0);
      if (matches(item, hit, group)) subset.push(i);
    }
    defaults.set(key, output(subset));
  }
  const defaultKeys = [...defaults.keys()].sort((a, b) => a - b);
  return {
    mask,
    keys: Int32Array.from(keys),
    values: Int32Array.from(values),
    defaultKeys: Int32Array.from(defaultKeys),
    defaultValues: Int32Array.from(defaultKeys.map((k) => defaults.get(k)!)),
  };
}

function sparseKey(m: SparseMap): string {
  return `${m.mask}|${m.keys.join(",")}|${m.values.join(",")}|${m.defaultKeys.join(",")}|${m.defaultValues.join(",")}`;
}

// ---------------------------------------------------------------------------------------------
// Patterns to tokens, conditions to wire

function literalTokens(text: string): GlobToken[] {
  const out: GlobToken[] = [];
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
  return out;
}

/** `arn:F:F:F:` - the prefix up to the account field. */
function arnPrefixTokens(): GlobToken[] {
  return [...literalTokens("arn:"), FIELD, 58, FIELD, 58, FIELD, 58];
}

function templateTokens(template: Template, fold: boolean): GlobToken[] {
  const out: GlobToken[] = [];
  for (const part of template.parts) {
    if (part.kind === "variable") { out.push(STAR); continue; }
    const text = fold ? foldString(part.text) : part.text;
    for (let i = 0; i < text.length; i++) {
      const char = text.charCodeAt(i);
      if (part.kind === "text" && char === 42) out.push(STAR);
      else if (part.kind === "text" && char === 63) out.push(ANY);
      else out.push(char);
    }
  }
  // Collapse runs of stars: they mean the same and only grow the automaton.
  return out.filter((t, i) => !(t === STAR && out[i - 1] === STAR));
}

const actionTokens = (t: Template) => templateTokens(t, true);
const resourceTokens = (t: Template) => templateTokens(t, false);

function toWireTemplate(template: Template): WireTemplate {
  return template.parts.map((p) =>
    p.kind === "text" ? (["t", p.text] as const)
      : p.kind === "literal" ? (["l", p.text] as const)
        : p.fallback === undefined ? (["v", p.key] as const) : (["v", p.key, p.fallback] as const));
}

export function toWireCondition(condition: Condition): WireCondition {
  return {
    op: condition.operator,
    q: condition.qualifier === "ForAnyValue" ? "any" : condition.qualifier === "ForAllValues" ? "all" : "",
    ie: condition.ifExists,
    key: condition.key,
    vals: condition.values.map(toWireTemplate),
  };
}

/** A resource match the request must decide (its patterns read request keys). */
function resourceCheck(patterns: readonly Template[], negated: boolean): WireCondition {
  return { op: negated ? "StringNotLike" : "StringLike", q: "", ie: false, key: RESOURCE_KEY, vals: patterns.map(toWireTemplate) };
}

/** Interns values by a key: the same value always gets the same id, in first-seen order. */
class Interner<T> {
  readonly values: T[] = [];
  private readonly ids = new Map<string, number>();
  constructor(private readonly keyOf: (value: T) => string) {}
  id(value: T): number {
    const key = this.keyOf(value);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(key, id);
      this.values.push(value);
    }
    return id;
  }
}

export { MAX_LEVELS };
