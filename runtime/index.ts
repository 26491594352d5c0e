// The iamc runtime: load a `.iamc` bundle, answer checks. Engine-neutral (no node: imports),
// depends on nothing but msgpackr, never imports the compiler.
//
// A check is: caller -> class (one Map lookup), action -> action class (an automaton walk, or one
// Map lookup for a cached spelling), resource -> resource class (an automaton walk), (class,
// action class) -> row and (row, resource class) -> leaf (two sparse-map lookups: a short list or
// a hash table), then a few integer operations. Nothing in it depends on how many policies,
// statements or principals the bundle was compiled from. Loading builds nothing: the tables are
// views of the bundle's bytes, range-checked once (format.ts, wire.ts).
import {
  SPELLINGS_MAX, automatonTable, bytesInt32, decodeCold, decodeStatementSources, expandPayload, int32Bytes, readPayload,
  type AutomatonName, type AutomatonTable, type BundlePayload, type BundleVerifier, type ColdPayload, type DimensionName, type PayloadTables,
  type Sha256, type WireAutomaton, type WireDimension, type WirePayload, type WireStatementSource,
} from "./format.js";
import { BundleError } from "./errors.js";
import { compileConditions, type ConditionEnv, type ContextValue, type Predicate } from "./conditions.js";
import { sparseEntries, sparseGet, sparseProblem } from "./pair-table.js";
import { RESOURCE_KEY, WILD_GATE_MAX, adoptionKey, type WireCondition } from "./wire.js";

export { BundleError, BUNDLE_ERROR_CODES, type BundleErrorCode } from "./errors.js";
export { FORMAT_VERSION, signatureKeyId, type BundleSigner, type BundleVerifier, type Sha256 } from "./format.js";
export type { ContextValue, ContextScalar } from "./conditions.js";

/** An authorization decision. Deny always wins; no matching allow is an implicit deny. */
export type Decision = "Allow" | "ExplicitDeny" | "ImplicitDeny";

/** A request: who does what to which resource, with optional condition keys. */
export interface Request {
  readonly principal: string | null;
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, ContextValue>>;
  /** cloudalus: the identity the caller adopts (default: the caller itself). */
  readonly identity?: string;
  /** cloudalus: the ids of the trusts the caller relies on. */
  readonly via?: readonly string[];
}

/** A statement that took part in a decision. */
export interface DecidingStatement {
  readonly policy: string;
  readonly sid?: string;
  readonly index: number;
  readonly effect: "Allow" | "Deny";
  readonly layer: string;
  /** Whether the statement's conditions were evaluated for this request. */
  readonly conditional: boolean;
}

/** One evaluation layer's verdict for a request. */
export interface LayerVerdict {
  readonly layer: string;
  readonly verdict: "Allow" | "Deny" | "None";
  /** Whether every way to an Allow needs this layer to allow. */
  readonly required: boolean;
}

/** A conditional statement that did not apply, and the first of its conditions that failed. */
export interface UnmetCondition {
  readonly statement: DecidingStatement;
  /** The condition as written: `StringEquals`, `ForAnyValue:StringLike`, `BoolIfExists`, ... */
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
  /** The value the condition saw (from the request, or the manifest for the caller's own keys); undefined when absent. */
  readonly seen: ContextValue | undefined;
}

/**
 * An Allow statement that almost applied to a denied request: it names the caller and matches one
 * of action and resource, but not the other.
 */
export interface NearMiss {
  readonly statement: DecidingStatement;
  /** The part that did not match. */
  readonly missed: "action" | "resource";
  /** The statement's patterns for that part, as written (`not ...` for NotAction / NotResource). */
  readonly wanted: readonly string[];
  /** The request's action or resource. */
  readonly seen: string;
}

export interface Explanation {
  readonly decision: Decision;
  /** Who the caller was taken to be: a principal id, or a kind of outside caller. */
  readonly principalClass: string;
  /** The statements that matched: the deciding denies, or the allows. */
  readonly statements: readonly DecidingStatement[];
  readonly layers: readonly LayerVerdict[];
  /** Statements that would have matched but for their conditions: which condition failed, on what value. */
  readonly unmet: readonly UnmetCondition[];
  /**
   * For an implicit deny: the Allow statements for this caller that matched the action but not
   * the resource, or the resource but not the action, nearest first (at most NEAR_MISSES).
   */
  readonly nearMisses: readonly NearMiss[];
  /** One sentence saying why. */
  readonly reason: string;
}

/** A loaded bundle. */
export interface Authorizer {
  /** The decision for a request. Never throws; a request it cannot read is denied. */
  check(request: Request): Decision;
  /** The decision with the statements and layers behind it. Never throws. */
  explain(request: Request): Explanation;
  /** What the bundle was compiled from. */
  readonly info: {
    readonly compiler: string;
    readonly sources: readonly (readonly [string, string])[];
    readonly classes: number;
    readonly leaves: number;
    /** The revision and creation time `compile --revision` recorded; undefined otherwise. */
    readonly build?: { readonly revision: number; readonly createdAt: string };
  };
}

const ALLOW: Decision = "Allow";
const EXPLICIT_DENY: Decision = "ExplicitDeny";
const IMPLICIT_DENY: Decision = "ImplicitDeny";

/** How to load a bundle. */
export interface LoadOptions {
  /**
   * The SHA-256 that checks the bundle's digest. Default: the runtime's own, in plain
   * JavaScript, which runs anywhere; `iamc/runtime/node` passes Node's native one (several
   * times faster on large bundles).
   */
  readonly sha256?: Sha256;
  /**
   * Checks the bundle's signature. When given, only bundles signed by a key it trusts load (an
   * unsigned or wrongly signed one is refused with IAMC5007). `iamc/runtime/node` builds one from
   * ed25519 public keys (`publicKeys`); any engine can pass its own.
   */
  readonly verify?: BundleVerifier;
  /**
   * Whether the authorizer caches the action spellings it walks, up to SPELLINGS_MAX in all
   * (README: "Actions by exact spelling"). Default true; false keeps memory exactly as loaded,
   * every spelling the compiler did not cache paying the walk.
   */
  readonly learnSpellings?: boolean;
}

/** Spellings longer than this are not learned (action names are under 100 characters). */
const LEARNED_LENGTH_MAX = 256;

/** A string's class in one dimension: what the table looks up. */
export interface DimensionClass {
  readonly mainClass: number;
  readonly bits: number;
  readonly group: number;
  readonly kms: number;
}

/** One dimension's automata as the bundle stores them, and the class of a pair of end states. */
export interface InspectedDimension {
  readonly main: WireAutomaton;
  readonly wild: WireAutomaton;
  readonly literals: readonly string[];
  /** The class of the strings that end in these states of the main and wild automata (-1: dead). */
  classify(mainState: number, wildState: number): DimensionClass;
}

export interface InspectedLeaf {
  /** Verdict bits of the statements that apply unconditionally. */
  readonly allow: number;
  readonly deny: number;
  /** Statements whose conditions decide: provenance id, verdict slot, effect, predicate id. */
  readonly open: readonly { readonly statement: number; readonly slot: number; readonly deny: boolean; readonly predicate: number }[];
  /** Provenance ids of the statements that apply unconditionally. */
  readonly matched: readonly number[];
}

/**
 * A loaded table's structure, read-only, for analysis tools (`iamc diff`, `access`, `who`): the
 * same lookups `check` makes, given classes instead of strings. Not the request path.
 */
