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
import { ANY, FIELD, FIELD_CHAR, STAR, buildAutomaton, buildTrieAutomaton, foldCase, sortAscending, sortUnique, type Automaton, type GlobToken } from "./automaton.js";
import { IntBuffer, IntListInterner, IntLists, grown, type IntListsSize } from "./int-lists.js";
import { resumePoints, wildGate } from "./prefilter.js";
import type { AwsWorkspace, Condition, Template, Workspace } from "./ir.js";
import {
  SLOT_BOUNDARY, SLOT_GRANT_ACCOUNT, SLOT_GRANT_DIRECT, SLOT_GRANT_EVERYONE, SLOT_IDENTITY, SLOT_RCP,
  SLOT_SCP, SLOT_SESSION, type CallerClasses, type CallerKind, type SpecializedStatement,
} from "./specialize.js";
import { bucketOfS3Object } from "./aws-names.js";
import { GROUP_BLIND, RESOURCE_KEY, type WireCondition, type WireTemplate } from "../runtime/wire.js";
import type { PackedSparseMaps } from "./layout-sparse-maps.js";

/**
 * Sparse functions from a dimension's classes to ids (rows or leaves), packed as
 * compiler/layout-sparse-maps.ts lays them out from (PackedSparseMaps): per map, its mask (bits of the
 * broad and wild patterns that matter here), explicit entries (main class, bits & mask, group) ->
 * value, then defaults for main classes without an entry: (bits & mask, group) -> value. A class
 * is a pair (main class, wild class); what a map reads of it is the main class, the bits of its
 * broad and wild patterns under the mask, and its group.
 */
export type SparseMaps = PackedSparseMaps;

/**
 * The leaves, packed: leaf l is `data[start[l] .. start[l + 1])` = allow and deny (per-layer
 * bitmasks), the count of statements that matched unconditionally, their provenance ids (for
 * explain), then per statement whose conditions decide: provenance, slot, deny ? 1 : 0, predicate.
 */
export interface Leaves {
  readonly data: Int32Array;
  readonly start: Int32Array;
}
export const LEAF_ALLOW = 0;
export const LEAF_DENY = 1;
export const LEAF_MATCHED_COUNT = 2;
/** Where the matched ids start; the open statements follow them. */
export const LEAF_MATCHED = 3;
/** Ints per open statement. */
export const LEAF_OPEN_SIZE = 4;

/**
 * Where each statement of the table came from, by provenance id, as columns (the bundle's own
 * shape): its policy, Sid (null for none), index in the policy, layer, and 1 for Deny.
 */
export interface ProvenanceColumns {
  readonly policy: readonly string[];
  readonly sid: readonly (string | null)[];
  readonly index: Int32Array;
  readonly layer: readonly string[];
  readonly deny: Int32Array;
}

export interface TableClass {
  readonly name: string;
  readonly kind: number;
  readonly facts: readonly (readonly [string, unknown])[];
}

/**
 * One dimension of requests (actions or resources), split in two automata so that mid-string
 * wildcards never multiply the literal patterns: the main automaton holds literal and prefix
 * patterns (`s3:GetObject`, `arn:aws:s3:::bucket/*`) and is in effect a trie; the wild automaton
 * holds the few patterns with `?`, a `*` before the end, or ARN-field probes.
 */
export interface Dimension {
  readonly main: Automaton;
  /** Per main class: bits of the broad main patterns it holds. */
  readonly mainBits: Int32Array;
  /** Per main class: the group of the resource entry it names, or -1. */
  readonly mainGroup: Int32Array;
  readonly wild: Automaton;
  /** Per wild class: bits of the wild patterns it holds. */
  readonly wildBits: Int32Array;
  /** Per wild class: the account group the probes found (resources; 0 for actions). */
  readonly wildGroup: Int32Array;
  /** Per wild class: 1 when it is a KMS key (resources). */
  readonly wildKms: Int32Array;
  readonly groupCount: number;
  /**
   * Exact spellings that requests are likely to use (actions as the policies write them). The
   * bundle writer classifies up to SPELLINGS_MAX of them so the runtime finds them with one hash
   * lookup; only a cache: any other spelling is classified by walking the automata, with the same
   * result. The analysis commands read them too.
   */
  readonly literals: readonly string[];
  /**
   * Literals one of which every string a wild statement pattern matches holds (compiler/prefilter.ts);
   * [] when there is no wild statement pattern; undefined for no gate.
   */
  readonly wildGate: readonly string[] | undefined;
  /**
   * Per main state, where the wild walk may start (depth, wild state: compiler/prefilter.ts
   * resumePoints); empty when the wild automaton matches nothing.
   */
  readonly resume: Int32Array;
}

export interface DecisionTable {
  readonly model: Workspace["model"];
  readonly actions: Dimension;
  readonly resources: Dimension;
  readonly accounts: readonly string[];
  readonly classes: readonly TableClass[];
  readonly principals: readonly (readonly [string, number])[];
  readonly accountClasses: readonly (readonly [string, number])[];
  readonly stranger: number;
  readonly anonymous: number;
  /** cloudalus: the class of a request whose adoption (identity, via) the workspace does not back; -1 when requests cannot adopt. */
  readonly refused: number;
  readonly kinds: readonly CallerKind[];
  /** terms[kind][group * 2 + kms] = DNF terms (bitmasks). */
  readonly terms: readonly (readonly (readonly number[])[])[];
  /** Per class (map i is classes[i]'s): action class -> row. */
  readonly classActions: SparseMaps;
  /** Per row: resource class -> leaf. */
  readonly rows: SparseMaps;
  readonly leaves: Leaves;
  readonly predicates: readonly (readonly WireCondition[])[];
  readonly provenance: ProvenanceColumns;
}

/** Resource groups: no account field, an account the table does not list; listed accounts are 2 and up. */
const GROUP_UNKNOWN = 0;
const GROUP_OTHER = 1;

const BROAD_BITS = 30;
/** At most this many wild patterns get a bit of their own; the rest join the main automaton. */
const WILD_BITS = 16;
const BROAD_THRESHOLD = 16;

/** Progress callback for long compiles. */
export type Progress = (stage: string, done: number, total: number) => void;

