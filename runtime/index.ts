// The iamc runtime: load a `.iamc` bundle, answer checks. Engine-neutral (no node: imports),
// depends on nothing but msgpackr, never imports the compiler.
//
// A check is: caller -> class (one Map lookup), action -> action class (an automaton walk),
// resource -> resource class (an automaton walk), (class, action class) -> row and
// (row, resource class) -> leaf (two hash lookups), then a few integer operations. Nothing in it
// depends on how many policies, statements or principals the bundle was compiled from.
import {
  bytesInt32, decodeBundle, decodeStatementSources,
  type BundlePayload, type BundleVerifier, type Sha256, type WireAutomaton, type WireDimension, type WireSparseMaps, type WireStatementSource,
} from "./format.js";
import { BundleError } from "./errors.js";
import { compileConditions, type ConditionEnv, type ContextValue, type Predicate } from "./conditions.js";
import { KeyTable } from "./pair-table.js";
import { GROUP_BLIND, RESOURCE_KEY, adoptionKey, type WireCondition } from "./wire.js";

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
}

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

/** Loads a bundle for analysis: its decoded payload and the table's structure. */
export function inspectBundle(bytes: Uint8Array, options: LoadOptions = {}): TableInspector {
  const payload = decodeBundle(bytes, options.sha256, options.verify);
  return tableOf(payload).inspect(payload);
}

function tableOf(payload: BundlePayload): Table {
  try {
    return new Table(payload);
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw new BundleError("IAMC5005", `the bundle payload is malformed: ${(error as Error).message}`);
  }
}

/** Loads bundle bytes. Throws BundleError (with a stable `code`) when they are not a valid bundle. */
export function loadBundle(bytes: Uint8Array, options: LoadOptions = {}): Authorizer {
  return tableOf(decodeBundle(bytes, options.sha256, options.verify));
}

// An automaton at run time: one record of NODE ints per state, so that a step touches one
// cache line per state (a bundle's struct-of-arrays tables would touch six), and its edges as
// interleaved (character, target) pairs.
const NODE = 8;
/** First edge and end of the state's edges, in pairs of `edges`. */
const N_EDGES = 0;
const N_EDGES_END = 1;
/** The target for characters no edge names (-1: dead). */
const N_OTHER = 2;
/**
 * The character of the state's first edge when that edge leads to the next state, else -1. The
 * compiler numbers trie states in preorder, so a chain of one-child states (most of a trie of
 * ARNs) is a run of consecutive records, walked by one sequential load and compare per character.
 */
const N_RUN = 3;
/** The state's dense row in fanTable (states with many edges), or -1. */
const N_FAN = 4;
const N_CLASS = 5;
/** 1 for a sink: no edge, and every character stays. Once there the class cannot change. */
const N_SINK = 6;
/**
 * When at most three characters leave the state and every other one stays: the index of those
 * three (padded with -1) in `skip`; else -1. The walk then finds the next such character without
 * stepping: the `*`s of `arn:aws:*:::*\/secret/*` wait for a `:` or a `/` this way.
 */
const N_SKIP = 7;

/** Automata up to this many table cells get a dense transition table. */
const DENSE_CELLS = 1 << 16;
/** In a large automaton, states with at least this many edges get a dense row; the rest are scanned. */
const FAN_EDGES = 5;

/** A flat automaton; stepping it never allocates. */
class Automaton {
  readonly states: number;
  readonly classCount: number;
  readonly nodes: Int32Array;
  readonly edges: Int32Array;
  /**
   * For small automata, a dense table over a compressed alphabet: dense[state * width + column],
   * column 0 for characters no edge names. One load per character instead of a search.
   */
  readonly dense: Int32Array | undefined;
  readonly width: number;
  readonly asciiColumn: Int32Array;
  private readonly wideColumn: Map<number, number>;
  readonly fanTable: Int32Array;
  readonly skip: Int32Array;