export interface TableInspector {
  readonly payload: BundlePayload;
  readonly classCount: number;
  className(cls: number): string;
  /** The caller class of a request's principal (and cloudalus identity and via); -1 when unreadable. */
  classOf(request: Pick<Request, "principal" | "identity" | "via">): number;
  readonly actions: InspectedDimension;
  readonly resources: InspectedDimension;
  /** The row of a caller class for an action class, or -1 (nothing applies). */
  rowOf(cls: number, action: DimensionClass): number;
  /** The leaf of a row for a resource class, or -1 (nothing applies). */
  leafOf(row: number, resource: DimensionClass): number;
  /**
   * The resource main classes a row has entries for. Any other main class gets the row's
   * defaults, which depend only on the class's bits and group: so one lookup answers for all.
   */
  explicitMains(row: number): readonly number[];
  leaf(leaf: number): InspectedLeaf;
  /** Whether these allow bits make an Allow for this caller class on a resource of this class. */
  allows(cls: number, resource: DimensionClass, allow: number): boolean;
  statement(id: number): DecidingStatement;
  predicate(id: number): readonly WireCondition[];
  /** The condition keys the manifest fixes for a caller class. */
  facts(cls: number): readonly (readonly [string, unknown])[];
}

/**
 * Loads a bundle for analysis: its decoded payload and the table's structure. The table reads
 * its tables in place: `bytes` must not change while it is in use.
 */
export function inspectBundle(bytes: Uint8Array, options: LoadOptions = {}): TableInspector {
  const wire = readPayload(bytes, options.sha256, options.verify);
  const payload = expandPayload(wire);
  return tableOf(wire, { literals: [payload.actions.literals, payload.resources.literals], provenance: payload.provenance }).inspect(payload);
}

function tableOf(payload: WirePayload, cold?: ColdPayload, learnSpellings = true): Table {
  try {
    return new Table(payload, cold, learnSpellings);
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw new BundleError("IAMC5005", `the bundle payload is malformed: ${(error as Error).message}`);
  }
}

/**
 * Loads bundle bytes. Throws BundleError (with a stable `code`) when they are not a valid bundle.
 * The authorizer reads its tables in place, as views of `bytes` (nothing is copied or built):
 * `bytes` must not change while it is in use.
 */
export function loadBundle(bytes: Uint8Array, options: LoadOptions = {}): Authorizer {
  return tableOf(readPayload(bytes, options.sha256, options.verify), undefined, options.learnSpellings ?? true);
}

// The load-ready layout (wire.ts), copied here: V8 folds a module's own constants into the hot
// loops, not imported ones (an import cost ~12% of a check). test/runtime/layout.test.ts keeps
// the copies equal to wire.ts.
const NODE = 4;
const N_RUN = 0;
const N_EDGES = 1;
const N_OTHER = 2;
const N_CLASS = 3;
const RUN_NONE = -1;
const RUN_SINK = -2;
const RUN_AUX = -3;
const AUX = 3;
const A_RUN = 0;
const A_SKIP = 1;
const A_FAN = 2;
const LEAF = 4;
const L_DENY = 0;
const L_ALLOW = 1;
const L_OPEN = 2;
const L_MATCHED = 3;
const OPEN = 4;
const MAP_HEAD = 5;

/** A flat automaton (layout in wire.ts), read in place from the bundle; stepping it never allocates. */
class Automaton {
  readonly states: number;
  readonly nodes: Int32Array;
  readonly edges: Int32Array;
  readonly aux: Int32Array;
  readonly skip: Int32Array;
  /**
   * For small automata, a dense table over a compressed alphabet: dense[state * width + column],
   * column 0 for characters no edge names. One load per character instead of a search.
   */
  readonly dense: Int32Array | undefined;
  readonly fanTable: Int32Array;
  readonly width: number;
  readonly asciiColumn: Int32Array;
  private readonly wideColumn = new Map<number, number>();

  constructor(tables: PayloadTables, dimension: DimensionName, name: AutomatonName, width: unknown, classCount: number) {
    const table = (t: AutomatonTable) => tables[automatonTable(dimension, name, t)];
    this.nodes = table("nodes");
    this.edges = table("edges");
    this.aux = table("aux");
    this.skip = table("skip");
    this.fanTable = table("fan");
    this.asciiColumn = table("ascii");
    const dense = table("dense");
    const wide = table("wide");
    check(typeof width === "number" && Number.isInteger(width) && width >= 1 && width <= 0x10001, "automaton width out of range");
    this.width = width;
    const nodes = this.nodes;
    check(nodes.length % NODE === 0 && nodes.length >= 2 * NODE, "automaton tables disagree in length");
    const states = nodes.length / NODE - 1;
    this.states = states;
    check(this.edges.length % 2 === 0 && this.aux.length % AUX === 0 && this.skip.length % 3 === 0, "automaton tables have a partial record");
    check(this.asciiColumn.length === 128 && wide.length % 2 === 0 && this.fanTable.length % width === 0, "automaton columns disagree in length");
    check(dense.length === 0 || dense.length === states * width, "automaton dense table disagrees in length");
    this.dense = dense.length === 0 ? undefined : dense;
    const problem = automatonProblem(this, classCount);
    check(problem === undefined, problem ?? "");
    // Every index the walk follows is in range: edge, dense and fan targets are states (or -1),
    // columns are columns.
    check(outOfRange(this.edges, 1, 2, -1, states) < 0, "automaton edge out of range");
    check(outOfRange(dense, 0, 1, -1, states) < 0 && outOfRange(this.fanTable, 0, 1, -1, states) < 0, "automaton edge out of range");
    check(outOfRange(this.asciiColumn, 0, 1, 0, width) < 0 && outOfRange(wide, 1, 2, 1, width) < 0, "automaton column out of range");
    for (let i = 0; i < wide.length; i += 2) this.wideColumn.set(wide[i]!, wide[i + 1]!);
  }

  /** The class of a state the walk ended in (-1, dead: class 0). */
  classOf(state: number): number {
    return state < 0 ? 0 : this.nodes[state * NODE + N_CLASS]!;
  }

  /** Whether nothing can match: one dead state. */
  get trivial(): boolean {
    return this.states === 1 && this.edges.length === 0 && this.nodes[N_OTHER] === -1 && this.nodes[N_RUN] === RUN_NONE;
  }

  /** The column of a (folded) character in the dense tables. */
  columnOf(char: number): number {
    return char < 128 ? this.asciiColumn[char]! : (this.wideColumn.get(char) ?? 0);
  }

  /** The run character of a state, or -1. */
  runOf(state: number): number {
    const run = this.nodes[state * NODE + N_RUN]!;
    return run <= RUN_AUX ? this.aux[AUX * (RUN_AUX - run) + A_RUN]! : run >= 0 ? run : -1;
  }

  /**
   * The state records of this automaton with every state from which no state of a class
   * `wanted` marks can be reached made a sink of class 0: walked with them, a string stops as
   * soon as nothing wanted can match any more. (Backward search over the transitions: edges, run
   * edge and other target, which hold every transition the dense and fan rows do.) Such a sink
   * keeps its edges, but every state they lead to is one too, so a walk that enters one by a run
   * step leaves it, if at all, into another and stops there: the answer is class 0 either way.
   */
  stoppingWhereNoneCan(wanted: (cls: number) => boolean): Int32Array {
    const { nodes, edges, states } = this;
    const successors = (s: number, visit: (t: number) => void) => {
      if (this.runOf(s) >= 0) visit(s + 1);
      for (let e = 2 * nodes[s * NODE + N_EDGES]!, end = 2 * nodes[(s + 1) * NODE + N_EDGES]!; e < end; e += 2) if (edges[e + 1]! >= 0) visit(edges[e + 1]!);
      const other = nodes[s * NODE + N_OTHER]!;
      if (other >= 0) visit(other);
    };
    // Predecessor lists, compressed: predecessors of t are before[start[t] .. start[t + 1]).
    const start = new Int32Array(states + 1);
    for (let s = 0; s < states; s++) successors(s, (t) => { start[t + 1]!++; });
    for (let t = 0; t < states; t++) start[t + 1]! += start[t]!;
    const before = new Int32Array(start[states]!);
    const filled = start.slice(0, states);
    for (let s = 0; s < states; s++) successors(s, (t) => { before[filled[t]!++] = s; });
    const live = new Uint8Array(states);
    const queue: number[] = [];
    for (let s = 0; s < states; s++) if (wanted(this.classOf(s))) { live[s] = 1; queue.push(s); }
    while (queue.length > 0) {
      const t = queue.pop()!;
      for (let i = start[t]!; i < start[t + 1]!; i++) {
        const s = before[i]!;
        if (live[s] === 0) { live[s] = 1; queue.push(s); }
      }
    }
    const stopping = nodes.slice();
    for (let s = 0; s < states; s++) {
      if (live[s] !== 0) continue;
      stopping[s * NODE + N_RUN] = RUN_SINK;
      stopping[s * NODE + N_CLASS] = 0;
    }
    return stopping;
  }