export function buildDecisionTable(workspace: Workspace, callers: CallerClasses, progress?: Progress): DecisionTable {
  // Accounts, resource entries and their policies are AWS's; the other models have none (their
  // differences are in the caller classes and the combination terms specializeCallers gives).
  const ws = awsParts(workspace);
  const size = workspaceSize(workspace);
  // Patterns are interned by their tokens, and kept only there (packed): ids in first-seen order.
  const actionPatterns = new IntListInterner(size.actionPatterns);
  const resourcePatterns = new IntListInterner(size.resourcePatterns);

  // --- probes: what the table must know about a resource besides the statements' patterns
  const accounts = relevantAccounts(ws, callers);
  const accountGroup = new Map(accounts.map((a, i) => [a, i + 2]));
  const entryExact = ws.resources.map((r) => resourcePatterns.id(literalTokens(r.id)));
  const entryBucket = ws.resources.map((r) =>
    workspace.model === "aws" && bucketOfS3Object(`${r.id}/x`) === r.id ? resourcePatterns.id([...literalTokens(`${r.id}/`), STAR]) : -1);
  // Only AWS reads accounts and KMS keys out of resource ARNs; the other models group resources
  // by their entries alone (an ARN-shaped string must not make a cloudalus identity an owner).
  const readsArns = workspace.model === "aws";
  const accountProbe = readsArns ? accounts.map((a) => resourcePatterns.id([...arnPrefixTokens(), ...literalTokens(a), 58, STAR])) : [];
  const anyAccountProbe = readsArns ? resourcePatterns.id([...arnPrefixTokens(), FIELD_CHAR, FIELD, 58, STAR]) : -1;
  const kmsProbe = readsArns ? resourcePatterns.id([...literalTokens("arn:"), FIELD, ...literalTokens(":kms:"), FIELD, 58, FIELD, ...literalTokens(":key/"), STAR]) : -1;

  // --- statements: patterns to ids, per class as columns (CompiledClass)
  const provenance = new ProvenanceInterner(size.statements);
  const predicates = new Interner<WireCondition[]>((p) => JSON.stringify(p));
  const entryIndex = new Map(ws.resources.map((r, i) => [r.id, i]));
  /** Literal action spellings, repeats allowed (sortedUnique drops them at the end: cheaper than a Set of them all). */
  const actionSpellings: string[] = [];
  const tokens = new IntBuffer();
  const actionId = (p: Template): number => {
    const spelling = literalSpelling(p);
    if (spelling !== undefined) actionSpellings.push(spelling);
    return actionPatterns.id(templateTokens(p, true, tokens).values, 0, tokens.size);
  };
  const resourceId = (p: Template): number => resourcePatterns.id(templateTokens(p, false, tokens).values, 0, tokens.size);
  // Classes share pattern objects (specialization keeps what it does not change): then tokenize
  // and intern each once. The memo only pays when they do: with one class holding statements,
  // each pattern is seen once and a Map entry per pattern cost ~55 ms at 100,000 statements.
  // Without it, a pattern seen twice is tokenized twice and gets its id again: the same table.
  const sharePatterns = callers.classes.filter((c) => c.statements.length > 0).length > 1;
  const actionIdOf = sharePatterns ? memoByObject(actionId) : actionId;
  const resourceIdOf = sharePatterns ? memoByObject(resourceId) : resourceId;
  // Interned per statement: with int keys a lookup is cheap, and a cache per statement source
  // (a Map entry each) measured no faster, on standard or roles workspaces.
  const provenanceOf = (statement: SpecializedStatement): number =>
    provenance.id(statement.source.policy, statement.source.sid, statement.source.index, statement.layer, statement.effect);
  const compileClass = (statements: readonly SpecializedStatement[]): CompiledClass => {
    const count = statements.length;
    const deny = new Uint8Array(count);
    const slot = new Int32Array(count);
    const provenanceIds = new Int32Array(count);
    const predicate = new Int32Array(count);
    const actionFlags = new Uint8Array(count);
    const actionStart = new Int32Array(count + 1);
    const resourceFlags = new Uint8Array(count);
    const resourceStart = new Int32Array(count + 1);
    let actionCount = 0;
    let resourceCount = 0;
    for (const statement of statements) {
      actionCount += statement.actions.patterns.length;
      resourceCount += statement.resources.patterns.length;
    }
    const actionIds = new IntBuffer(actionCount);
    const resourceIds = new IntBuffer(resourceCount);
    let entry: Int32Array | undefined;
    let account: (string | undefined)[] | undefined;
    for (let i = 0; i < count; i++) {
      const statement = statements[i]!;
      for (const p of statement.actions.patterns) actionIds.push(actionIdOf(p));
      actionStart[i + 1] = actionIds.size;
      actionFlags[i] = statement.actions.negated ? NEGATED : 0;
      const hasRuntimeVariable = statement.resources.patterns.some((p) => p.parts.some((x) => x.kind === "variable"));
      // Most statements have no condition: no array for them (a million empty ones add up).
      const residual: WireCondition[] | undefined = statement.conditions.length === 0 && !hasRuntimeVariable
        ? undefined : statement.conditions.map(toWireCondition);
      // A resource pattern with a variable the request fills is matched by the predicate.
      if (hasRuntimeVariable) {
        residual!.push(resourceCheck(statement.resources.patterns, statement.resources.negated));
        resourceFlags[i] = UNIVERSAL;
      } else {
        for (const p of statement.resources.patterns) resourceIds.push(resourceIdOf(p));
        resourceFlags[i] = statement.resources.negated ? NEGATED : 0;
      }
      resourceStart[i + 1] = resourceIds.size;
      if (statement.scope.kind === "entry") {
        (entry ??= new Int32Array(count).fill(-1))[i] = entryIndex.get(statement.scope.entry)!;
      } else if (statement.scope.kind === "account") {
        (account ??= new Array<string | undefined>(count).fill(undefined))[i] = statement.scope.account;
      }
      deny[i] = statement.effect === "Deny" ? 1 : 0;
      slot[i] = statement.slot;
      provenanceIds[i] = provenanceOf(statement);
      predicate[i] = residual !== undefined && residual.length > 0 ? predicates.id(residual) : -1;
    }
    return {
      count, deny, slot, provenance: provenanceIds, predicate, entry, account,
      actions: { flags: actionFlags, start: actionStart, patterns: actionIds.values },
      resources: { flags: resourceFlags, start: resourceStart, patterns: resourceIds.values },
    };
  };
  const compiledByClass = callers.classes.map((cls) => compileClass(cls.statements));

  progress?.("automata", 0, 2);
  const actionSpace = buildDimension(actionPatterns, statementPatterns(actionPatterns, compiledByClass.map((c) => c.actions)), [], () => -1, () => ({ group: 0, kms: 0 }), 1, false);
  progress?.("automata", 1, 2);
  const groupCount = accounts.length + 2;
  const entryProbes = new Map<number, number>(); // pattern id -> entry index (exact ids win over buckets)
  entryBucket.forEach((p, i) => { if (p >= 0 && !entryProbes.has(p)) entryProbes.set(p, i); });
  entryExact.forEach((p, i) => entryProbes.set(p, i));
  /** The entry governing a main class of resources: the exact id, else the S3 bucket; -1 for none. */
  const governingEntry = (patterns: readonly number[]): number => {
    // Most workspaces have no resource entries: then no class has one (no lookup per pattern).
    if (entryProbes.size === 0) return -1;
    let entry = -1;
    for (const p of patterns) {
      const e = entryProbes.get(p);
      if (e === undefined) continue;
      if (entryExact[e] === p) return e;
      if (entry < 0) entry = e;
    }
    return entry;
  };
  const resourceSpace = buildDimension(
    resourcePatterns,
    statementPatterns(resourcePatterns, compiledByClass.map((c) => c.resources)),
    readsArns ? [...accountProbe, anyAccountProbe, kmsProbe] : [],
    (patterns) => {
      const entry = governingEntry(patterns);
      const account = entry >= 0 ? ws.resources[entry]!.account : undefined;
      return account === undefined ? -1 : accountGroup.get(account)!;
    },
    (patterns) => {
      const set = new Set(patterns);
      const probe = accountProbe.findIndex((p) => set.has(p));
      return { group: probe >= 0 ? probe + 2 : set.has(anyAccountProbe) ? GROUP_OTHER : GROUP_UNKNOWN, kms: set.has(kmsProbe) ? 1 : 0 };
    },
    groupCount,
    true,
  );
  progress?.("automata", 2, 2);
  // The main classes each entry governs (resource policies are scoped to them).
  const entryClasses = new Map<number, number[]>();
  resourceSpace.classes.forEach((patterns, k) => {
    const entry = governingEntry(patterns);
    if (entry >= 0) (entryClasses.get(entry) ?? entryClasses.set(entry, []).get(entry)!).push(k);
  });

  // --- rows and leaves, each interned by its packed ints (ids in first-seen order)
  // Sizes per statement as measured on the bench workloads (standard, conditions, wildcards,
  // roles: within 10% of each other): a statement brings about a row of 17 ints and two leaves
  // of 4 or 5. Counts get 10% to spare: one list past a hint doubles the array.
  const leaves = new IntListInterner({ lists: 2.25 * size.statements, ints: 10 * size.statements });
  const rows = new IntListInterner({ lists: 1.1 * size.statements, ints: 18 * size.statements });
  const classActions = new IntLists({ lists: callers.classes.length, ints: 4.4 * size.statements });
  /** Scratch for makeLeaf: the matched provenance ids, sorted in place; the leaf's ints. */
  let leafMatched: Int32Array = new Int32Array(64);
  let leafInts: Int32Array = new Int32Array(64);
  const kinds = new Interner<CallerKind>((k) => JSON.stringify(k));
  // What a statement brings to a row: its resource membership, effect, slot, provenance and
  // predicate. Classes that share statements (users holding the same roles) get equal rows:
  // each is built once, keyed by these signatures (and the caller's own account group).
  const signatures = new IntListInterner({ lists: size.statements, ints: 9 * size.statements });
  const accountIds = new Map<string, number>();
  /** Scratch for signatureOf: one signature's ints. */
  const signatureInts = new IntBuffer();
  /** The signature of statement i of class `c`. */
  const signatureOf = (c: CompiledClass, i: number): number => {
    const scopeAccount = c.account?.[i];
    let account = 0;
    if (scopeAccount !== undefined) {
      account = accountIds.get(scopeAccount) ?? accountIds.size + 1;
      accountIds.set(scopeAccount, account);
    }
    const r = c.resources;
    signatureInts.size = 0;
    signatureInts.push((r.flags[i]! & UNIVERSAL) !== 0 ? 1 : 0);
    signatureInts.push((r.flags[i]! & NEGATED) !== 0 ? 1 : 0);
    signatureInts.push(c.entry === undefined ? -1 : c.entry[i]!);
    signatureInts.push(account);
    signatureInts.push(c.deny[i]!);
    signatureInts.push(c.slot[i]!);
    signatureInts.push(c.provenance[i]!);
    signatureInts.push(c.predicate[i]!);
    for (let q = r.start[i]!, end = r.start[i + 1]!; q < end; q++) signatureInts.push(r.patterns[q]!);
    return signatures.id(signatureInts.values, 0, signatureInts.size);
  };
  const rowByContent = new IntListInterner({ lists: 1.1 * size.statements, ints: 4 * size.statements });
  const rowOfContent: number[] = [];
  // Scratch for rowOf (rows do not nest: a row's buildSparse calls out only to leaves): the
  // row's content key, and its leaves' statements.
  const content = new IntBuffer();
  const statementIds = new IntBuffer();
  const classes: TableClass[] = [];
  callers.classes.forEach((cls, classIndex) => {
    progress?.("classes", classIndex, callers.classes.length);
    const compiled = compiledByClass[classIndex]!;
    const ownAccountGroup = cls.kind.account === undefined ? -1 : accountGroup.get(cls.kind.account)!;
    const signature = new Int32Array(compiled.count);
    for (let i = 0; i < compiled.count; i++) signature[i] = signatureOf(compiled, i);
    const resourceMembers = scopedMembers(compiled, entryClasses, accountGroup, ownAccountGroup);
    // Many resource classes select the same statements of a row: build each leaf once per
    // distinct subset. (Rows need no such cache: a subset's content key finds its row.)
    // Made at the first leaf the class builds, sized by its statements (about two subsets per
    // statement, of one or two ints, on the bench workloads): classes whose rows are all found by
    // content (users sharing roles) never make one, and a class of 100,000 statements no longer
    // grows one by doubling (~13 MB of garbage arrays, outside the JS heap).
    let leafBySubset: IntListInterner | undefined;
    const leafOfSubset: number[] = [];
    /** The statements (indices into `compiled`) of the row being built: set by rowOf. */
    let rowSubset = new IntBuffer();
    const leafOfRowSubset = (leafSubset: IntBuffer): number => {
      statementIds.size = 0;
      for (let j = 0; j < leafSubset.size; j++) statementIds.push(rowSubset.values[leafSubset.values[j]!]!);
      leafBySubset ??= new IntListInterner({ lists: 2.25 * compiled.count, ints: 4 * compiled.count });
      const s = leafBySubset.id(statementIds.values, 0, statementIds.size);
      if (s === leafOfSubset.length) leafOfSubset.push(makeLeaf(statementIds, compiled));
      return leafOfSubset[s]!;
    };
    const rowOf = (subset: IntBuffer): number => {
      content.size = 0;
      content.push(ownAccountGroup);
      for (let j = 0; j < subset.size; j++) content.push(signature[subset.values[j]!]!);
      const c = rowByContent.id(content.values, 0, content.size);
      if (c < rowOfContent.length) return rowOfContent[c]!;
      // The row's items are the subset's statements: their resource members.
      rowSubset = subset;
      const row = buildSparse(resourceSpace, resourceMembers, subset, leafOfRowSubset);
      rowOfContent.push(rows.id(row.values, 0, row.size));
      return rowOfContent[c]!;
    };
    const everyStatement = new IntBuffer(compiled.count);
    for (let i = 0; i < compiled.count; i++) everyStatement.push(i);
    const actions = buildSparse(actionSpace, compiled.actions, everyStatement, rowOf);
    classActions.push(actions.values, 0, actions.size);
    classes.push({ name: cls.name, kind: kinds.id(cls.kind), facts: cls.facts });
  });

  const terms = kinds.values.map((kind) => {
    const out: number[][] = [];
    for (let group = 0; group < groupCount; group++) {
      for (const kms of [false, true]) out.push(combinationTerms(kind, group, accounts, kms));
    }
    return out;
  });

  return {
    model: workspace.model,
    actions: { ...actionSpace.dimension, literals: sortedUnique(actionSpellings) },
    resources: resourceSpace.dimension,
    accounts,
    classes,
    principals: [...callers.byPrincipal].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    accountClasses: [...callers.byAccount].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    stranger: callers.stranger,
    anonymous: callers.anonymous,
    refused: callers.refused ?? -1,
    kinds: kinds.values,
    terms,
    classActions: { data: classActions.data, start: classActions.starts },
    rows: { data: rows.data, start: rows.starts },
    leaves: { data: leaves.data, start: leaves.starts },
    predicates: predicates.values,
    provenance: provenance.columns(),
  };

  /** The leaf of the statements `ids` (indices into `compiled`), interned. */
  function makeLeaf(ids: IntBuffer, compiled: CompiledClass): number {
    let allow = 0;
    let deny = 0;
    let matchedCount = 0;
    if (leafMatched.length < ids.size) leafMatched = grown(leafMatched, ids.size);
    for (let j = 0; j < ids.size; j++) {
      const i = ids.values[j]!;
      if (compiled.predicate[i]! >= 0) continue;
      if (compiled.deny[i] === 1) deny |= 1 << compiled.slot[i]!;
      else allow |= 1 << compiled.slot[i]!;
      leafMatched[matchedCount++] = compiled.provenance[i]!;
    }
    matchedCount = sortUnique(leafMatched, matchedCount);
    // The leaf is assembled in leafInts (LEAF_MATCHED + matched + open statements at most) and
    // interned from there: no array per leaf.
    const most = LEAF_MATCHED + matchedCount + (deny === 0 ? LEAF_OPEN_SIZE * ids.size : 0);
    if (leafInts.length < most) leafInts = grown(leafInts, most);
    const leaf = leafInts;
    leaf[LEAF_ALLOW] = allow;
    leaf[LEAF_DENY] = deny;
    leaf[LEAF_MATCHED_COUNT] = matchedCount;
    let size = LEAF_MATCHED;
    for (let m = 0; m < matchedCount; m++) leaf[size++] = leafMatched[m]!;
    if (deny === 0) {
      const openFrom = size;
      let seen: Set<string> | undefined;
      for (let j = 0; j < ids.size; j++) {
        const i = ids.values[j]!;
        const predicate = compiled.predicate[i]!;
        if (predicate < 0) continue;
        const slot = compiled.slot[i]!;
        const denies = compiled.deny[i]!;
        // An open allow in a layer that already allows cannot change the answer.
        if (denies === 0 && (allow & (1 << slot)) !== 0) continue;
        const provenanceId = compiled.provenance[i]!;
        // Equal open statements are kept once: found by a short scan, or a set once there are many.
        if (seen === undefined && size - openFrom > 32 * LEAF_OPEN_SIZE) {
          seen = new Set();
          for (let o = openFrom; o < size; o += LEAF_OPEN_SIZE) seen.add(`${leaf[o]},${leaf[o + 1]},${leaf[o + 2]},${leaf[o + 3]}`);
        }
        if (seen !== undefined) {
          const key = `${provenanceId},${slot},${denies},${predicate}`;
          if (seen.has(key)) continue;
          seen.add(key);
        } else if (holdsOpen(leaf, openFrom, size, provenanceId, slot, denies, predicate)) continue;
        leaf[size++] = provenanceId;
        leaf[size++] = slot;
        leaf[size++] = denies;
        leaf[size++] = predicate;
      }
    }
    return leaves.id(leaf, 0, size);
  }
}