  constructor(wire: WireAutomaton) {
    const edgeStart = bytesInt32(wire.edgeStart);
    const edgeChar = bytesInt32(wire.edgeChar);
    const edgeTarget = bytesInt32(wire.edgeTarget);
    const otherTarget = bytesInt32(wire.otherTarget);
    const stateClass = bytesInt32(wire.stateClass);
    const states = otherTarget.length;
    this.states = states;
    check(edgeStart.length === states + 1 && stateClass.length === states && states > 0, "automaton tables disagree in length");
    check(edgeChar.length === edgeTarget.length && edgeStart[0] === 0 && edgeStart[states] === edgeChar.length, "automaton edges disagree in length");
    for (let s = 0; s < states; s++) check(edgeStart[s]! <= edgeStart[s + 1]!, "automaton edges out of order");
    for (const t of edgeTarget) check(t >= -1 && t < states, "automaton edge out of range");
    for (const t of otherTarget) check(t >= -1 && t < states, "automaton edge out of range");
    let classes = 0;
    for (const c of stateClass) { check(c >= 0, "automaton class out of range"); classes = Math.max(classes, c + 1); }
    this.classCount = classes;

    // The alphabet: a column per character some edge names.
    this.asciiColumn = new Int32Array(128);
    this.wideColumn = new Map();
    const chars = [...new Set(edgeChar)].sort((x, y) => x - y);
    this.width = chars.length + 1;
    chars.forEach((char, i) => {
      if (char < 128) this.asciiColumn[char] = i + 1;
      else this.wideColumn.set(char, i + 1);
    });
    const fill = (table: Int32Array, row: number, s: number) => {
      table.fill(otherTarget[s]!, row * this.width, (row + 1) * this.width);
      for (let e = edgeStart[s]!; e < edgeStart[s + 1]!; e++) table[row * this.width + this.columnOf(edgeChar[e]!)] = edgeTarget[e]!;
    };
    const small = states * this.width <= DENSE_CELLS;
    if (small) {
      this.dense = new Int32Array(states * this.width);
      for (let s = 0; s < states; s++) fill(this.dense, s, s);
    }

    this.nodes = new Int32Array(states * NODE);
    this.edges = new Int32Array(2 * edgeChar.length);
    for (let e = 0; e < edgeChar.length; e++) {
      this.edges[2 * e] = edgeChar[e]!;
      this.edges[2 * e + 1] = edgeTarget[e]!;
    }
    const skip: number[] = [];
    let fanRows = 0;
    for (let s = 0; s < states; s++) {
      const first = edgeStart[s]!;
      const end = edgeStart[s + 1]!;
      const at = s * NODE;
      this.nodes[at + N_EDGES] = first;
      this.nodes[at + N_EDGES_END] = end;
      this.nodes[at + N_OTHER] = otherTarget[s]!;
      this.nodes[at + N_RUN] = first < end && edgeTarget[first] === s + 1 ? edgeChar[first]! : -1;
      this.nodes[at + N_FAN] = !small && end - first >= FAN_EDGES ? fanRows++ : -1;
      this.nodes[at + N_CLASS] = stateClass[s]!;
      this.nodes[at + N_SINK] = first === end && otherTarget[s] === s ? 1 : 0;
      this.nodes[at + N_SKIP] = -1;
      if (otherTarget[s] === s) {
        const leaving: number[] = [];
        for (let e = first; e < end; e++) if (edgeTarget[e] !== s) leaving.push(edgeChar[e]!);
        if (leaving.length >= 1 && leaving.length <= 3) {
          this.nodes[at + N_SKIP] = skip.length;
          skip.push(leaving[0]!, leaving[1] ?? -1, leaving[2] ?? -1);
        }
      }
    }
    this.skip = Int32Array.from(skip);
    this.fanTable = new Int32Array(fanRows * this.width);
    for (let s = 0; s < states; s++) {
      const row = this.nodes[s * NODE + N_FAN]!;
      if (row >= 0) fill(this.fanTable, row, s);
    }
  }

  /** The class of a state the walk ended in (-1, dead: class 0). */
  classOf(state: number): number {
    return state < 0 ? 0 : this.nodes[state * NODE + N_CLASS]!;
  }

  /** Whether nothing can match: one dead state. */
  get trivial(): boolean {
    return this.states === 1 && this.edges.length === 0 && this.nodes[N_OTHER] === -1;
  }

  /** The column of a (folded) character in the dense tables. */
  columnOf(char: number): number {
    return char < 128 ? this.asciiColumn[char]! : (this.wideColumn.get(char) ?? 0);
  }
}