  /** The automaton as analysis tools read it: per state its edges (run edge included), other target and class. */
  toWire(): WireAutomaton {
    const edgeStart = [0];
    const edgeChar: number[] = [];
    const edgeTarget: number[] = [];
    const otherTarget: number[] = [];
    const stateClass: number[] = [];
    for (let s = 0; s < this.states; s++) {
      const run = this.runOf(s);
      let runDone = run < 0;
      for (let e = 2 * this.nodes[s * NODE + N_EDGES]!, end = 2 * this.nodes[(s + 1) * NODE + N_EDGES]!; e < end; e += 2) {
        if (!runDone && run < this.edges[e]!) {
          edgeChar.push(run);
          edgeTarget.push(s + 1);
          runDone = true;
        }
        edgeChar.push(this.edges[e]!);
        edgeTarget.push(this.edges[e + 1]!);
      }
      if (!runDone) {
        edgeChar.push(run);
        edgeTarget.push(s + 1);
      }
      edgeStart.push(edgeChar.length);
      otherTarget.push(this.nodes[s * NODE + N_OTHER]!);
      stateClass.push(this.nodes[s * NODE + N_CLASS]!);
    }
    return {
      edgeStart: int32Bytes(edgeStart), edgeChar: int32Bytes(edgeChar), edgeTarget: int32Bytes(edgeTarget),
      otherTarget: int32Bytes(otherTarget), stateClass: int32Bytes(stateClass),
    };
  }
}

/**
 * Why an automaton's records cannot be walked safely, or undefined: every index the walk can
 * follow is checked (orders are not: a list out of order only makes a loop run short). One pass
 * per table, through two loops shared by every table, so that they are compiled once.
 */
function automatonProblem(a: Automaton, classCount: number): string | undefined {
  const { nodes, aux, states } = a;
  // a run character, RUN_NONE, RUN_SINK, or an aux record; edges within `edges`; a target; a class
  if (recordOutOfRange(nodes, RUN_AUX - aux.length / AUX + 1, 0x10000, 0, a.edges.length / 2 + 1, -1, states, 0, classCount) >= 0) {
    return "automaton state out of range";
  }
  const skips = a.skip.length;
  if (outOfRange(aux, A_RUN, AUX, -1, 0x10000) >= 0 || outOfRange(aux, A_SKIP, AUX, -1, Math.max(0, skips - 2)) >= 0 || outOfRange(aux, A_FAN, AUX, -1, a.fanTable.length / a.width) >= 0) {
    return "automaton aux record out of range";
  }
  // a run leads to the next state: the last state has none
  if (a.runOf(states - 1) >= 0) return "automaton run out of range";
  return undefined;
}

/** Any int32: a field a lookup only compares. */
const ANY_LO = -0x80000000;
const ANY_HI = 0x80000000;

/** The index of the first record of 4 ints with a field outside its range [lo, hi), or -1. */
function recordOutOfRange(table: Int32Array, lo0: number, hi0: number, lo1: number, hi1: number, lo2: number, hi2: number, lo3: number, hi3: number): number {
  for (let i = 0; i + 3 < table.length; i += 4) {
    const a = table[i]!;
    const b = table[i + 1]!;
    const c = table[i + 2]!;
    const d = table[i + 3]!;
    if (a < lo0 || a >= hi0 || b < lo1 || b >= hi1 || c < lo2 || c >= hi2 || d < lo3 || d >= hi3) return i;
  }
  return -1;
}

/** The index of the first of table[from], table[from + step], ... outside [lo, hi), or -1. */
function outOfRange(table: Int32Array, from: number, step: number, lo: number, hi: number): number {
  for (let i = from; i < table.length; i += step) {
    const v = table[i]!;
    if (v < lo || v >= hi) return i;
  }
  return -1;
}

/**
 * One dimension of requests: a main automaton (literal and prefix patterns) and a wild one (the
 * few patterns with inner wildcards, and probes), walked together in one pass over the string.
 * `classify` leaves its answer in fields, so the hot path allocates nothing.
 */
class Dimension {
  private readonly main: Automaton;
  private readonly wild: Automaton;
  /** Per main class: bits, group (or -1). */
  private readonly mainFacts: Int32Array;
  /** Per wild class: bits, group, KMS key. */
  private readonly wildFacts: Int32Array;
  /** No wild patterns: the wild automaton need not be walked. */
  private readonly wildTrivial: boolean;
  readonly groupCount: number;
  // The last classification.
  mainClass = 0;
  bits = 0;
  group = 0;
  kms = 0;

  /** Whether ASCII letters compare case-insensitively (actions) or not (resources). */
  private readonly fold: boolean;
  /**
   * Literals one of which every string a wild statement pattern matches holds ([] when there is
   * no such pattern); undefined for no gate (always walk).
   */
  private readonly gate: readonly string[] | undefined;
  /**
   * Per main state: where the wild walk may start (depth, wild state), since every string whose
   * main walk passes through the state leads the wild walk there; empty: from the start.
   */
  private readonly resume: Int32Array;
  /**
   * The wild automaton's state records for a string the gate shuts out: no statement pattern
   * can match it, so the walk stops (class 0) once no probe (account, KMS key) can either.
   */
  private readonly shutNodes: Int32Array;

  constructor(p: WirePayload, name: DimensionName, groupCount: number, fold: boolean, learns: boolean) {
    const wire = p[name];
    check(typeof wire === "object" && wire !== null && wire.groupCount === groupCount, "dimension group count disagrees");
    this.fold = fold;
    this.groupCount = groupCount;
    this.mainFacts = p.tables[`${name}.mainFacts`];
    this.wildFacts = p.tables[`${name}.wildFacts`];
    check(this.mainFacts.length % 2 === 0 && this.mainFacts.length >= 2, "main class tables disagree in length");
    check(this.wildFacts.length % 3 === 0 && this.wildFacts.length >= 3, "wild class tables disagree in length");
    check(outOfRange(this.mainFacts, 1, 2, -1, groupCount) < 0 && outOfRange(this.wildFacts, 1, 3, 0, groupCount) < 0, "group out of range");
    check(outOfRange(this.wildFacts, 2, 3, 0, 2) < 0, "kms flag out of range");
    this.main = new Automaton(p.tables, name, "main", wire.mainWidth, this.mainFacts.length / 2);
    this.wild = new Automaton(p.tables, name, "wild", wire.wildWidth, this.wildFacts.length / 3);
    this.wildTrivial = this.wild.trivial;
    const gate = wire.gate;
    check(gate === undefined || (Array.isArray(gate) && gate.length <= WILD_GATE_MAX && gate.every((g) => typeof g === "string" && g !== "")), "the wild gate is malformed");
    // indexOf compares exactly: a gate in front of a case-folded dimension could shut on a match.
    check(gate === undefined || !fold, "a case-folded dimension has a wild gate");
    this.gate = gate?.map(flatCopy); // indexOf searches for them on every check
    this.resume = p.tables[`${name}.resume`];
    check(this.resume.length === 0 || this.resume.length === 2 * this.main.states, "the resume points disagree in length");
    check(outOfRange(this.resume, 0, 2, 0, ANY_HI) < 0 && outOfRange(this.resume, 1, 2, -1, this.wild.states) < 0, "a resume point is out of range");
    const wildFacts = this.wildFacts;
    this.shutNodes = gate === undefined ? this.wild.nodes : this.wild.stoppingWhereNoneCan((c) => wildFacts[3 * c + 1] !== 0 || wildFacts[3 * c + 2] !== 0);
    // The cached spellings, classified by the compiler.
    const spellings = wire.spellings;
    const facts = p.tables[`${name}.spellingFacts`];
    check(Array.isArray(spellings) && spellings.every((l) => typeof l === "string") && facts.length === 4 * spellings.length, "dimension spellings disagree with their classes");
    check(recordOutOfRange(facts, 0, this.mainClassCount, ANY_LO, ANY_HI, 0, groupCount, 0, 2) < 0, "spelling class out of range");
    this.spellingFacts = facts;
    spellings.forEach((spelling, i) => this.spellings.set(flatCopy(spelling), i));
    this.spellingCount = spellings.length;
    this.learns = learns;
  }

