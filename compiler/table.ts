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
import { ANY, FIELD, FIELD_CHAR, STAR, buildAutomaton, buildTrieAutomaton, foldString, type Automaton, type GlobToken } from "./automaton.js";
import type { AwsWorkspace, Condition, Template, Workspace } from "./ir.js";
import {
  SLOT_BOUNDARY, SLOT_GRANT_ACCOUNT, SLOT_GRANT_DIRECT, SLOT_GRANT_EVERYONE, SLOT_IDENTITY, SLOT_RCP,
  SLOT_SCP, SLOT_SESSION, type CallerClasses, type CallerKind, type SpecializedStatement,
} from "./specialize.js";
import { bucketOfS3Object } from "./aws-names.js";
import { GROUP_BLIND, RESOURCE_KEY, type WireCondition, type WireTemplate } from "../runtime/wire.js";

/**
 * A sparse function from a dimension's classes to ids (rows or leaves). A class is a pair
 * (main class, wild class); what a map reads of it is the main class, the bits of its broad and
 * wild patterns under `mask`, and its group.
 */
export interface SparseMap {
  /** Bits of the broad and wild patterns that matter here. */
  readonly mask: number;
  /** Explicit entries: (main class, bits & mask, group) -> value. */
  readonly explicit: readonly (readonly [number, number, number, number])[];
  /** Defaults for main classes without an entry: (bits & mask, group) -> value. */
  readonly defaults: readonly (readonly [number, number, number])[];
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
  readonly rows: readonly SparseMap[];
  readonly leaves: readonly Leaf[];
  readonly predicates: readonly (readonly WireCondition[])[];
  readonly provenance: readonly Provenance[];
}

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
  const actionPatterns = new Interner<GlobToken[]>(tokenKey);
  const resourcePatterns = new Interner<GlobToken[]>(tokenKey);

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

  // --- statements: patterns to ids
  interface Compiled {
    readonly statement: SpecializedStatement;
    readonly actions: Membership;
    readonly resources: Membership;
    readonly provenance: number;
    readonly predicate: number; // -1 when unconditional
  }
  const provenance = new Interner<Provenance>((p) => `${p.policy}\u0000${p.sid ?? "\u0001"}\u0000${p.index}\u0000${p.layer}\u0000${p.effect}`);
  const predicates = new Interner<WireCondition[]>((p) => JSON.stringify(p));
  const entryIndex = new Map(ws.resources.map((r, i) => [r.id, i]));
  const statementActionPatterns = new Set<number>();
  const actionSpellings = new Set<string>();
  const statementResourcePatterns = new Set<number>();
  // Classes share pattern objects (specialization keeps what it does not change): tokenize and
  // intern each once.
  const actionIdOf = memoByObject((p: Template) => actionPatterns.id(actionTokens(p)));
  const resourceIdOf = memoByObject((p: Template) => resourcePatterns.id(resourceTokens(p)));
  const provenanceBySource = new WeakMap<object, Map<string, number>>();
  const provenanceOf = (statement: SpecializedStatement): number => {
    let byLayer = provenanceBySource.get(statement.source);
    if (byLayer === undefined) provenanceBySource.set(statement.source, (byLayer = new Map()));
    let id = byLayer.get(statement.layer);
    if (id === undefined) {
      id = provenance.id({
        policy: statement.source.policy,
        ...(statement.source.sid === undefined ? {} : { sid: statement.source.sid }),
        index: statement.source.index,
        layer: statement.layer,
        effect: statement.effect,
      });
      byLayer.set(statement.layer, id);
    }
    return id;
  };
  const compiledByClass = callers.classes.map((cls) =>
    cls.statements.map((statement): Compiled => {
      const actionIds = statement.actions.patterns.map(actionIdOf);
      for (const id of actionIds) statementActionPatterns.add(id);
      for (const p of statement.actions.patterns) {
        const spelling = literalSpelling(p);
        if (spelling !== undefined) actionSpellings.add(spelling);
      }
      const hasRuntimeVariable = statement.resources.patterns.some((p) => p.parts.some((x) => x.kind === "variable"));
      const residual: WireCondition[] = statement.conditions.map(toWireCondition);
      if (hasRuntimeVariable) residual.push(resourceCheck(statement.resources.patterns, statement.resources.negated));
      const resources: Membership = hasRuntimeVariable
        ? { universal: true, negated: false, patterns: [] }
        : { universal: false, negated: statement.resources.negated, patterns: statement.resources.patterns.map(resourceIdOf) };
      for (const id of resources.patterns) statementResourcePatterns.add(id);
      if (statement.scope.kind === "entry") {
        resources.entry = entryIndex.get(statement.scope.entry)!;
      } else if (statement.scope.kind === "account") {
        resources.account = statement.scope.account;
      }
      return {
        statement,
        actions: { universal: false, negated: statement.actions.negated, patterns: actionIds },
        resources,
        provenance: provenanceOf(statement),
        predicate: residual.length > 0 ? predicates.id(residual) : -1,
      };
    }));

  progress?.("automata", 0, 2);
  const actionSpace = buildDimension(actionPatterns.values, statementActionPatterns, [], () => -1, () => ({ group: 0, kms: 0 }), 1);
  progress?.("automata", 1, 2);
  const groupCount = accounts.length + 2;
  const entryProbes = new Map<number, number>(); // pattern id -> entry index (exact ids win over buckets)
  entryBucket.forEach((p, i) => { if (p >= 0 && !entryProbes.has(p)) entryProbes.set(p, i); });
  entryExact.forEach((p, i) => entryProbes.set(p, i));
  /** The entry governing a main class of resources: the exact id, else the S3 bucket; -1 for none. */
  const governingEntry = (patterns: readonly number[]): number => {
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
    resourcePatterns.values,
    statementResourcePatterns,
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
  );
  progress?.("automata", 2, 2);
  // The main classes each entry governs (resource policies are scoped to them).
  const entryClasses = new Map<number, number[]>();
  resourceSpace.classes.forEach((patterns, k) => {
    const entry = governingEntry(patterns);
    if (entry >= 0) (entryClasses.get(entry) ?? entryClasses.set(entry, []).get(entry)!).push(k);
  });

  // --- rows and leaves
  const leaves = new Interner<Leaf>((l) => `${l.allow}|${l.deny}|${l.matched.join(",")}|${l.open.join(";")}`);
  const rows = new Interner<SparseMap>(sparseKey);
  const kinds = new Interner<CallerKind>((k) => JSON.stringify(k));
  // What a statement brings to a row: its resource membership, effect, slot, provenance and
  // predicate. Classes that share statements (users holding the same roles) get equal rows:
  // each is built once, keyed by these signatures (and the caller's own account group).
  const signatures = new Map<string, number>();
  const signatureOf = (c: Compiled): number => {
    const r = c.resources;
    const key = `${r.universal ? 1 : 0}${r.negated ? 1 : 0}:${r.patterns.join(".")}:${r.entry ?? ""}:${r.account ?? ""}|${c.statement.effect}|${c.statement.slot}|${c.provenance}|${c.predicate}`;
    let id = signatures.get(key);
    if (id === undefined) signatures.set(key, (id = signatures.size));
    return id;
  };
  const rowByContent = new Map<string, number>();
  const classes: TableClass[] = [];
  callers.classes.forEach((cls, classIndex) => {
    progress?.("classes", classIndex, callers.classes.length);
    const compiled = compiledByClass[classIndex]!;
    const ownAccountGroup = cls.kind.account === undefined ? -1 : accountGroup.get(cls.kind.account)!;
    const signature = compiled.map(signatureOf);
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
        const content = `${ownAccountGroup}|${subset.map((i) => signature[i]).join(",")}`;
        id = rowByContent.get(content);
        if (id === undefined) {
          const rowItems = subset.map((i) => resourceMemberships[i]!);
          id = rows.id(buildSparse(resourceSpace, rowItems, (leafSubset) => leafOf(leafSubset.map((j) => subset[j]!))));
          rowByContent.set(content, id);
        }
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
    model: workspace.model,
    actions: { ...actionSpace.dimension, literals: [...actionSpellings].sort() },
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

/** A dimension, with what the sparse maps need to know about its classes. */
interface Space {
  readonly dimension: Dimension;
  /** Main class k = the sorted (global) ids of the main patterns matched. */
  readonly classes: readonly (readonly number[])[];
  readonly groupCount: number;
  /** Per pattern (global id): its bit if broad or wild (else 0), and the main classes holding it if narrow. */
  readonly patternBit: Int32Array;
  readonly patternClasses: readonly (readonly number[])[];
  /** Distinct (bits, group) of the wild classes, and of the main classes (group -1: none). */
  readonly wildCombos: readonly (readonly [number, number])[];
  readonly mainCombos: readonly (readonly [number, number])[];
  readonly classSets: Map<number, ReadonlySet<number>>;
}

/** Literal patterns, or literal then one final `*`: these make the main automaton a trie. */
function isMainShaped(tokens: readonly GlobToken[]): boolean {
  for (let i = 0; i < tokens.length; i++) if (tokens[i]! < 0 && !(tokens[i] === STAR && i === tokens.length - 1)) return false;
  return true;
}

function buildDimension(
  patterns: readonly GlobToken[][],
  statementPatterns: ReadonlySet<number>,
  wildProbes: readonly number[],
  mainGroupOf: (patterns: readonly number[]) => number,
  wildFactsOf: (patterns: readonly number[]) => { group: number; kms: number },
  groupCount: number,
): Space {
  // Wild statement patterns get a bit each, up to WILD_BITS; the rest join the main automaton.
  const wildStatement = [...statementPatterns].filter((p) => !isMainShaped(patterns[p]!)).sort((a, b) => a - b);
  const bitted = new Set(wildStatement.slice(0, WILD_BITS));
  const probes = new Set(wildProbes);
  const wildIds = [...new Set([...bitted, ...probes])].sort((a, b) => a - b);
  // Everything else is matched by the main automaton: a statement pattern that is also a probe
  // but got no bit is in both.
  const mainIds = patterns.map((_, p) => p).filter((p) => !bitted.has(p) && (!probes.has(p) || statementPatterns.has(p)));
  const patternBit = new Int32Array(patterns.length);
  wildStatement.slice(0, WILD_BITS).forEach((p, bit) => { patternBit[p] = 1 << bit; });

  const mainPatterns = mainIds.map((p) => patterns[p]!);
  // Literal and prefix patterns make a trie, built directly; wild overflow needs the general construction.
  const main = mainPatterns.every(isMainShaped) ? buildTrieAutomaton(mainPatterns) : buildAutomaton(mainPatterns);
  const wild = buildAutomaton(wildIds.map((p) => patterns[p]!));
  const classes = main.classes.map((local) => local.map((i) => mainIds[i]!));
  const wildClasses = wild.classes.map((local) => local.map((i) => wildIds[i]!));

  // The most widespread main patterns become broad: tracked by a bit instead of by entries.
  const patternClasses: number[][] = Array.from({ length: patterns.length }, () => []);
  classes.forEach((ids, k) => { for (const p of ids) patternClasses[p]!.push(k); });
  let nextBit = Math.min(WILD_BITS, wildStatement.length);
  patternClasses
    .map((list, p) => [list.length, p] as const)
    .filter(([n, p]) => n > BROAD_THRESHOLD && statementPatterns.has(p))
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, BROAD_BITS - nextBit)
    .forEach(([, p]) => { patternBit[p] = 1 << nextBit++; });
  for (let p = 0; p < patterns.length; p++) if (patternBit[p] !== 0) patternClasses[p] = [];

  const bitsOf = (ids: readonly number[]) => ids.reduce((bits, p) => bits | patternBit[p]!, 0);
  const mainBits = Int32Array.from(classes.map(bitsOf));
  const mainGroup = Int32Array.from(classes.map(mainGroupOf));
  const wildBits = Int32Array.from(wildClasses.map(bitsOf));
  const facts = wildClasses.map(wildFactsOf);
  const wildGroup = Int32Array.from(facts.map((f) => f.group));
  const wildKms = Int32Array.from(facts.map((f) => f.kms));

  const wildCombos = distinctPairs(wildClasses.map((_, c) => [wildBits[c]!, wildGroup[c]!] as const));
  const mainCombos = distinctPairs(classes.map((_, k) => [mainBits[k]!, mainGroup[k]!] as const));
  return {
    dimension: { main, mainBits, mainGroup, wild, wildBits, wildGroup, wildKms, groupCount, literals: [] },
    classes, groupCount, patternBit, patternClasses, wildCombos, mainCombos, classSets: new Map(),
  };
}

/** Builds the sparse map class -> output(subset of items matching the class). */
function buildSparse(space: Space, items: readonly ScopedMembership[], output: (subset: number[]) => number): SparseMap {
  // Items fall in two kinds. Narrow items (only narrow patterns, not negated, or limited to an
  // explicit class list) match only the main classes they list: index them by those classes.
  // Every other item (universal, negated, or with a broad or wild pattern) may match anywhere,
  // so it is tested on every explicit class and decides the defaults. Cost: the lists' total
  // length plus explicit classes x wide items, never explicit classes x all items.
  let mask = 0;
  const candidates = new Map<number, number[]>();
  const wide: number[] = [];
  const addCandidate = (k: number, i: number) => {
    const list = candidates.get(k);
    if (list === undefined) candidates.set(k, [i]);
    else if (list[list.length - 1] !== i) list.push(i);
  };
  items.forEach((item, i) => {
    let hasBits = false;
    for (const p of item.patterns) {
      mask |= space.patternBit[p]!;
      if (space.patternBit[p] !== 0) hasBits = true;
      else for (const k of space.patternClasses[p]!) addCandidate(k, i);
    }
    if (item.only) {
      for (const k of item.only) addCandidate(k, i);
    } else if (item.universal || item.negated || hasBits) {
      wide.push(i);
    }
  });
  const inClass = (k: number, p: number) => {
    let set = space.classSets.get(k);
    if (set === undefined) space.classSets.set(k, (set = new Set(space.classes[k])));
    return set.has(p);
  };
  const hits = (item: ScopedMembership, k: number, bits: number) =>
    item.patterns.some((p) => (space.patternBit[p] !== 0 ? (space.patternBit[p]! & bits) !== 0 : k >= 0 && inClass(k, p)));
  const matches = (item: ScopedMembership, k: number, bits: number, group: number) => {
    if (item.groups && !item.groups.has(group)) return false;
    return item.universal || hits(item, k, bits) !== item.negated;
  };
  const { mainBits, mainGroup } = space.dimension;
  // A map none of whose items is limited to an account ignores the group: its keys use group 0
  // and it is flagged GROUP_BLIND, so the runtime does the same. That divides its entries by
  // the number of groups.
  const usesGroup = items.some((item) => item.groups !== undefined);
  const groupOf = (main: number, wild: number) => (!usesGroup ? 0 : main >= 0 ? main : wild);
  // What the wild classes can add, seen through this map's mask.
  const wildProjected = distinctPairs(space.wildCombos.map(([wb, wg]) => [wb & mask, usesGroup ? wg : 0] as const));

  const explicit: [number, number, number, number][] = [];
  for (const k of [...candidates.keys()].sort((a, b) => a - b)) {
    const tested = wide.length === 0 ? candidates.get(k)! : mergeSorted(candidates.get(k)!, wide);
    const seen = wildProjected.length > 1 ? new Set<string>() : undefined;
    for (const [wb, wg] of wildProjected) {
      const bits = (mainBits[k]! | wb) & mask;
      const group = groupOf(mainGroup[k]!, wg);
      if (seen !== undefined) {
        const key = `${bits},${group}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      const subset = tested.filter((i) => {
        const item = items[i]!;
        return !(item.only && !item.only.has(k)) && matches(item, k, bits, group);
      });
      explicit.push([k, bits, group, output(subset)]);
    }
  }

  // A main class no item lists holds none of their narrow patterns: only wide items can match
  // it, through their bits.
  const defaults = new Map<string, [number, number, number]>();
  const mainProjected = distinctPairs(space.mainCombos.map(([mb, mg]) => [mb & mask, usesGroup ? mg : 0] as const));
  for (const [mb, mg] of mainProjected) {
    for (const [wb, wg] of wildProjected) {
      const bits = mb | wb;
      const group = usesGroup ? (mg >= 0 ? mg : wg) : 0;
      const key = `${bits},${group}`;
      if (defaults.has(key)) continue;
      const subset = wide.filter((i) => matches(items[i]!, -1, bits, group));
      defaults.set(key, [bits, group, output(subset)]);
    }
  }
  return {
    mask: usesGroup ? mask : mask | GROUP_BLIND,
    explicit,
    defaults: [...defaults.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]),
  };
}

function sparseKey(m: SparseMap): string {
  let key = `${m.mask}|`;
  for (const e of m.explicit) key += `${e[0]},${e[1]},${e[2]},${e[3]};`;
  key += "|";
  for (const d of m.defaults) key += `${d[0]},${d[1]},${d[2]};`;
  return key;
}

/** Pairs without repeats, in first-seen order. */
function distinctPairs(pairs: readonly (readonly [number, number])[]): (readonly [number, number])[] {
  const seen = new Map<string, readonly [number, number]>();
  for (const pair of pairs) {
    const key = `${pair[0]},${pair[1]}`;
    if (!seen.has(key)) seen.set(key, pair);
  }
  return [...seen.values()];
}

/** The union of two ascending lists of distinct ints, ascending. */
function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i]! : Infinity;
    const y = j < b.length ? b[j]! : Infinity;
    if (x <= y) { out.push(x); i++; if (x === y) j++; } else { out.push(y); j++; }
  }
  return out;
}

/** A pattern's tokens as a string key: a code unit each; U+FFFF escapes wildcards and itself. */
function tokenKey(tokens: readonly GlobToken[]): string {
  let key = "";
  for (const t of tokens) key += t >= 0 && t < 0xffff ? String.fromCharCode(t) : `\uffff${String.fromCharCode(t < 0 ? -t : 0)}`;
  return key;
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

/** The one string a pattern matches (no wildcard, no variable), or undefined. */
function literalSpelling(template: Template): string | undefined {
  let out = "";
  for (const part of template.parts) {
    if (part.kind === "variable" || (part.kind === "text" && /[*?]/.test(part.text))) return undefined;
    out += part.text;
  }
  return out;
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
/** `f`, remembering its answer per argument object. */
function memoByObject<K extends object, V>(f: (key: K) => V): (key: K) => V {
  const memo = new WeakMap<K, V>();
  return (key) => {
    let value = memo.get(key);
    if (value === undefined) memo.set(key, (value = f(key)));
    return value;
  };
}

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