/**
 * One dimension of requests: a main automaton (literal and prefix patterns) and a wild one (the
 * few patterns with inner wildcards, and probes), walked together in one pass over the string.
 * `classify` leaves its answer in fields, so the hot path allocates nothing.
 */
class Dimension {
  private readonly main: Automaton;
  private readonly wild: Automaton;
  private readonly mainBits: Int32Array;
  private readonly mainGroup: Int32Array;
  private readonly wildBits: Int32Array;
  private readonly wildGroup: Int32Array;
  private readonly wildKms: Int32Array;
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

  constructor(wire: WireDimension, groupCount: number, fold: boolean) {
    this.fold = fold;
    this.main = new Automaton(wire.main);
    this.wild = new Automaton(wire.wild);
    this.mainBits = bytesInt32(wire.mainBits);
    this.mainGroup = bytesInt32(wire.mainGroup);
    this.wildBits = bytesInt32(wire.wildBits);
    this.wildGroup = bytesInt32(wire.wildGroup);
    this.wildKms = bytesInt32(wire.wildKms);
    this.groupCount = groupCount;
    check(wire.groupCount === groupCount, "dimension group count disagrees");
    check(this.mainBits.length >= this.main.classCount && this.mainGroup.length === this.mainBits.length, "main class tables disagree in length");
    check(this.wildBits.length >= this.wild.classCount && this.wildGroup.length === this.wildBits.length && this.wildKms.length === this.wildBits.length, "wild class tables disagree in length");
    for (const g of this.mainGroup) check(g >= -1 && g < groupCount, "group out of range");
    for (const g of this.wildGroup) check(g >= 0 && g < groupCount, "group out of range");
    this.wildTrivial = this.wild.trivial;
    // The literal spellings, classified now by the same walk the hot path would do.
    check(Array.isArray(wire.literals) && wire.literals.every((l) => typeof l === "string"), "dimension literals are not strings");
    const count = wire.literals.length;
    this.literalFacts = new Int32Array(4 * count);
    wire.literals.forEach((literal, i) => {
      this.classifyByWalk(literal);
      this.literalFacts.set([this.mainClass, this.bits, this.group, this.kms], 4 * i);
      this.literals.set(literal, i);
    });
  }

  /** Literal spelling -> index into literalFacts (4 per literal: main class, bits, group, kms). */
  private readonly literals = new Map<string, number>();
  private readonly literalFacts: Int32Array;

  get mainClassCount(): number {
    return this.mainBits.length;
  }

  /** Classifies `text`, leaving the answer in mainClass, bits, group and kms. */
  classify(text: string): void {
    const literal = this.literals.size === 0 ? undefined : this.literals.get(text);
    if (literal === undefined) {
      this.classifyByWalk(text);
      return;
    }
    const facts = this.literalFacts;
    this.mainClass = facts[4 * literal]!;
    this.bits = facts[4 * literal + 1]!;
    this.group = facts[4 * literal + 2]!;
    this.kms = facts[4 * literal + 3]!;
  }

  private classifyByWalk(text: string): void {
    const fold = this.fold;
    const m = walk(this.main, text, fold);
    const w = this.wildTrivial ? 0 : walk(this.wild, text, fold);
    this.classifyStates(m, w);
  }

  /** Classifies the strings that end in main state `m` and wild state `w` (-1: dead). */
  classifyStates(m: number, w: number): void {
    const k = this.main.classOf(m);
    const c = this.wild.classOf(w);
    this.mainClass = k;
    this.bits = this.mainBits[k]! | this.wildBits[c]!;
    const g = this.mainGroup[k]!;
    this.group = g >= 0 ? g : this.wildGroup[c]!;
    this.kms = this.wildKms[c]!;
  }
}

/**
 * The state `text` ends in (-1: dead). Stops early in a sink state, whose class cannot change,
 * and skips over characters that cannot move the state. Two flat loops over typed arrays (dense
 * table; runs, fan rows and short edge lists) so that V8 keeps everything in registers: this is
 * the hot path.
 */