  /** Cached spelling -> index into spellingFacts (4 per spelling: main class, bits, group, kms). */
  private readonly spellings = new Map<string, number>();
  /** The compiler's spellings' facts (a view of the bundle); a copy with room for more once the dimension learns. */
  private spellingFacts: Int32Array;
  /** Spellings with facts: the compiler's, then those learned. */
  private spellingCount: number;
  /**
   * Whether walked spellings are cached as they come (actions: a gateway sees the same few
   * hundred action names again and again, in any case; resources are mostly new each time).
   */
  private readonly learns: boolean;

  get mainClassCount(): number {
    return this.mainFacts.length / 2;
  }

  /** The automata as analysis tools read them. */
  toWire(): { main: WireAutomaton; wild: WireAutomaton } {
    return { main: this.main.toWire(), wild: this.wild.toWire() };
  }

  /** Classifies `text`, leaving the answer in mainClass, bits, group and kms. */
  classify(text: string): void {
    const spelling = this.spellings.size === 0 ? undefined : this.spellings.get(text);
    if (spelling === undefined) {
      this.classifyByWalking(text);
      if (this.learns && this.spellingCount < SPELLINGS_MAX && text.length <= LEARNED_LENGTH_MAX) this.learn(text);
      return;
    }
    const facts = this.spellingFacts;
    this.mainClass = facts[4 * spelling]!;
    this.bits = facts[4 * spelling + 1]!;
    this.group = facts[4 * spelling + 2]!;
    this.kms = facts[4 * spelling + 3]!;
  }

  /**
   * Caches the last classification as `text`'s. The cache only grows, to SPELLINGS_MAX spellings
   * in all: what it holds then stays (a stream of made-up spellings cannot push out the real
   * ones, nor grow memory past ~SPELLINGS_MAX * LEARNED_LENGTH_MAX characters).
   */
  private learn(text: string): void {
    const i = this.spellingCount;
    if (4 * i + 4 > this.spellingFacts.length) {
      const grown = new Int32Array(Math.min(4 * SPELLINGS_MAX, Math.max(256, 2 * this.spellingFacts.length)));
      grown.set(this.spellingFacts);
      this.spellingFacts = grown;
    }
    const facts = this.spellingFacts;
    facts[4 * i] = this.mainClass;
    facts[4 * i + 1] = this.bits;
    facts[4 * i + 2] = this.group;
    facts[4 * i + 3] = this.kms;
    this.spellings.set(flatCopy(text), i); // a request's string may be a slice or a rope: keys compare fastest flat
    this.spellingCount = i + 1;
  }

  /** Classifies `text` by walking the automata, leaving the answer in mainClass, bits, group and kms. */
  private classifyByWalking(text: string): void {
    const fold = this.fold;
    const main = this.main;
    const m = walk(main, main.nodes, text, fold, 0, 0);
    const k = main.classOf(m);
    if (this.wildTrivial) return this.classifyClasses(k, 0);
    // The wild walk starts where the main walk's last state vouches for it (most often past
    // the ARN's literal prefix), not at the string's start.
    let from = 0;
    let start = 0;
    const resume = this.resume;
    if (resume.length !== 0) {
      const last = m >= 0 ? m : walkLast;
      from = resume[2 * last]!;
      start = resume[2 * last + 1]!;
    }
    const wild = this.wild;
    if (!this.gateShut(text)) return this.classifyClasses(k, start < 0 ? 0 : wild.classOf(walk(wild, wild.nodes, text, fold, start, from)));
    // No wild statement pattern matches: what is left to know is what the probes find. The
    // walk stops once no probe can match, most often in the state it starts in (tested here:
    // a call costs more than that test).
    const nodes = this.shutNodes;
    const w = start < 0 ? -1 : nodes[start * NODE + N_RUN] === RUN_SINK ? start : walk(wild, nodes, text, fold, start, from);
    return this.classifyClasses(k, w < 0 ? 0 : nodes[w * NODE + N_CLASS]!);
  }

  /** Whether `text` holds none of the gate's literals (WireDimension.gate): then no wild statement pattern matches it. */
  private gateShut(text: string): boolean {
    const gate = this.gate;
    if (gate === undefined) return false;
    for (let i = 0; i < gate.length; i++) if (text.indexOf(gate[i]!) >= 0) return false;
    return true;
  }

  /** Classifies the strings that end in main state `m` and wild state `w` (-1: dead). */
  classifyStates(m: number, w: number): void {
    this.classifyClasses(this.main.classOf(m), this.wild.classOf(w));
  }

  /** Classifies the strings of main class `k` and wild class `c`. */
  private classifyClasses(k: number, c: number): void {
    const main = this.mainFacts;
    const wild = this.wildFacts;
    this.mainClass = k;
    this.bits = main[2 * k]! | wild[3 * c]!;
    const g = main[2 * k + 1]!;
    this.group = g >= 0 ? g : wild[3 * c + 1]!;
    this.kms = wild[3 * c + 2]!;
  }
}

/** The state a walk that ended dead (-1) was in before the character it died on. */
let walkLast = 0;

/**
 * The state `text` ends in (-1: dead, the state before in walkLast), walking `a` with state
 * records `nodes` (its own, or Automaton.stoppingWhereNoneCan's) from state `start` at index
 * `from`. Stops early in a sink state, whose class cannot change, and skips over characters
 * that cannot move the state. Two flat loops over typed arrays (dense table; runs, fan rows and
 * short edge lists) so that V8 keeps everything in registers: this is the hot path.
 */
function walk(a: Automaton, nodes: Int32Array, text: string, fold: boolean, start: number, from: number): number {
  const aux = a.aux;
  // `| 0` (here and on `from`) tells V8 these are small integers: without it, a walk of the
  // main automaton from (0, 0) cost ~30 ns more (measured), as if the index were a double.
  let state = start | 0;
  if (nodes[state * NODE + N_RUN] === RUN_SINK) return state;
  const length = text.length;
  const dense = a.dense;
  const width = a.width;
  const ascii = a.asciiColumn;
  // Folding (actions) is a flag test per character that prediction gets right, with the folding
  // itself out of line: a resource walk costs ~8% less than through an inlined folding helper.
  if (dense !== undefined) {
    for (let i = from | 0; i < length; i++) {
      let char = text.charCodeAt(i);
      if (fold) char = foldChar(char);
      const run = nodes[state * NODE + N_RUN]!;
      if (run === char) {
        state++;
        continue; // as in the sparse loop below
      }
      if (run <= RUN_AUX) {
        const x = AUX * (RUN_AUX - run);
        const skip = aux[x + A_SKIP]!;
        if (skip >= 0) {
          // Only these characters leave the state: find the next one without stepping.
          i = skipTo(text, i, fold, a.skip, skip);
          if (i === length) return state;
          char = text.charCodeAt(i);
          if (fold) char = foldChar(char);
        }
      }
      const next = dense[state * width + (char < 128 ? ascii[char]! : a.columnOf(char))]!;
      if (next < 0 || nodes[next * NODE + N_RUN] === RUN_SINK) {
        if (next < 0) walkLast = state;
        return next;
      }
      state = next;
    }
    return state;
  }
  const edges = a.edges;
  const fanTable = a.fanTable;
  for (let i = from | 0; i < length; i++) {
    let char = text.charCodeAt(i);
    if (fold) char = foldChar(char);
    const at = state * NODE;
    const run = nodes[at + N_RUN]!;
    if (run === char) {
      state++;
      continue; // a sink reached this way leads only to sinks, and is caught at the next step
    }
    let row = -1;
    if (run <= RUN_AUX) {
      const x = AUX * (RUN_AUX - run);
      const skip = aux[x + A_SKIP]!;
      if (skip >= 0) {
        i = skipTo(text, i, fold, a.skip, skip);
        if (i === length) return state;
        char = text.charCodeAt(i);
        if (fold) char = foldChar(char);
        // `edges` leaves out the run edge
        if (aux[x + A_RUN] === char) {
          state++;
          continue;
        }
      }
      row = aux[x + A_FAN]!;
    }
    let next: number;
    if (row >= 0) {
      next = fanTable[row * width + (char < 128 ? ascii[char]! : a.columnOf(char))]!;
    } else {
      // A few edges: scan them.
      next = nodes[at + N_OTHER]!;
      for (let e = 2 * nodes[at + N_EDGES]!, end = 2 * nodes[at + NODE + N_EDGES]!; e < end; e += 2) {
        if (edges[e] === char) {
          next = edges[e + 1]!;
          break;
        }
      }
    }
    if (next < 0 || nodes[next * NODE + N_RUN] === RUN_SINK) {
      if (next < 0) walkLast = state;
      return next;
    }
    state = next;
  }
  return state;
}