/** Whether the open statements `leaf[from .. to)` (LEAF_OPEN_SIZE ints each) hold this one. */
function holdsOpen(leaf: Int32Array, from: number, to: number, provenance: number, slot: number, deny: number, predicate: number): boolean {
  for (let o = from; o < to; o += LEAF_OPEN_SIZE) {
    if (leaf[o] === provenance && leaf[o + 1] === slot && leaf[o + 2] === deny && leaf[o + 3] === predicate) return true;
  }
  return false;
}

/**
 * The DNF of layer bits that allows, for one kind of caller and one kind of resource
 * (AWS's evaluation logic; see the reference evaluator, which says the same in prose).
 */
export function combinationTerms(kind: CallerKind, group: number, accounts: readonly string[], kms: boolean): number[] {
  // A model whose combination does not depend on accounts gives its terms as data; cloudalus
  // gives other terms for resources of the caller's own group (the identity's own resources).
  if (kind.terms !== undefined) {
    const own = kind.ownTerms !== undefined && kind.account !== undefined && group >= 2 && accounts[group - 2] === kind.account;
    return [...(own ? kind.ownTerms! : kind.terms)];
  }
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

/** The parts of a workspace the table reads besides its callers: AWS accounts, principals' accounts, resource entries. */
type AwsParts = Pick<AwsWorkspace, "accounts" | "principals" | "resources">;

function awsParts(workspace: Workspace): AwsParts {
  if (workspace.model === "aws") return workspace;
  // cloudalus resources are entries whose "account" is their owner: owned resources form the
  // owner's group, and resource policies are scoped to their entry.
  if (workspace.model === "cloudalus") {
    return {
      accounts: [],
      principals: [],
      resources: workspace.resources.map((r) => ({ id: r.id, ...(r.owner === undefined ? {} : { account: r.owner }), ...(r.policy === undefined ? {} : { policy: r.policy }) })),
    };
  }
  return { accounts: [], principals: [], resources: [] };
}

function relevantAccounts(ws: AwsParts, callers: CallerClasses): string[] {
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

/** Member flags: matches every class; matches the classes its patterns miss. */
const UNIVERSAL = 1;
const NEGATED = 2;

/**
 * Which classes each of a list of items (a class's statements) matches, as columns: member m
 * matches by its flags and its patterns `patterns[start[m] .. start[m + 1])`, then limited by
 * its scope. Columns, not objects: at 100,000 statements an object per statement holding two
 * membership objects came to ~29 MB of heap that the collector copied and marked.
 */
interface Members {
  readonly flags: Uint8Array;
  readonly start: Int32Array;
  readonly patterns: Int32Array;
  /** Per member, when some member is scoped: only these classes can match (explicit). */
  readonly only?: readonly (ReadonlySet<number> | undefined)[];
  /** Per member, when some member is scoped: only classes in these groups can match. */
  readonly groups?: readonly (ReadonlySet<number> | undefined)[];
}

/** A class's statements, compiled: columns indexed by the statement's place in the class. */
interface CompiledClass {
  readonly count: number;
  /** 1 for Deny. Effect and layer (slot) are kept here: reading them through the statement cost a cache miss per leaf statement. */
  readonly deny: Uint8Array;
  readonly slot: Int32Array;
  readonly provenance: Int32Array;
  /** -1 when unconditional. */
  readonly predicate: Int32Array;
  readonly actions: Members;
  /** Unscoped: scopedMembers adds the scopes, which depend on the caller. */
  readonly resources: Members;
  /** Resource policies: the entry whose classes a statement is limited to, or -1 (undefined: none is). */
  readonly entry: Int32Array | undefined;
  /** RCPs: the account whose resources a statement is limited to (undefined: none is). */
  readonly account: readonly (string | undefined)[] | undefined;
}

/** The class's resource members with their scopes, as the caller (in `ownAccountGroup`) sees them. */
function scopedMembers(c: CompiledClass, entryClasses: Map<number, number[]>, accountGroup: Map<string, number>, ownAccountGroup: number): Members {
  // Unscoped (most classes): the members themselves.
  if (c.entry === undefined && c.account === undefined) return c.resources;
  const only: (ReadonlySet<number> | undefined)[] = new Array(c.count).fill(undefined);
  const groups: (ReadonlySet<number> | undefined)[] = new Array(c.count).fill(undefined);
  for (let i = 0; i < c.count; i++) {
    const entry = c.entry?.[i] ?? -1;
    const account = c.account?.[i];
    if (entry >= 0) {
      only[i] = new Set(entryClasses.get(entry) ?? []);
    } else if (account !== undefined) {
      const set = new Set([accountGroup.get(account)!]);
      // A resource whose account nobody knows is taken to be the caller's own.
      if (accountGroup.get(account) === ownAccountGroup) set.add(GROUP_UNKNOWN);
      groups[i] = set;
    }
  }
  return { ...c.resources, only, groups };
}

/** A dimension, with what the sparse maps need to know about its classes. */
interface Space {
  readonly dimension: Dimension;
  /** Main class k = the sorted (global) ids of the main patterns matched. */
  readonly classes: readonly (readonly number[])[];
  readonly groupCount: number;
  /** Per pattern (global id): its bit if broad or wild, else 0. */
  readonly patternBit: Int32Array;
  /** The main classes holding narrow pattern p: patternClassList[patternClassStart[p] .. patternClassStart[p + 1]). */
  readonly patternClassStart: Int32Array;
  readonly patternClassList: Int32Array;
  /** Distinct (bits, group) of the wild classes, and of the main classes (group -1: none), as pairs of ints. */
  readonly wildCombos: Int32Array;
  readonly mainCombos: Int32Array;
  /** The combos as a map with this mask (and using groups or not) sees them: computed once per (mask, groups, kind). */
  readonly projections: Map<number, Int32Array>;
  /** Per main class, -1 or its list among those a buildSparse call is collecting (reset before it calls out). */
  readonly collecting: Int32Array;
  readonly scratch: SparseScratch;
}

/** Per pattern of `patterns`: 1 when some statement (a member of `members`) names it. */
function statementPatterns(patterns: IntLists, members: readonly Members[]): Uint8Array {
  const flags = new Uint8Array(patterns.size);
  for (const m of members) {
    const end = m.start[m.start.length - 1]!;
    for (let i = 0; i < end; i++) flags[m.patterns[i]!] = 1;
  }
  return flags;
}

/** Literal patterns, or literal then one final `*`: these make the main automaton a trie. */
function isMainShaped(tokens: ArrayLike<GlobToken>, from = 0, to = tokens.length): boolean {
  for (let i = from; i < to; i++) if (tokens[i]! < 0 && !(tokens[i] === STAR && i === to - 1)) return false;
  return true;
}

/**
 * One pass over the patterns: wild statement patterns (not literal or prefix, ids ascending)
 * get a bit each, up to WILD_BITS, in `patternBit`; everything else is matched by the main
 * automaton (mainIds, ascending), save the probes (a statement pattern that is also a probe but
 * got no bit is in both); the main automaton is a trie when those are all literal or prefix.
 */
function splitPatterns(patterns: IntLists, isStatementPattern: Uint8Array, wildProbes: readonly number[], patternBit: Int32Array) {
  const tokens = patterns.data;
  const starts = patterns.starts;
  const probe = new Uint8Array(patterns.size);
  for (const p of wildProbes) probe[p] = 1;
  const wildStatement: number[] = [];
  const mainIds = new Int32Array(patterns.size);
  let mainCount = 0;
  let trie = true;
  for (let p = 0; p < patterns.size; p++) {
    const shaped = isMainShaped(tokens, starts[p]!, starts[p + 1]!);
    if (!shaped && isStatementPattern[p] === 1 && wildStatement.push(p) <= WILD_BITS) {
      patternBit[p] = 1 << (wildStatement.length - 1);
      continue;
    }
    if (probe[p] === 1 && isStatementPattern[p] === 0) continue;
    mainIds[mainCount++] = p;
    if (!shaped) trie = false;
  }
  return { wildStatement, mainIds: mainIds.subarray(0, mainCount), trie };
}

/**
 * Per pattern, how many of `classes` hold it; and the statement patterns more than
 * BROAD_THRESHOLD classes hold (as they cross it).
 */
function classCounts(classes: readonly (readonly number[])[], isStatementPattern: Uint8Array): { classCount: Int32Array; widespread: number[] } {
  const classCount = new Int32Array(isStatementPattern.length);
  const widespread: number[] = [];
  for (let k = 0; k < classes.length; k++) {
    const ids = classes[k]!;
    for (let i = 0; i < ids.length; i++) {
      const p = ids[i]!;
      if (++classCount[p]! === BROAD_THRESHOLD + 1 && isStatementPattern[p] === 1) widespread.push(p);
    }
  }
  return { classCount, widespread };
}

/**
 * The classes of each narrow pattern (patternBit 0), ascending:
 * patternClassList[patternClassStart[p] .. patternClassStart[p + 1]); and each class's bits of
 * the broad and wild patterns. A pattern's list fills from its end down, classes taken last
 * first, counting `classCount` down to 0.
 */
function listClasses(classes: readonly (readonly number[])[], patternBit: Int32Array, classCount: Int32Array) {
  const patternCount = patternBit.length;
  const patternClassStart = new Int32Array(patternCount + 1);
  for (let p = 0; p < patternCount; p++) patternClassStart[p + 1] = patternClassStart[p]! + (patternBit[p] === 0 ? classCount[p]! : 0);
  const patternClassList = new Int32Array(patternClassStart[patternCount]!);
  const mainBits = new Int32Array(classes.length);
  for (let k = classes.length - 1; k >= 0; k--) {
    const ids = classes[k]!;
    let bits = 0;
    for (let i = 0; i < ids.length; i++) {
      const p = ids[i]!;
      if (patternBit[p] === 0) patternClassList[patternClassStart[p]! + --classCount[p]!] = k;
      else bits |= patternBit[p]!;
    }
    mainBits[k] = bits;
  }
  return { patternClassStart, patternClassList, mainBits };
}

/** Pattern p's tokens, as a view of the interner's packed copy. */
function tokensOf(patterns: IntLists, p: number): Int32Array {
  return patterns.data.subarray(patterns.start(p), patterns.end(p));
}

function buildDimension(
  /** Every pattern of the dimension, interned: pattern p is list p. */
  patterns: IntLists,
  /** Per pattern: 1 when a statement names it (else a probe's). */
  isStatementPattern: Uint8Array,
  wildProbes: readonly number[],
  mainGroupOf: (patterns: readonly number[]) => number,
  wildFactsOf: (patterns: readonly number[]) => { group: number; kms: number },
  groupCount: number,
  /** Whether strings compare exactly (resources): only then can a gate search them with indexOf. */
  exact: boolean,
): Space {
  // Wild statement patterns get a bit each, up to WILD_BITS; the rest join the main automaton.
  // The loops over every pattern and class are functions of their own (splitPatterns and on),
  // and few: V8 compiles a long-running loop while it runs (OSR), each loop first running a
  // while in the interpreter, and in a function of several loops that code deoptimizes at the
  // first one that has not run yet (inline here, they ran partly in the interpreter, recompiling).
  const patternCount = patterns.size;
  const patternBit = new Int32Array(patternCount);
  const { wildStatement, mainIds, trie } = splitPatterns(patterns, isStatementPattern, wildProbes, patternBit);
  const bitted = wildStatement.slice(0, WILD_BITS);
  const wildIds = [...new Set([...bitted, ...wildProbes])].sort((a, b) => a - b);

  // Literal and prefix patterns make a trie, built directly; wild overflow needs the general
  // construction. The trie's classes name patterns by their ids here already (PatternSlices);
  // the general construction's by their place in mainIds.
  const main = trie
    ? buildTrieAutomaton({ tokens: patterns.data, start: patterns.starts, at: mainIds })
    : buildAutomaton(Array.from(mainIds, (p) => tokensOf(patterns, p)));
  const wild = buildAutomaton(wildIds.map((p) => tokensOf(patterns, p)));
  const classes = trie ? main.classes : main.classes.map((local) => local.map((i) => mainIds[i]!));
  const wildClasses = wild.classes.map((local) => local.map((i) => wildIds[i]!));

  // The most widespread main patterns become broad: tracked by a bit instead of by entries.
  const { classCount, widespread } = classCounts(classes, isStatementPattern);
  let nextBit = Math.min(WILD_BITS, wildStatement.length);
  widespread
    .sort((a, b) => classCount[b]! - classCount[a]! || a - b)
    .slice(0, BROAD_BITS - nextBit)
    .forEach((p) => { patternBit[p] = 1 << nextBit++; });
  const { patternClassStart, patternClassList, mainBits } = listClasses(classes, patternBit, classCount);
  const mainGroup = mappedToInts(classes, mainGroupOf);
  const bitsOf = (ids: readonly number[]) => {
    let bits = 0;
    for (const p of ids) bits |= patternBit[p]!;
    return bits;
  };
  const wildBits = mappedToInts(wildClasses, bitsOf);
  const facts = wildClasses.map(wildFactsOf);
  const wildGroup = Int32Array.from(facts, (f) => f.group);
  const wildKms = Int32Array.from(facts, (f) => f.kms);

  const space: Space = {
    dimension: {
      main, mainBits, mainGroup, wild, wildBits, wildGroup, wildKms, groupCount, literals: [],
      // The statements' wild patterns only: the runtime still walks for the probes when the gate
      // is shut, stopping where no probe can match any more (runtime/index.ts, shutNodes).
      wildGate: exact ? wildGate(bitted.map((p) => tokensOf(patterns, p))) : undefined,
      resume: wildIds.length === 0 ? new Int32Array(0) : resumePoints(main, wild),
    },
    classes, groupCount, patternBit, patternClassStart, patternClassList,
    wildCombos: distinctPairs(wildBits, wildGroup, -1, groupCount),
    mainCombos: distinctPairs(mainBits, mainGroup, -1, groupCount),
    projections: new Map(),
    collecting: new Int32Array(classes.length).fill(-1),
    scratch: sparseScratch(),
  };
  warmUpSparse(space);
  return space;
}

/**
 * Runs buildSparse a few times on two made-up items (one listing class 0, one universal) and
 * drops the maps. Why: the first real call on a space can be the largest of the compile (every
 * statement of a class), and V8 then compiles its loops on the spot (OSR) before the code after
 * them ever ran; that code deoptimizes when reached, and V8 (11.x) keeps entering the same
 * compiled loop on every later call, deoptimizing each time: thousands of times per compile,
 * measured. Small calls first give that code its type feedback (V8 keeps feedback only from a
 * function's 8th call or so).
 */
function warmUpSparse(space: Space): void {
  const members: Members = {
    flags: Uint8Array.of(0, UNIVERSAL), start: Int32Array.of(0, 0, 0), patterns: new Int32Array(0), only: [new Set([0]), undefined], groups: [undefined, undefined],
  };
  const both = new IntBuffer();
  both.push(0);
  both.push(1);
  for (let i = 0; i < WARM_UP_CALLS; i++) buildSparse(space, members, both, () => 0);
}

const WARM_UP_CALLS = 16;

/**
 * The distinct pairs (bits[i], groups[i], or `group` instead when it is >= 0), in first-seen
 * order, as pairs of ints. Groups are -1 .. groupCount - 1.
 */
function distinctPairs(bits: Int32Array, groups: Int32Array, group: number, groupCount: number): Int32Array {
  const seen = new Set<number>();
  const out: number[] = [];
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]!;
    const g = group >= 0 ? group : groups[i]!;
    const key = b * (groupCount + 1) + g + 1;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(b, g);
  }
  return Int32Array.from(out);
}