function walk(a: Automaton, text: string, fold: boolean): number {
  const nodes = a.nodes;
  const skips = a.skip;
  let state = 0;
  if (nodes[N_SINK] === 1) return 0;
  const length = text.length;
  const dense = a.dense;
  const width = a.width;
  const ascii = a.asciiColumn;
  if (dense !== undefined) {
    for (let i = 0; i < length; i++) {
      let char = foldedAt(text, i, fold);
      const at = state * NODE;
      if (nodes[at + N_RUN] === char) {
        state++;
        continue; // as in the sparse loop below
      }
      const skip = nodes[at + N_SKIP]!;
      if (skip >= 0) {
        // Only these characters leave the state: find the next one without stepping.
        i = skipTo(text, i, fold, skips, skip);
        if (i === length) return state;
        char = foldedAt(text, i, fold);
      }
      state = dense[state * width + (char < 128 ? ascii[char]! : a.columnOf(char))]!;
      if (state < 0 || nodes[state * NODE + N_SINK] === 1) return state;
    }
    return state;
  }
  const edges = a.edges;
  const fanTable = a.fanTable;
  for (let i = 0; i < length; i++) {
    let char = foldedAt(text, i, fold);
    let at = state * NODE;
    if (nodes[at + N_RUN] === char) {
      state++;
      continue; // a sink reached this way stays put and is caught at the next step
    }
    const skip = nodes[at + N_SKIP]!;
    if (skip >= 0) {
      i = skipTo(text, i, fold, skips, skip);
      if (i === length) return state;
      char = foldedAt(text, i, fold);
    }
    const row = nodes[at + N_FAN]!;
    if (row >= 0) {
      state = fanTable[row * width + (char < 128 ? ascii[char]! : a.columnOf(char))]!;
    } else {
      // Fewer than FAN_EDGES edges: scan them.
      let next = nodes[at + N_OTHER]!;
      for (let e = 2 * nodes[at + N_EDGES]!, end = 2 * nodes[at + N_EDGES_END]!; e < end; e += 2) {
        if (edges[e] === char) { next = edges[e + 1]!; break; }
      }
      state = next;
    }
    if (state < 0) return state;
    at = state * NODE;
    if (nodes[at + N_SINK] === 1) return state;
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
    const char = foldedAt(text, i, fold);
    if (char === c0 || char === c1 || char === c2) break;
  }
  return i;
}

/** The character at `i`, case-folded when `fold` (as the compiler folds actions). */
function foldedAt(text: string, i: number, fold: boolean): number {
  const char = text.charCodeAt(i);
  return !fold ? char : char >= 65 && char <= 90 ? char + 32 : char < 128 ? char : foldWide(char);
}

function foldWide(char: number): number {
  return String.fromCharCode(char).toLowerCase().charCodeAt(0);
}

/** Sparse maps from a dimension's classes to ids, in one hash table keyed (map, main class, bits, group). */
class SparseMaps {
  private readonly mask: Int32Array;
  private readonly table: KeyTable;

  constructor(wire: WireSparseMaps, mainClasses: number, valueCount: number) {
    this.mask = bytesInt32(wire.mask);
    const start = bytesInt32(wire.start);
    const main = bytesInt32(wire.main);
    const bits = bytesInt32(wire.bits);
    const group = bytesInt32(wire.group);
    const values = bytesInt32(wire.values);
    const defaultStart = bytesInt32(wire.defaultStart);
    const defaultBits = bytesInt32(wire.defaultBits);
    const defaultGroup = bytesInt32(wire.defaultGroup);
    const defaultValues = bytesInt32(wire.defaultValues);
    const maps = this.mask.length;
    check(start.length === maps + 1 && defaultStart.length === maps + 1, "sparse map offsets disagree in length");
    check(main.length === values.length && bits.length === values.length && group.length === values.length && start[maps] === values.length, "sparse map entries disagree in length");
    check(defaultBits.length === defaultValues.length && defaultGroup.length === defaultValues.length && defaultStart[maps] === defaultValues.length, "sparse map defaults disagree in length");
    this.table = new KeyTable(values.length + defaultValues.length);
    for (let m = 0; m < maps; m++) {
      for (let i = start[m]!; i < start[m + 1]!; i++) {
        check(main[i]! >= 0 && main[i]! < mainClasses && values[i]! >= 0 && values[i]! < valueCount, "sparse map entry out of range");
        this.table.set(m, main[i]!, bits[i]!, group[i]!, values[i]!);
      }
      for (let i = defaultStart[m]!; i < defaultStart[m + 1]!; i++) {
        check(defaultValues[i]! >= 0 && defaultValues[i]! < valueCount, "sparse map default out of range");
        this.table.set(m, -1, defaultBits[i]!, defaultGroup[i]!, defaultValues[i]!);
      }
    }
  }