/** The index of the next of the three characters skips[at..at+3) from `from` on, or the length. */
function skipTo(text: string, from: number, fold: boolean, skips: Int32Array, at: number): number {
  const c0 = skips[at]!;
  const c1 = skips[at + 1]!;
  const c2 = skips[at + 2]!;
  const length = text.length;
  let i = from;
  for (; i < length; i++) {
    let char = text.charCodeAt(i);
    if (fold) char = foldChar(char);
    if (char === c0 || char === c1 || char === c2) break;
  }
  return i;
}

/** A character folded as the compiler folds actions: ASCII letters to lower case, others by toLowerCase. */
function foldChar(char: number): number {
  return char >= 65 && char <= 90 ? char + 32 : char < 128 ? char : String.fromCharCode(char).toLowerCase().charCodeAt(0);
}

/** Sparse maps from a dimension's classes to ids (runtime/pair-table.ts), read in place. */
class SparseMaps {
  readonly head: Int32Array;
  readonly slots: Int32Array;

  constructor(tables: PayloadTables, name: "classActions" | "rows", mainClasses: number, valueCount: number) {
    this.head = tables[`${name}.head`];
    this.slots = tables[`${name}.slots`];
    const problem = sparseProblem(this.head, this.slots);
    check(problem === undefined, problem ?? "");
    // a main class (EMPTY_MAIN in a free slot, -1 in defaults), compared bits and group, a value (-1 in a free slot)
    check(recordOutOfRange(this.slots, -2, mainClasses, ANY_LO, ANY_HI, ANY_LO, ANY_HI, -1, valueCount) < 0, "sparse map entry out of range");
  }

  get size(): number {
    return this.head.length / MAP_HEAD;
  }

  /** As `get`, for a classification given as numbers (analysis tools; the hot path uses `get`). */
  getFor(m: number, mainClass: number, dimensionBits: number, dimensionGroup: number): number {
    return sparseGet(this.head, this.slots, m, mainClass, dimensionBits, dimensionGroup);
  }

  /** The value of map `m` for the dimension's last classification, or -1. */
  get(m: number, d: Dimension): number {
    return sparseGet(this.head, this.slots, m, d.mainClass, d.bits, d.group);
  }
}

/** The request as the open conditions see it. One instance per table, reset per evaluation. */
class RequestEnv implements ConditionEnv {
  request: Request = { principal: null, action: "", resource: "" };
  facts: readonly (readonly [string, unknown])[] = [];
  outsider = false;
  resourceAccount: string | undefined = undefined;
  private lowered: Map<string, ContextValue> | undefined;

  reset(request: Request, facts: readonly (readonly [string, unknown])[], outsider: boolean, resourceAccount: string | undefined): void {
    this.request = request;
    this.facts = facts;
    this.outsider = outsider;
    this.resourceAccount = resourceAccount;
    this.lowered = undefined;
  }

  get(key: string): ContextValue | undefined {
    if (key === RESOURCE_KEY) return this.request.resource;
    if (key === "aws:resourceaccount" && this.resourceAccount !== undefined) return this.resourceAccount;
    for (const [factKey, value] of this.facts) {
      if (factKey === key) return value === null ? undefined : (value as ContextValue);
    }
    const fromContext = this.context().get(key);
    if (fromContext !== undefined || !this.outsider) return fromContext;
    // An outside caller's own keys, when the request leaves them out, come from its ARN.
    const principal = this.request.principal;
    if (typeof principal !== "string") return undefined;
    if (key === "aws:principalarn") return principal;
    if (key === "aws:principalaccount") return accountOfArn(principal);
    if (key === "aws:username") return userNameOfArn(principal);
    return undefined;
  }

  private context(): Map<string, ContextValue> {
    if (this.lowered === undefined) {
      this.lowered = new Map();
      const context = this.request.context;
      if (typeof context === "object" && context !== null) {
        for (const key of Object.keys(context)) {
          const value = context[key];
          if (value !== null && value !== undefined) this.lowered.set(key.toLowerCase(), value);
        }
      }
    }
    return this.lowered;
  }
}

/** The account field of an ARN, when the string is one and the field is not empty. */
function accountOfArn(arn: string): string | undefined {
  if (!arn.startsWith("arn:")) return undefined;
  let colons = 0;
  let start = -1;
  for (let i = 0; i < arn.length; i++) {
    if (arn.charCodeAt(i) !== 58) continue;
    colons++;
    if (colons === 4) start = i + 1;
    if (colons === 5) return i > start ? arn.slice(start, i) : undefined;
  }
  return undefined;
}

function userNameOfArn(arn: string): string | undefined {
  const match = /^arn:[^:]+:iam::[^:]*:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  return match?.[1];
}

/** The leaves: per leaf one record of LEAF ints (wire.ts), a check's one cache line; then the statement lists. */
interface LeafTables {
  /** LEAF per leaf and a sentinel: deny bits, allow bits, first open entry, first matched statement. */
  readonly record: Int32Array;
  /** OPEN per open entry: statement, slot, 1 for a deny, predicate. */
  readonly open: Int32Array;
  readonly matched: Int32Array;
}

/**
 * The number of leaves, or -1 when the leaf tables cannot be read safely: each leaf's lists within
 * their tables, statement, slot and predicate ids in range.
 */
function leafProblem(leaves: LeafTables, statements: number, predicates: number): number {
  const { record, open, matched } = leaves;
  if (record.length % LEAF !== 0 || record.length < LEAF || open.length % OPEN !== 0) return -1;
  if (recordOutOfRange(record, ANY_LO, ANY_HI, ANY_LO, ANY_HI, 0, open.length / OPEN + 1, 0, matched.length + 1) >= 0) return -1;
  if (recordOutOfRange(open, 0, statements, 0, 31, ANY_LO, ANY_HI, 0, predicates) >= 0 || outOfRange(matched, 0, 1, 0, statements) >= 0) return -1;
  return record.length / LEAF - 1;
}

/** The statements' provenance, decoded from the cold part on first use (explain and analysis only). */
interface Provenance {
  readonly policy: readonly string[];
  readonly sid: readonly (string | null)[];
  readonly layer: readonly string[];
  readonly index: Int32Array;
  readonly deny: Int32Array;
  readonly text: Uint8Array;
}