/** `Int32Array.from(list, f)`, by a loop: with a map function, `from` goes through the iterator protocol (about 10x slower, measured). */
function mappedToInts<T>(list: readonly T[], f: (value: T) => number): Int32Array {
  const out = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = f(list[i]!);
  return out;
}

/** A space's wild or main combos seen through a map's mask (and groups, when it uses them). */
function projection(space: Space, wild: boolean, mask: number, usesGroup: boolean): Int32Array {
  const key = mask * 4 + (usesGroup ? 2 : 0) + (wild ? 1 : 0);
  let pairs = space.projections.get(key);
  if (pairs === undefined) {
    const combos = wild ? space.wildCombos : space.mainCombos;
    const bits = new Int32Array(combos.length / 2);
    const groups = new Int32Array(combos.length / 2);
    for (let c = 0; c < bits.length; c++) {
      bits[c] = combos[2 * c]! & mask;
      groups[c] = combos[2 * c + 1]!;
    }
    pairs = distinctPairs(bits, groups, usesGroup ? -1 : 0, space.groupCount);
    space.projections.set(key, pairs);
  }
  return pairs;
}

/** Whether the ascending list `sorted` holds `value`. */
function holds(sorted: readonly number[], value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Whether member m's patterns hit a class: its broad and wild ones through `bits`, its narrow ones through main class k (-1: none). */
function hits(space: Space, members: Members, m: number, k: number, bits: number): boolean {
  const { start, patterns } = members;
  for (let q = start[m]!, end = start[m + 1]!; q < end; q++) {
    const p = patterns[q]!;
    const bit = space.patternBit[p]!;
    if (bit !== 0 ? (bit & bits) !== 0 : k >= 0 && holds(space.classes[k]!, p)) return true;
  }
  return false;
}

function matches(space: Space, members: Members, m: number, k: number, bits: number, group: number): boolean {
  const groups = members.groups?.[m];
  if (groups !== undefined && !groups.has(group)) return false;
  const flags = members.flags[m]!;
  return (flags & UNIVERSAL) !== 0 || hits(space, members, m, k, bits) !== ((flags & NEGATED) !== 0);
}

/** Scratch lists for buildSparse, reused by every call on a space (calls on one space do not nest). */
interface SparseScratch {
  busy: boolean;
  /** The classes some narrow item lists, first listed first, then sorted. */
  readonly listed: IntBuffer;
  /** Per class listed (by space.collecting), the first and last node of its candidate list. */
  readonly head: IntBuffer;
  readonly tail: IntBuffer;
  /** The first node of each class's list, classes ascending. */
  readonly sortedHead: IntBuffer;
  /** Candidate lists' nodes: an item, the next node (-1: none). */
  readonly nodeItem: IntBuffer;
  readonly nodeNext: IntBuffer;
  readonly wide: IntBuffer;
  readonly subset: IntBuffer;
  readonly defaults: IntBuffer;
  /** The map being built (what buildSparse returns). */
  readonly out: IntBuffer;
}

function sparseScratch(): SparseScratch {
  return {
    busy: false, listed: new IntBuffer(), head: new IntBuffer(), tail: new IntBuffer(), sortedHead: new IntBuffer(),
    nodeItem: new IntBuffer(), nodeNext: new IntBuffer(), wide: new IntBuffer(), subset: new IntBuffer(), defaults: new IntBuffer(), out: new IntBuffer(),
  };
}

/**
 * Builds the sparse map class -> output(subset of items matching the class), packed (SparseMaps).
 * Item i is member `chosen.values[i]` of `members`, items ascending by member.
 * `subset` (item indices, ascending) is only valid during the call: output copies what it keeps.
 * So is the map returned (scratch, reused by the next call on the space): the caller copies it.
 *
 * Items fall in two kinds. Narrow items (only narrow patterns, not negated, or limited to an
 * explicit class list) match only the main classes they list: index them by those classes.
 * Every other item (universal, negated, or with a broad or wild pattern) may match anywhere, so
 * it is tested on every explicit class and decides the defaults. Cost: the lists' total length
 * plus explicit classes x wide items, never explicit classes x all items.
 *
 * The phases are functions of their own, each warmed up (warmUpSparse) before a large call.
 */
function buildSparse(space: Space, members: Members, chosen: IntBuffer, output: (subset: IntBuffer) => number): IntBuffer {
  const scratch = space.scratch.busy ? sparseScratch() : space.scratch;
  scratch.busy = true;
  const maskAndGroups = collectCandidates(space, members, chosen, scratch);
  const mask = maskAndGroups >>> 1;
  // A map none of whose items is limited to an account ignores the group: its keys use group 0
  // and it is flagged GROUP_BLIND, so the runtime does the same. That divides its entries by
  // the number of groups.
  const usesGroup = (maskAndGroups & 1) !== 0;
  // What the wild classes can add, seen through this map's mask.
  const wildProjected = projection(space, true, mask, usesGroup);
  const out = scratch.out;
  out.size = 0;
  out.push(usesGroup ? mask : mask | GROUP_BLIND);
  out.push(0);
  out.push(0);
  // The counts are written after the entries: appending them may replace out.values.
  const explicitCount = explicitEntries(space, members, chosen, scratch, mask, usesGroup, wildProjected, output);
  const defaultCount = defaultEntries(space, members, chosen, scratch, mask, usesGroup, wildProjected, output);
  out.values[1] = explicitCount;
  out.values[2] = defaultCount;
  scratch.busy = false;
  return out;
}

/**
 * Lists each narrow item under the main classes it names (scratch.listed, sorted, with the first
 * node of each class's list in scratch.sortedHead) and the other items in scratch.wide. Returns
 * the map's mask times 2, plus 1 when some item is limited to account groups.
 */
function collectCandidates(space: Space, members: Members, chosen: IntBuffer, scratch: SparseScratch): number {
  // The candidates of each class listed: linked lists in flat arrays (items ascending, since
  // items are added in order), found through space.collecting.
  const { listed, head, tail, sortedHead, nodeItem, nodeNext, wide } = scratch;
  listed.size = head.size = tail.size = sortedHead.size = nodeItem.size = nodeNext.size = wide.size = 0;
  const { patternBit, patternClassStart, patternClassList, collecting } = space;
  const addCandidate = (k: number, i: number) => {
    const at = collecting[k]!;
    if (at < 0) {
      collecting[k] = listed.size;
      listed.push(k);
      head.push(nodeItem.size);
      tail.push(nodeItem.size);
    } else if (nodeItem.values[tail.values[at]!] !== i) {
      nodeNext.values[tail.values[at]!] = nodeItem.size;
      tail.values[at] = nodeItem.size;
    } else {
      return;
    }
    nodeItem.push(i);
    nodeNext.push(-1);
  };
  const { flags, start, patterns, only, groups } = members;
  let mask = 0;
  let usesGroup = 0;
  for (let i = 0; i < chosen.size; i++) {
    const m = chosen.values[i]!;
    let hasBits = false;
    for (let q = start[m]!, end = start[m + 1]!; q < end; q++) {
      const p = patterns[q]!;
      const bit = patternBit[p]!;
      mask |= bit;
      if (bit !== 0) hasBits = true;
      else for (let c = patternClassStart[p]!, end = patternClassStart[p + 1]!; c < end; c++) addCandidate(patternClassList[c]!, i);
    }
    const limited = only?.[m];
    if (limited !== undefined) {
      for (const k of limited) addCandidate(k, i);
    } else if (flags[m] !== 0 || hasBits) {
      wide.push(i);
    }
    if (groups?.[m] !== undefined) usesGroup = 1;
  }
  // The classes listed, ascending, and the first node of each one's list in that order. Done
  // with `collecting`.
  sortAscending(listed.values, listed.size);
  for (let c = 0; c < listed.size; c++) {
    const k = listed.values[c]!;
    sortedHead.push(head.values[collecting[k]!]!);
    collecting[k] = -1;
  }
  return mask * 2 + usesGroup;
}

/** Appends the explicit entries (class, bits, group, value) to scratch.out; returns how many. */
function explicitEntries(
  space: Space, members: Members, chosen: IntBuffer, scratch: SparseScratch, mask: number, usesGroup: boolean,
  wildProjected: Int32Array, output: (subset: IntBuffer) => number,
): number {
  const { listed, sortedHead, nodeItem, nodeNext, wide, subset, out } = scratch;
  const { mainBits, mainGroup } = space.dimension;
  const wildCount = wildProjected.length / 2;
  let count = 0;
  for (let c = 0; c < listed.size; c++) {
    const k = listed.values[c]!;
    const firstOfClass = out.size;
    for (let w = 0; w < wildCount; w++) {
      const bits = (mainBits[k]! | wildProjected[2 * w]!) & mask;
      const group = !usesGroup ? 0 : mainGroup[k]! >= 0 ? mainGroup[k]! : wildProjected[2 * w + 1]!;
      // Two wild combos may look the same through the mask: one entry.
      if (wildCount > 1 && holdsKey(out, firstOfClass, 4, 1, bits, group)) continue;
      // The class's candidates and the wide items, merged in ascending order.
      subset.size = 0;
      let node = sortedHead.values[c]!;
      let j = 0;
      while (node >= 0 || j < wide.size) {
        const x = node >= 0 ? nodeItem.values[node]! : Infinity;
        const y = j < wide.size ? wide.values[j]! : Infinity;
        let i: number;
        let listed = false;
        if (x <= y) {
          i = x;
          listed = true;
          node = nodeNext.values[node]!;
          if (x === y) j++;
        } else {
          i = y;
          j++;
        }
        const m = chosen.values[i]!;
        const limited = members.only?.[m];
        // An item listed under k holds k when nothing but its narrow patterns listed it: one of
        // them is in class k. Not when negated or scoped (`only` lists classes its patterns may
        // miss; groups may exclude this one): then it is tested like the wide ones.
        const certain = listed && (members.flags[m]! & NEGATED) === 0 && limited === undefined && members.groups?.[m] === undefined;
        if (certain || (!(limited !== undefined && !limited.has(k)) && matches(space, members, m, k, bits, group))) subset.push(i);
      }
      const value = output(subset);
      out.push(k);
      out.push(bits);
      out.push(group);
      out.push(value);
      count++;
    }
  }
  return count;
}

/**
 * Appends the defaults (bits, group, value), sorted by key, to scratch.out; returns how many. A
 * main class no item lists holds none of their narrow patterns: only wide items can match it,
 * through their bits.
 */
function defaultEntries(
  space: Space, members: Members, chosen: IntBuffer, scratch: SparseScratch, mask: number, usesGroup: boolean,
  wildProjected: Int32Array, output: (subset: IntBuffer) => number,
): number {
  const { wide, subset, defaults, out } = scratch;
  defaults.size = 0;
  const wildCount = wildProjected.length / 2;
  const mainProjected = projection(space, false, mask, usesGroup);
  const seen = mainProjected.length * wildCount > 32 ? new Set<number>() : undefined;
  for (let m = 0; m < mainProjected.length; m += 2) {
    const mb = mainProjected[m]!;
    const mg = mainProjected[m + 1]!;
    for (let w = 0; w < wildCount; w++) {
      const bits = mb | wildProjected[2 * w]!;
      const group = usesGroup ? (mg >= 0 ? mg : wildProjected[2 * w + 1]!) : 0;
      if (seen !== undefined) {
        const key = bits * space.groupCount + group;
        if (seen.has(key)) continue;
        seen.add(key);
      } else if (holdsKey(defaults, 0, 3, 0, bits, group)) {
        continue;
      }
      subset.size = 0;
      for (let j = 0; j < wide.size; j++) {
        const i = wide.values[j]!;
        if (matches(space, members, chosen.values[i]!, -1, bits, group)) subset.push(i);
      }
      const value = output(subset);
      defaults.push(bits);
      defaults.push(group);
      defaults.push(value);
    }
  }
  const count = defaults.size / 3;
  const list = defaults.values;
  // Keys are distinct (deduplicated above): any sort gives the same order. Most maps have a few
  // defaults, sorted in place; an order array only for many.
  if (count <= 16) {
    sortTriples(list, count);
    for (let d = 0; d < 3 * count; d++) out.push(list[d]!);
    return count;
  }
  const order = Array.from({ length: count }, (_, d) => d);
  order.sort((a, b) => list[3 * a]! - list[3 * b]! || list[3 * a + 1]! - list[3 * b + 1]!);
  for (const d of order) {
    out.push(list[3 * d]!);
    out.push(list[3 * d + 1]!);
    out.push(list[3 * d + 2]!);
  }
  return count;
}

/** Sorts the first `count` records of three ints by their first, then second int, in place (insertion sort). */
function sortTriples(list: Int32Array, count: number): void {
  for (let i = 3; i < 3 * count; i += 3) {
    const a = list[i]!;
    const b = list[i + 1]!;
    const c = list[i + 2]!;
    let j = i - 3;
    while (j >= 0 && (list[j]! > a || (list[j] === a && list[j + 1]! > b))) {
      list[j + 3] = list[j]!;
      list[j + 4] = list[j + 1]!;
      list[j + 5] = list[j + 2]!;
      j -= 3;
    }
    list[j + 3] = a;
    list[j + 4] = b;
    list[j + 5] = c;
  }
}

/** Whether the records of `list` from `from` on (`size` ints each, bits then group at `bitsAt`) hold (bits, group). */
function holdsKey(list: IntBuffer, from: number, size: number, bitsAt: number, bits: number, group: number): boolean {
  const values = list.values;
  for (let r = from + bitsAt; r < list.size; r += size) if (values[r] === bits && values[r + 1] === group) return true;
  return false;
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

/** A template's tokens, written to `out` (scratch: the interner copies what it keeps). */
function templateTokens(template: Template, fold: boolean, out: IntBuffer): IntBuffer {
  out.size = 0;
  for (const part of template.parts) {
    // Runs of stars mean the same as one and only grow the automaton: collapse them.
    if (part.kind === "variable") {
      if (out.size === 0 || out.values[out.size - 1] !== STAR) out.push(STAR);
      continue;
    }
    const glob = part.kind === "text";
    const text = part.text;
    for (let i = 0; i < text.length; i++) {
      const char = fold ? foldCase(text.charCodeAt(i)) : text.charCodeAt(i);
      if (glob && char === 42) {
        if (out.size === 0 || out.values[out.size - 1] !== STAR) out.push(STAR);
      } else {
        out.push(glob && char === 63 ? ANY : char);
      }
    }
  }
  return out;
}

/**
 * What the table's interners should expect, from the workspace's policies: their statements, and
 * their action and resource patterns with an int per character (a variable's value counts as
 * one: an estimate, as policies no caller holds count in full; the interners grow past it).
 */
function workspaceSize(workspace: Workspace): { statements: number; actionPatterns: IntListsSize; resourcePatterns: IntListsSize } {
  let statements = 0;
  const actions = { lists: 0, ints: 0 };
  const resources = { lists: 0, ints: 0 };
  const count = (patterns: readonly Template[], into: { lists: number; ints: number }): void => {
    into.lists += patterns.length;
    for (const p of patterns) for (const part of p.parts) into.ints += part.kind === "variable" ? 1 : part.text.length;
  };
  for (const policy of workspace.policies.values()) {
    statements += policy.statements.length;
    for (const statement of policy.statements) {
      count(statement.actions.patterns, actions);
      count(statement.resources.patterns, resources);
    }
  }
  // Resource entries and account probes add a few patterns of their own.
  const probes = 16 + awsParts(workspace).resources.length * 2;
  return {
    statements,
    actionPatterns: actions,
    resourcePatterns: { lists: resources.lists + probes, ints: resources.ints + 64 * probes },
  };
}

/** The one string a pattern matches (no wildcard, no variable), or undefined. */
function literalSpelling(template: Template): string | undefined {
  let out = "";
  for (const part of template.parts) {
    if (part.kind === "variable" || (part.kind === "text" && /[*?]/.test(part.text))) return undefined;
    out += part.text;
  }
  return out;
}

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

/**
 * `strings` sorted (by UTF-16 code units, as `sort()` does), without repeats, as fresh strings.
 * Why the JSON round trip: the spellings are V8 slices of the policy files' text (megabytes), and
 * comparing two slices reads both far apart in that text. At 100,000 statements sorting them took
 * ~95 ms; fresh copies (made in ~20 ms) sort in ~25.
 */
function sortedUnique(strings: readonly string[]): string[] {
  const fresh = JSON.parse(JSON.stringify(strings)) as string[];
  fresh.sort();
  let n = 0;
  for (let i = 0; i < fresh.length; i++) if (i === 0 || fresh[i] !== fresh[n - 1]) fresh[n++] = fresh[i]!;
  fresh.length = n;
  return fresh;
}

/** `f`, remembering its answer per argument object. */
function memoByObject<K extends object, V>(f: (key: K) => V): (key: K) => V {
  // A Map, not a WeakMap: it lives for one compile, and a large WeakMap costs the collector much
  // more (ephemerons).
  const memo = new Map<K, V>();
  return (key) => {
    let value = memo.get(key);
    if (value === undefined) memo.set(key, (value = f(key)));
    return value;
  };
}

/**
 * Interns provenances: the same (policy, sid, index, layer, effect) always gets the same id, in
 * first-seen order. Keyed by ints (each string numbered by a Map of its own), not by a string
 * joining the fields: that cost a new string per statement source, and separators inside names
 * could make two provenances one.
 */
class ProvenanceInterner {
  private readonly policyIds = new Map<string, number>();
  private readonly sidIds = new Map<string, number>();
  private readonly layerIds = new Map<string, number>();
  /** Provenance p's key is list p: policy, sid (-1: none) and layer numbers, index, deny. */
  private readonly keys: IntListInterner;
  /** Scratch: the key being looked up. */
  private readonly key = new Int32Array(5);

  /** `statements`: how many provenances to expect. */
  constructor(statements: number) {
    this.keys = new IntListInterner({ lists: statements, ints: 5 * statements });
  }

  id(policy: string, sid: string | undefined, index: number, layer: string, effect: "Allow" | "Deny"): number {
    const key = this.key;
    key[0] = numbered(this.policyIds, policy);
    key[1] = sid === undefined ? -1 : numbered(this.sidIds, sid);
    key[2] = index;
    key[3] = numbered(this.layerIds, layer);
    key[4] = effect === "Deny" ? 1 : 0;
    return this.keys.id(key);
  }

  /** The provenances so far, read back from their keys: no object per statement meanwhile. */
  columns(): ProvenanceColumns {
    const count = this.keys.size;
    const keys = this.keys.data;
    const policies = [...this.policyIds.keys()];
    const sids = [...this.sidIds.keys()];
    const layers = [...this.layerIds.keys()];
    const policy = new Array<string>(count);
    const sid = new Array<string | null>(count);
    const index = new Int32Array(count);
    const layer = new Array<string>(count);
    const deny = new Int32Array(count);
    for (let p = 0; p < count; p++) {
      const at = this.keys.start(p);
      policy[p] = policies[keys[at]!]!;
      sid[p] = keys[at + 1]! < 0 ? null : sids[keys[at + 1]!]!;
      index[p] = keys[at + 2]!;
      layer[p] = layers[keys[at + 3]!]!;
      deny[p] = keys[at + 4]!;
    }
    return { policy, sid, index, layer, deny };
  }
}

/** The number of `name` in `numbers`, numbering it next when it is new. */
function numbered(numbers: Map<string, number>, name: string): number {
  let n = numbers.get(name);
  if (n === undefined) numbers.set(name, (n = numbers.size));
  return n;
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