  get size(): number {
    return this.mask.length;
  }

  /** As `get`, for a classification given as numbers (analysis tools; the hot path uses `get`). */
  getFor(m: number, mainClass: number, dimensionBits: number, dimensionGroup: number): number {
    const mask = this.mask[m]!;
    const group = (mask & GROUP_BLIND) !== 0 ? 0 : dimensionGroup;
    const bits = dimensionBits & mask & ~GROUP_BLIND;
    const value = this.table.get(m, mainClass, bits, group);
    return value >= 0 ? value : this.table.get(m, -1, bits, group);
  }

  /** The value of map `m` for the dimension's last classification, or -1. */
  get(m: number, d: Dimension): number {
    const mask = this.mask[m]!;
    // GROUP_BLIND (bit 30 of the mask): this map's answer does not depend on the group.
    const group = (mask & GROUP_BLIND) !== 0 ? 0 : d.group;
    const bits = d.bits & mask & ~GROUP_BLIND;
    const value = this.table.get(m, d.mainClass, bits, group);
    return value >= 0 ? value : this.table.get(m, -1, bits, group);
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

/** The leaves: per leaf one record of LEAF ints, a check's one cache line; then the statement lists. */
interface LeafTables {
  /** LEAF per leaf: deny bits, allow bits, and the leaf's open entries [from, to) in `open`. */
  readonly record: Int32Array;
  /** 4 per open entry: statement, slot, 1 for a deny, predicate. */
  readonly open: Int32Array;
  readonly matchedStart: Int32Array;
  readonly matched: Int32Array;
}

const LEAF = 4;
const L_DENY = 0;
const L_ALLOW = 1;
const L_OPEN = 2;
const L_OPEN_END = 3;

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
  private readonly provenance: BundlePayload["provenance"];
  private readonly provenanceIndex: Int32Array;
  private readonly provenanceDeny: Int32Array;
  /** The payload's sparse maps and statement texts, kept for explain's near misses (decoded on first use). */
  private readonly wire: Pick<BundlePayload, "rows" | "classes" | "provenance">;
  private nearMissTables: { classActions: MapEntries; rows: MapEntries; texts: readonly WireStatementSource[] } | undefined;
  private readonly slots: readonly string[];
  private readonly env = new RequestEnv();
  readonly info: Authorizer["info"];

  constructor(p: BundlePayload) {
    this.groupCount = p.groupCount;
    this.accounts = p.accounts;
    check(Number.isInteger(this.groupCount) && this.groupCount === this.accounts.length + 2, "group count disagrees with accounts");
    this.actions = new Dimension(p.actions, 1, true);
    this.resources = new Dimension(p.resources, this.groupCount, false);

    this.classNames = p.classes.names;
    this.classKind = bytesInt32(p.classes.kind);
    this.classFacts = p.classes.facts;
    const classCount = this.classNames.length;
    check(this.classKind.length === classCount && this.classFacts.length === classCount, "class tables disagree in length");
    const principalClass = bytesInt32(p.principalClass);
    check(principalClass.length === p.principals.length, "principal tables disagree in length");
    p.principals.forEach((id, i) => this.principals.set(id, inRange(principalClass[i]!, classCount)));
    const outsiderClass = bytesInt32(p.outsiderAccountClass);
    check(outsiderClass.length === p.outsiderAccounts.length, "outsider tables disagree in length");
    p.outsiderAccounts.forEach((id, i) => this.outsiderAccounts.set(id, inRange(outsiderClass[i]!, classCount)));
    this.stranger = inRange(p.stranger, classCount);
    this.anonymous = inRange(p.anonymous, classCount);
    this.refused = p.refused === -1 ? -1 : inRange(p.refused, classCount);

    const allowBits = bytesInt32(p.leaves.allow);
    const denyBits = bytesInt32(p.leaves.deny);
    const openStart = bytesInt32(p.leaves.openStart);
    const leafCount = allowBits.length;
    check(denyBits.length === leafCount && openStart.length === leafCount + 1, "leaf tables disagree in length");
    const record = new Int32Array(leafCount * LEAF);
    for (let leaf = 0; leaf < leafCount; leaf++) {
      check(openStart[leaf]! <= openStart[leaf + 1]!, "leaf lists out of order");
      record[leaf * LEAF + L_DENY] = denyBits[leaf]!;
      record[leaf * LEAF + L_ALLOW] = allowBits[leaf]!;
      record[leaf * LEAF + L_OPEN] = openStart[leaf]!;
      record[leaf * LEAF + L_OPEN_END] = openStart[leaf + 1]!;
    }
    this.leaves = {
      record,
      open: bytesInt32(p.leaves.open),
      matchedStart: bytesInt32(p.leaves.matchedStart),
      matched: bytesInt32(p.leaves.matched),
    };
    this.rows = new SparseMaps(p.rows, this.resources.mainClassCount, leafCount);
    this.classActions = new SparseMaps(p.classes.actions, this.actions.mainClassCount, this.rows.size);
    check(this.classActions.size === classCount, "class action maps disagree with classes");

    this.predicates = p.predicates.map((wires) => {
      const predicate = compileConditions(wires);
      if (predicate === undefined) throw new BundleError("IAMC5005", "the bundle holds a condition this runtime cannot read");
      return predicate;
    });
    this.predicateWires = p.predicates;
    this.provenance = p.provenance;
    this.provenanceIndex = bytesInt32(p.provenance.index);
    this.provenanceDeny = bytesInt32(p.provenance.deny);
    this.wire = { rows: p.rows, classes: p.classes, provenance: p.provenance };
    const statements = this.provenance.policy.length;
    check(this.leaves.matchedStart.length === leafCount + 1, "leaf tables disagree in length");
    check(openStart[0] === 0 && this.leaves.open.length === 4 * openStart[leafCount]! && this.leaves.matched.length === this.leaves.matchedStart[leafCount]!, "leaf lists disagree in length");
    for (let i = 0; i < this.leaves.open.length; i += 4) {
      inRange(this.leaves.open[i]!, statements);
      inRange(this.leaves.open[i + 1]!, 31);
      inRange(this.leaves.open[i + 3]!, this.predicates.length);
    }
    for (const s of this.leaves.matched) inRange(s, statements);
    this.termStart = bytesInt32(p.termStart);
    this.termBits = bytesInt32(p.termBits);
    this.kinds = p.kinds;
    check(this.termStart.length === this.kinds.length * this.groupCount * 2 + 1, "term tables disagree in length");
    for (const k of this.classKind) inRange(k, this.kinds.length);
    this.slots = p.slots;
    const build = p.build;
    if (build !== undefined) check(Number.isSafeInteger(build.revision) && build.revision >= 0 && typeof build.createdAt === "string", "the build record is malformed");
    this.info = { compiler: p.compiler, sources: p.sources, classes: classCount, leaves: leafCount, ...(build === undefined ? {} : { build: { revision: build.revision, createdAt: build.createdAt } }) };
  }

  check(request: Request): Decision {
    try {
      if (typeof request !== "object" || request === null) return IMPLICIT_DENY;
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
      const openTo = record[r + L_OPEN_END]!;
      if (openFrom !== openTo) {
        const env = this.prepareEnv(request, cls);
        for (let i = openFrom; i < openTo; i++) {
          const at = i * 4;
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
    for (let i = leaves.matchedStart[leaf]!; i < leaves.matchedStart[leaf + 1]!; i++) statements.push(this.statement(leaves.matched[i]!, false));
    const unmet: UnmetCondition[] = [];
    if (deny === 0) {
      const env = this.prepareEnv(request, cls);
      for (let i = leaves.record[leaf * LEAF + L_OPEN]!; i < leaves.record[leaf * LEAF + L_OPEN_END]!; i++) {
        const at = i * 4;
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
      classActions: mapEntries(this.wire.classes.actions),
      rows: mapEntries(this.wire.rows),
      texts: decodeStatementSources(this.wire.provenance.text, this.wire.provenance.policy.length),
    });
    const leaves = this.leaves;
    const statementsOf = (l: number, into: Set<number>) => {
      for (let i = leaves.matchedStart[l]!; i < leaves.matchedStart[l + 1]!; i++) into.add(leaves.matched[i]!);
      for (let i = leaves.record[l * LEAF + L_OPEN]!; i < leaves.record[l * LEAF + L_OPEN_END]!; i++) into.add(leaves.open[4 * i]!);
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
    const misses: NearMiss[] = [];
    // A statement held through several paths (a role of the user's and of its group) is one miss.
    const reported = new Set<string>();
    const add = (ids: Set<number>, missed: NearMiss["missed"], seen: string) => {
      for (const id of ids) {
        const statementKey = `${this.provenance.policy[id]}\u0000${this.provenanceIndex[id]}`;
        if (applied.has(id) || this.provenanceDeny[id] === 1 || reported.has(statementKey)) continue;
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
    for (let id = 0; id < this.provenance.policy.length; id++) {
      if (this.provenance.policy[id] === s.policy && this.provenanceIndex[id] === s.index && this.provenance.layer[id] === s.layer) return id;
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
    const sid = this.provenance.sid[id];
    return {
      policy: this.provenance.policy[id]!,
      ...(sid === null || sid === undefined ? {} : { sid }),
      index: this.provenanceIndex[id]!,
      effect: this.provenanceDeny[id] === 1 ? "Deny" : "Allow",
      layer: this.provenance.layer[id]!,
      conditional,
    };
  }

  /** The table's structure, read-only, for analysis tools. */
  inspect(payload: BundlePayload): TableInspector {
    const leaves = this.leaves;
    let rowEntries: MapEntries | undefined;
    const dimensionOf = (d: Dimension, wire: WireDimension): InspectedDimension => ({
      main: wire.main,
      wild: wire.wild,
      literals: wire.literals,
      classify: (mainState, wildState) => {
        d.classifyStates(mainState, wildState);
        return { mainClass: d.mainClass, bits: d.bits, group: d.group, kms: d.kms };
      },
    });
    return {
      payload,
      classCount: this.classNames.length,
      className: (cls) => this.classNames[cls]!,
      classOf: (request) => this.classOf(request as Request),
      actions: dimensionOf(this.actions, payload.actions),
      resources: dimensionOf(this.resources, payload.resources),
      rowOf: (cls, a) => this.classActions.getFor(cls, a.mainClass, a.bits, a.group),
      leafOf: (row, r) => this.rows.getFor(row, r.mainClass, r.bits, r.group),
      explicitMains: (row) => (rowEntries ??= mapEntries(this.wire.rows)).mainsOf(row),
      leaf: (leaf) => {
        const r = leaf * LEAF;
        const open: InspectedLeaf["open"][number][] = [];
        for (let i = leaves.record[r + L_OPEN]!; i < leaves.record[r + L_OPEN_END]!; i++) {
          const at = 4 * i;
          open.push({ statement: leaves.open[at]!, slot: leaves.open[at + 1]!, deny: leaves.open[at + 2] === 1, predicate: leaves.open[at + 3]! });
        }
        return {
          allow: leaves.record[r + L_ALLOW]!,
          deny: leaves.record[r + L_DENY]!,
          open,
          matched: [...leaves.matched.subarray(leaves.matchedStart[leaf]!, leaves.matchedStart[leaf + 1]!)],
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

/** How many near misses explain lists. */
const NEAR_MISSES = 5;

/** The values of each sparse map, for walking a map's entries (the hash table only answers lookups). */
interface MapEntries {
  valuesOf(m: number): readonly number[];
  /** The main classes map m has explicit entries for. */
  mainsOf(m: number): readonly number[];
}

function mapEntries(wire: WireSparseMaps): MapEntries {
  const start = bytesInt32(wire.start);
  const main = bytesInt32(wire.main);
  const values = bytesInt32(wire.values);
  const defaultStart = bytesInt32(wire.defaultStart);
  const defaultValues = bytesInt32(wire.defaultValues);
  return {
    valuesOf: (m) => [...new Set([...values.subarray(start[m]!, start[m + 1]!), ...defaultValues.subarray(defaultStart[m]!, defaultStart[m + 1]!)])],
    mainsOf: (m) => [...new Set(main.subarray(start[m]!, start[m + 1]!))],
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