class Table implements Authorizer {
  private readonly actions: Dimension;
  private readonly resources: Dimension;
  private readonly groupCount: number;
  private readonly accounts: readonly string[];
  private readonly principals = new Map<string, number>();
  private readonly outsiderAccounts = new Map<string, number>();
  private readonly stranger: number;
  private readonly anonymous: number;
  /** cloudalus: the class of an adoption the bundle does not list; -1 when requests cannot adopt. */
  private readonly refused: number;
  private readonly classNames: readonly string[];
  private readonly classKind: Int32Array;
  private readonly classFacts: readonly (readonly (readonly [string, unknown])[])[];
  private readonly classActions: SparseMaps;
  private readonly rows: SparseMaps;
  private readonly leaves: LeafTables;
  private readonly termStart: Int32Array;
  private readonly termBits: Int32Array;
  private readonly kinds: BundlePayload["kinds"];
  private readonly predicates: readonly Predicate[];
  private readonly predicateWires: BundlePayload["predicates"];
  private readonly statementCount: number;
  /** The cold part: decoded when explain first needs it (or given, when the payload was decoded whole). */
  private coldBytes: Uint8Array | undefined;
  private coldPart: ColdPayload | undefined;
  private provenanceTables: Provenance | undefined;
  private nearMissTables: { classActions: MapEntries; rows: MapEntries; texts: readonly WireStatementSource[] } | undefined;
  private readonly slots: readonly string[];
  private readonly env = new RequestEnv();
  readonly info: Authorizer["info"];

  constructor(p: WirePayload, cold?: ColdPayload, learnSpellings = true) {
    const t = p.tables;
    this.groupCount = p.groupCount;
    this.accounts = p.accounts;
    check(Number.isInteger(this.groupCount) && Array.isArray(this.accounts) && this.groupCount === this.accounts.length + 2, "group count disagrees with accounts");
    this.actions = new Dimension(p, "actions", 1, true, learnSpellings);
    this.resources = new Dimension(p, "resources", this.groupCount, false, false);

    this.classNames = p.classes.names;
    this.classKind = t.classKind;
    this.classFacts = p.classes.facts;
    const classCount = this.classNames.length;
    check(this.classKind.length === classCount && this.classFacts.length === classCount, "class tables disagree in length");
    const principalClass = t.principalClass;
    check(principalClass.length === p.principals.length, "principal tables disagree in length");
    check(outOfRange(principalClass, 0, 1, 0, classCount) < 0, "an index is out of range");
    p.principals.forEach((id, i) => this.principals.set(flatCopy(id), principalClass[i]!));
    const outsiderClass = t.outsiderAccountClass;
    check(outsiderClass.length === p.outsiderAccounts.length, "outsider tables disagree in length");
    check(outOfRange(outsiderClass, 0, 1, 0, classCount) < 0, "an index is out of range");
    p.outsiderAccounts.forEach((id, i) => this.outsiderAccounts.set(flatCopy(id), outsiderClass[i]!));
    this.stranger = inRange(p.stranger, classCount);
    this.anonymous = inRange(p.anonymous, classCount);
    this.refused = p.refused === -1 ? -1 : inRange(p.refused, classCount);

    this.predicates = p.predicates.map((wires) => {
      const predicate = compileConditions(wires);
      if (predicate === undefined) throw new BundleError("IAMC5005", "the bundle holds a condition this runtime cannot read");
      return predicate;
    });
    this.predicateWires = p.predicates;
    const statements = p.statements;
    this.statementCount = statements;
    this.leaves = { record: t["leaves.record"], open: t["leaves.open"], matched: t["leaves.matched"] };
    const leafCount = leafProblem(this.leaves, statements, this.predicates.length);
    check(leafCount >= 0, "leaf tables disagree with each other or out of range");
    this.rows = new SparseMaps(t, "rows", this.resources.mainClassCount, leafCount);
    this.classActions = new SparseMaps(t, "classActions", this.actions.mainClassCount, this.rows.size);
    check(this.classActions.size === classCount, "class action maps disagree with classes");

    this.termStart = t.termStart;
    this.termBits = t.termBits;
    this.kinds = p.kinds;
    check(Array.isArray(this.kinds) && this.termStart.length === this.kinds.length * this.groupCount * 2 + 1, "term tables disagree in length");
    check(outOfRange(this.termStart, 0, 1, 0, this.termBits.length + 1) < 0, "term tables out of range");
    check(outOfRange(this.classKind, 0, 1, 0, this.kinds.length) < 0, "an index is out of range");
    this.slots = p.slots;
    check(Array.isArray(this.slots), "the verdict slots are missing");
    this.coldBytes = p.cold;
    this.coldPart = cold;
    const build = p.build;
    if (build !== undefined) check(Number.isSafeInteger(build.revision) && build.revision >= 0 && typeof build.createdAt === "string", "the build record is malformed");
    this.info = { compiler: p.compiler, sources: p.sources, classes: classCount, leaves: leafCount, ...(build === undefined ? {} : { build: { revision: build.revision, createdAt: build.createdAt } }) };
  }

  /**
   * Whether the bytes the tables view were detached since the load (transferred to a worker,
   * say): then every table reads as empty, the leaves' too, which never is otherwise (it ends in
   * a sentinel). Check and explain deny rather than read what is left. (A length, not the bytes'
   * byteLength: that read cost ~20 ns a check, this one nothing measurable.)
   */
  private get detached(): boolean {
    return this.leaves.record.length === 0;
  }

  /** The cold part of the payload (statement provenance and texts, literals), decoded once. */
  private cold(): ColdPayload {
    if (this.coldPart === undefined) {
      this.coldPart = decodeCold(this.coldBytes!, this.statementCount);
      this.coldBytes = undefined;
    }
    return this.coldPart;
  }

  private get provenance(): Provenance {
    if (this.provenanceTables === undefined) {
      const p = this.cold().provenance;
      this.provenanceTables = { policy: p.policy, sid: p.sid, layer: p.layer, index: bytesInt32(p.index), deny: bytesInt32(p.deny), text: p.text };
    }
    return this.provenanceTables;
  }

  check(request: Request): Decision {
    try {
      if (this.detached || typeof request !== "object" || request === null) return IMPLICIT_DENY;
      const cls = this.classOf(request);
      const { action, resource } = request;
      if (cls < 0 || typeof action !== "string" || typeof resource !== "string") return IMPLICIT_DENY;
      const leaf = this.leafOf(cls, action, resource);
      if (leaf < 0) return IMPLICIT_DENY;
      const leaves = this.leaves;
      const record = leaves.record;
      const r = leaf * LEAF;
      if (record[r + L_DENY] !== 0) return EXPLICIT_DENY;
      let allow = record[r + L_ALLOW]!;
      const openFrom = record[r + L_OPEN]!;
      const openTo = record[r + LEAF + L_OPEN]!;
      if (openFrom !== openTo) {
        const env = this.prepareEnv(request, cls);
        for (let i = openFrom; i < openTo; i++) {
          const at = i * OPEN;
          if (!this.predicates[leaves.open[at + 3]!]!(env)) continue;
          if (leaves.open[at + 2] === 1) return EXPLICIT_DENY;
          allow |= 1 << leaves.open[at + 1]!;
        }
      }
      return this.allows(cls, allow) ? ALLOW : IMPLICIT_DENY;
    } catch {
      return IMPLICIT_DENY;
    }
  }

  explain(request: Request): Explanation {
    try {
      return this.explainUnsafe(request);
    } catch (error) {
      return { decision: IMPLICIT_DENY, principalClass: "", statements: [], layers: [], unmet: [], nearMisses: [], reason: `the request could not be evaluated and is denied: ${(error as Error).message}` };
    }
  }

  private explainUnsafe(request: Request): Explanation {
    const denied = (reason: string): Explanation => ({ decision: IMPLICIT_DENY, principalClass: "", statements: [], layers: [], unmet: [], nearMisses: [], reason });
    if (this.detached) return denied("the bundle's bytes were detached (transferred) after it was loaded: load it again from bytes of its own");
    if (typeof request !== "object" || request === null) return denied("the request is not an object");
    const cls = this.classOf(request);
    if (cls < 0) return denied("the principal must be a string or null");
    if (typeof request.action !== "string" || typeof request.resource !== "string") return denied("the action and resource must be strings");
    const leaf = this.leafOf(cls, request.action, request.resource);
    if (leaf < 0) return denied("the bundle has no entry for this request");
    const leaves = this.leaves;
    const statements: DecidingStatement[] = [];
    let allow = leaves.record[leaf * LEAF + L_ALLOW]!;
    let deny = leaves.record[leaf * LEAF + L_DENY]!;
    for (let i = leaves.record[leaf * LEAF + L_MATCHED]!; i < leaves.record[(leaf + 1) * LEAF + L_MATCHED]!; i++) statements.push(this.statement(leaves.matched[i]!, false));
    const unmet: UnmetCondition[] = [];
    if (deny === 0) {
      const env = this.prepareEnv(request, cls);
      for (let i = leaves.record[leaf * LEAF + L_OPEN]!; i < leaves.record[(leaf + 1) * LEAF + L_OPEN]!; i++) {
        const at = i * OPEN;
        if (!this.predicates[leaves.open[at + 3]!]!(env)) {
          const failed = this.firstFailing(leaves.open[at + 3]!, env);
          if (failed !== undefined) unmet.push({ statement: this.statement(leaves.open[at]!, true), ...failed });
          continue;
        }
        statements.push(this.statement(leaves.open[at]!, true));
        if (leaves.open[at + 2] === 1) deny |= 1 << leaves.open[at + 1]!;
        else allow |= 1 << leaves.open[at + 1]!;
      }
    }
    const decision: Decision = deny !== 0 ? EXPLICIT_DENY : this.allows(cls, allow) ? ALLOW : IMPLICIT_DENY;
    const terms = this.termsOf(cls);
    let required = terms.length > 0 ? -1 : 0;
    let anyTerm = 0;
    for (const t of terms) { required &= t; anyTerm |= t; }
    const layers = new Map<string, LayerVerdict>();
    for (let slot = 0; slot < this.slots.length; slot++) {
      const bit = 1 << slot;
      if (((allow | deny | anyTerm) & bit) === 0) continue;
      const layer = this.slots[slot]!;
      const previous = layers.get(layer);
      const verdict = (deny & bit) !== 0 || previous?.verdict === "Deny" ? "Deny" : (allow & bit) !== 0 || previous?.verdict === "Allow" ? "Allow" : "None";
      layers.set(layer, { layer, verdict, required: (previous?.required ?? false) || (required & bit) !== 0 });
    }
    const shown = decision === ALLOW ? statements.filter((s) => s.effect === "Allow") : decision === EXPLICIT_DENY ? statements.filter((s) => s.effect === "Deny") : statements;
    return {
      decision,
      principalClass: this.classNames[cls]!,
      statements: shown,
      layers: [...layers.values()],
      unmet,
      nearMisses: decision === IMPLICIT_DENY ? this.nearMisses(cls, leaf, request, unmet) : [],
      reason: this.reason(decision, shown, terms, allow),
    };
  }

  private reason(decision: Decision, statements: readonly DecidingStatement[], terms: Int32Array, allow: number): string {
    const name = (s: DecidingStatement) => `${s.policy}${s.sid === undefined ? `#${s.index}` : `/${s.sid}`} (${s.layer})`;
    if (decision === EXPLICIT_DENY) return `explicitly denied by ${statements.map(name).join(", ")}`;
    if (decision === ALLOW) return `allowed by ${statements.map(name).join(", ")}`;
    if (terms.length === 0) return "no policy can allow this caller";
    // The way to an Allow that lacks the fewest layers.
    let best = terms[0]!;
    for (const t of terms) if (popcount(t & ~allow) < popcount(best & ~allow)) best = t;
    const missing = new Set<string>();
    for (let slot = 0; slot < this.slots.length; slot++) if ((best & ~allow & (1 << slot)) !== 0) missing.add(this.slots[slot]!);
    return `implicitly denied: no statement in ${[...missing].join(", ")} allows it`;
  }

  /**
   * Allow statements that almost applied: those in the leaves of this caller's row for the
   * request's action (they matched the action, so they missed the resource) and those in the
   * leaves other rows of the caller give the request's resource (they missed the action). The
   * tables answer "which statements match" exactly; the statement texts only say what they wanted.
   */
  private nearMisses(cls: number, leaf: number, request: Request, unmet: readonly UnmetCondition[]): NearMiss[] {
    const tables = (this.nearMissTables ??= {
      classActions: mapEntries(this.classActions),
      rows: mapEntries(this.rows),
      texts: decodeStatementSources(this.provenance.text, this.statementCount),
    });
    const leaves = this.leaves;
    const statementsOf = (l: number, into: Set<number>) => {
      for (let i = leaves.record[l * LEAF + L_MATCHED]!; i < leaves.record[(l + 1) * LEAF + L_MATCHED]!; i++) into.add(leaves.matched[i]!);
      for (let i = leaves.record[l * LEAF + L_OPEN]!; i < leaves.record[(l + 1) * LEAF + L_OPEN]!; i++) into.add(leaves.open[OPEN * i]!);
    };
    const applied = new Set<number>();
    statementsOf(leaf, applied);
    for (const u of unmet) applied.add(this.statementIds(u.statement));
    // The request's resource is still classified in this.resources (leafOf ran last).
    const resourceMatched = new Set<number>();
    const ownRow = this.classActions.get(cls, this.actions);
    for (const row of tables.classActions.valuesOf(cls)) {
      if (row === ownRow) continue;
      const l = this.rows.get(row, this.resources);
      if (l >= 0) statementsOf(l, resourceMatched);
    }
    const actionMatched = new Set<number>();
    if (ownRow >= 0) for (const l of tables.rows.valuesOf(ownRow)) statementsOf(l, actionMatched);
    const provenance = this.provenance;
    const misses: NearMiss[] = [];
    // A statement held through several paths (a role of the user's and of its group) is one miss.
    const reported = new Set<string>();
    const add = (ids: Set<number>, missed: NearMiss["missed"], seen: string) => {
      for (const id of ids) {
        const statementKey = `${provenance.policy[id]}\u0000${provenance.index[id]}`;
        if (applied.has(id) || provenance.deny[id] === 1 || reported.has(statementKey)) continue;
        reported.add(statementKey); // once: as missing the resource when it matched the action
        const text = tables.texts[id];
        if (text === undefined) continue;
        const [patterns, negated] = missed === "action" ? [text[0], text[1]] : [text[2], text[3]];
        misses.push({ statement: this.statement(id, false), missed, wanted: patterns.map((p) => (negated ? `not ${p}` : p)), seen });
      }
    };
    add(actionMatched, "resource", request.resource);
    add(resourceMatched, "action", request.action);
    // Nearest first: the pattern sharing the longest start with what the request said.
    const closeness = (m: NearMiss) => Math.max(0, ...m.wanted.map((w) => sharedPrefix(w, m.seen, m.missed === "action")));
    return misses.sort((a, b) => closeness(b) - closeness(a)).slice(0, NEAR_MISSES);
  }

  /** The provenance id of a statement as explain reports it. */
  private statementIds(s: DecidingStatement): number {
    const provenance = this.provenance;
    for (let id = 0; id < provenance.policy.length; id++) {
      if (provenance.policy[id] === s.policy && provenance.index[id] === s.index && provenance.layer[id] === s.layer) return id;
    }
    return -1;
  }

  /** The first condition of a predicate that fails for this request, as written, with the value it saw. */
  private firstFailing(predicate: number, env: RequestEnv): Omit<UnmetCondition, "statement"> | undefined {
    for (const wire of this.predicateWires[predicate] ?? []) {
      const holds = compileConditions([wire]);
      if (holds === undefined || holds(env)) continue;
      const text = (t: WireCondition["vals"][number]) =>
        t.map((p) => (p[0] === "v" ? (p.length === 3 ? `\${${p[1]}, '${p[2]}'}` : `\${${p[1]}}`) : p[1])).join("");
      if (wire.key === RESOURCE_KEY) {
        return { operator: wire.op === "StringLike" ? "Resource" : "NotResource", key: "resource", values: wire.vals.map(text), seen: env.request.resource };
      }
      const operator = `${wire.q === "any" ? "ForAnyValue:" : wire.q === "all" ? "ForAllValues:" : ""}${wire.op}${wire.ie ? "IfExists" : ""}`;
      return { operator, key: wire.key, values: wire.vals.map(text), seen: env.get(wire.key.toLowerCase()) };
    }
    return undefined;
  }

  private statement(id: number, conditional: boolean): DecidingStatement {
    const provenance = this.provenance;
    const sid = provenance.sid[id];
    return {
      policy: provenance.policy[id]!,
      ...(sid === null || sid === undefined ? {} : { sid }),
      index: provenance.index[id]!,
      effect: provenance.deny[id] === 1 ? "Deny" : "Allow",
      layer: provenance.layer[id]!,
      conditional,
    };
  }

  /** The table's structure, read-only, for analysis tools. */
  inspect(payload: BundlePayload): TableInspector {
    const leaves = this.leaves;
    let rowEntries: MapEntries | undefined;
    // The automata in the analysis tools' form, rebuilt from the runtime's on first use.
    const dimensionOf = (d: Dimension, wire: WireDimension): InspectedDimension => {
      let automata: { main: WireAutomaton; wild: WireAutomaton } | undefined;
      return {
        get main() {
          return (automata ??= d.toWire()).main;
        },
        get wild() {
          return (automata ??= d.toWire()).wild;
        },
        literals: wire.literals,
        classify: (mainState, wildState) => {
          d.classifyStates(mainState, wildState);
          return { mainClass: d.mainClass, bits: d.bits, group: d.group, kms: d.kms };
        },
      };
    };
    return {
      payload,
      classCount: this.classNames.length,
      className: (cls) => this.classNames[cls]!,
      classOf: (request) => this.classOf(request as Request),
      actions: dimensionOf(this.actions, payload.actions),
      resources: dimensionOf(this.resources, payload.resources),
      rowOf: (cls, a) => this.classActions.getFor(cls, a.mainClass, a.bits, a.group),
      leafOf: (row, r) => this.rows.getFor(row, r.mainClass, r.bits, r.group),
      explicitMains: (row) => (rowEntries ??= mapEntries(this.rows)).mainsOf(row),
      leaf: (leaf) => {
        const r = leaf * LEAF;
        const open: InspectedLeaf["open"][number][] = [];
        for (let i = leaves.record[r + L_OPEN]!; i < leaves.record[r + LEAF + L_OPEN]!; i++) {
          const at = OPEN * i;
          open.push({ statement: leaves.open[at]!, slot: leaves.open[at + 1]!, deny: leaves.open[at + 2] === 1, predicate: leaves.open[at + 3]! });
        }
        return {
          allow: leaves.record[r + L_ALLOW]!,
          deny: leaves.record[r + L_DENY]!,
          open,
          matched: [...leaves.matched.subarray(leaves.record[r + L_MATCHED]!, leaves.record[r + LEAF + L_MATCHED]!)],
        };
      },
      allows: (cls, r, allow) => {
        const i = (this.classKind[cls]! * this.groupCount + r.group) * 2 + r.kms;
        for (let t = this.termStart[i]!; t < this.termStart[i + 1]!; t++) if ((allow & this.termBits[t]!) === this.termBits[t]!) return true;
        return false;
      },
      statement: (id) => this.statement(id, false),
      predicate: (id) => this.predicateWires[id]!,
      facts: (cls) => this.classFacts[cls]!,
    };
  }

  /** The caller's class, or -1 when the principal is not a string or null. */
  private classOf(request: Request): number {
    const principal: unknown = request.principal;
    if (this.refused >= 0) {
      // cloudalus: who the caller is depends on the identity it adopts and the trusts it names.
      // No identity and no (or an empty) via is the caller acting as itself.
      const { identity, via } = request as { identity?: unknown; via?: unknown };
      const viaEmpty = via === undefined || (Array.isArray(via) && via.length === 0);
      if (identity !== undefined || !viaEmpty) {
        if (typeof principal !== "string" || (identity !== undefined && typeof identity !== "string")) return this.refused;
        if (via !== undefined && !(Array.isArray(via) && via.every((v) => typeof v === "string"))) return this.refused;
        return this.principals.get(adoptionKey(principal, identity as string | undefined, via as string[] | undefined)) ?? this.refused;
      }
    }
    if (principal === null) return this.anonymous;
    if (typeof principal !== "string") return -1;
    const cls = this.principals.get(principal);
    if (cls !== undefined) return cls;
    const account = accountOfArn(principal);
    return (account === undefined ? undefined : this.outsiderAccounts.get(account)) ?? this.stranger;
  }

  /** The leaf for a request; leaves the resource's classification in `this.resources`. */
  private leafOf(cls: number, action: string, resource: string): number {
    this.actions.classify(action);
    const row = this.classActions.get(cls, this.actions);
    if (row < 0) return -1;
    this.resources.classify(resource);
    return this.rows.get(row, this.resources);
  }

  /** Where the combination terms of this caller and the last classified resource start and end. */
  private termIndex(cls: number): number {
    return (this.classKind[cls]! * this.groupCount + this.resources.group) * 2 + this.resources.kms;
  }

  private termsOf(cls: number): Int32Array {
    const i = this.termIndex(cls);
    return this.termBits.subarray(this.termStart[i]!, this.termStart[i + 1]!);
  }

  private allows(cls: number, allow: number): boolean {
    const i = this.termIndex(cls);
    const bits = this.termBits;
    for (let t = this.termStart[i]!; t < this.termStart[i + 1]!; t++) {
      const term = bits[t]!;
      if ((allow & term) === term) return true;
    }
    return false;
  }

  private prepareEnv(request: Request, cls: number): RequestEnv {
    const group = this.resources.group;
    const resourceAccount = group >= 2 ? this.accounts[group - 2] : group === 1 ? accountOfArn(request.resource) : undefined;
    this.env.reset(request, this.classFacts[cls]!, this.kinds[this.classKind[cls]!]!.outsider, resourceAccount);
    return this.env;
  }
}

/**
 * A copy of `text` in one flat piece, for the keys of the Maps every check looks up. msgpackr
 * decodes a payload's ASCII strings as slices of one long string, and V8 compares such a slice
 * with a request's string on a slow path: a principal lookup took 52 ns with the decoded key and
 * 16 ns with a copy (Node 20). Copying costs ~0.4 µs a key, once, at load. Not strings (a
 * malformed payload) and very long ones are left as they are.
 */
function flatCopy<T>(text: T): T {
  if (typeof text !== "string" || text.length > 4096) return text;
  const codes = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return String.fromCharCode(...codes) as T;
}

/** How many near misses explain lists. */
const NEAR_MISSES = 5;

/** The values of each sparse map, for walking a map's entries (the hash table only answers lookups). */
interface MapEntries {
  valuesOf(m: number): readonly number[];
  /** The main classes map m has explicit entries for. */
  mainsOf(m: number): readonly number[];
}

function mapEntries(maps: SparseMaps): MapEntries {
  return {
    valuesOf: (m) => [...new Set(sparseEntries(maps.head, maps.slots, m).map((e) => e[3]))],
    mainsOf: (m) => [...new Set(sparseEntries(maps.head, maps.slots, m).filter((e) => e[0] >= 0).map((e) => e[0]))],
  };
}

function sharedPrefix(pattern: string, seen: string, ignoreCase: boolean): number {
  const a = ignoreCase ? pattern.toLowerCase() : pattern;
  const b = ignoreCase ? seen.toLowerCase() : seen;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i] && a[i] !== "*" && a[i] !== "?") i++;
  return i;
}

function popcount(n: number): number {
  let count = 0;
  for (let v = n >>> 0; v !== 0; v &= v - 1) count++;
  return count;
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new BundleError("IAMC5005", `the bundle payload is malformed: ${message}`);
}

function inRange(value: number, count: number): number {
  check(Number.isInteger(value) && value >= 0 && value < count, "an index is out of range");
  return value;
}
