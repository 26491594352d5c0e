// Deterministic automata over IAM glob patterns. One automaton recognizes many patterns at once:
// walking a string to its end lands in a state whose label is the set of patterns that match
// the whole string. Built by subset construction over the patterns' positions; a set of literal
// patterns comes out as a trie, and `*` adds the loops.
import { IntBuffer, IntListInterner, grown } from "./int-lists.js";

/** A glob token: a UTF-16 code unit (>= 0), `?` (ANY), `*` (STAR) or `*` within one ARN field. */
export type GlobToken = number;
export const ANY = -1;
/** `*`: any run of characters, `/` and `:` included. */
export const STAR = -2;
/** A run of characters without `:`: one ARN field (used by the account probes). */
export const FIELD = -3;
/** Exactly one character other than `:` (used by the account probes). */
export const FIELD_CHAR = -4;

/** The automaton in the flat form the bundle stores. */
export interface Automaton {
  /** For state s, its explicit transitions are edgeChar/edgeTarget[edgeStart[s] .. edgeStart[s+1]), sorted by char. */
  readonly edgeStart: Int32Array;
  readonly edgeChar: Int32Array;
  readonly edgeTarget: Int32Array;
  /** Where any other character goes; -1 = the dead state (nothing can match). */
  readonly otherTarget: Int32Array;
  /** The class of the strings ending in each state: index into `classes`. */
  readonly stateClass: Int32Array;
  /** Class k = the sorted ids of the patterns matched. Class 0 is always the empty set. */
  readonly classes: readonly (readonly number[])[];
}

export class AutomatonTooLarge extends Error {
  override name = "AutomatonTooLarge";
}

/**
 * Builds the automaton for `patterns` (pattern i gets id i). With `caseFold`, patterns must be
 * given lower-cased and the walker folds ASCII letters. Throws AutomatonTooLarge past `maxStates`.
 */
export function buildAutomaton(patterns: readonly ArrayLike<GlobToken>[], maxStates = 4_000_000): Automaton {
  // Positions are global: position p of pattern i is base[i] + p; base[i] + length is "done".
  const base = new Int32Array(patterns.length + 1);
  for (let i = 0; i < patterns.length; i++) base[i + 1] = base[i]! + patterns[i]!.length + 1;
  const positionCount = base[patterns.length]!;
  const tokenAt = new Int32Array(positionCount);
  const patternAt = new Int32Array(positionCount);
  const DONE = -100;
  for (let i = 0; i < patterns.length; i++) {
    const tokens = patterns[i]!;
    for (let p = 0; p <= tokens.length; p++) {
      tokenAt[base[i]! + p] = p < tokens.length ? tokens[p]! : DONE;
      patternAt[base[i]! + p] = i;
    }
  }

  // Scratch space, reused for every state: a position set is built in `scratch`, closed under
  // stars, then sorted and deduplicated in place and interned. States are numbered by their
  // position sets in first-seen order; the interner packs the sets in one array and finds them
  // by hash. (A typed array per state, and a Map of hash buckets, took most of the 3.1 s the
  // 583,159 states of the wildcards workload at 10,000 statements took.)
  let scratch: Int32Array = new Int32Array(64);
  let size = 0;
  const push = (position: number) => {
    if (size === scratch.length) scratch = grown(scratch, size + 1);
    scratch[size++] = position;
  };
  /** Adds a position and, since a star may match the empty run, the positions after it. */
  const pushClosed = (position: number) => {
    push(position);
    while (tokenAt[position] === STAR || tokenAt[position] === FIELD) push(++position);
  };
  const stateSets = new IntListInterner();
  /** Interns scratch[0 .. size) (closed, not yet sorted); -1 for the empty set. */
  const internScratch = (): number => {
    if (size === 0) return -1;
    const id = stateSets.id(scratch, 0, sortUnique(scratch, size));
    if (id >= maxStates) throw new AutomatonTooLarge(`more than ${maxStates} states`);
    return id;
  };

  size = 0;
  for (let i = 0; i < patterns.length; i++) pushClosed(base[i]!);
  if (internScratch() < 0) stateSets.id(scratch, 0, 0); // no patterns: keep state 0 anyway

  const edgeStart: number[] = [];
  const edgeChar: number[] = [];
  const edgeTarget: number[] = [];
  const otherTarget: number[] = [];
  // Classes are interned by their pattern ids, in first-seen order: class 0 is the empty set.
  const classSets = new IntListInterner();
  classSets.id([]);
  const classes: number[][] = [[]];
  const stateClass: number[] = [];
  // Per state: the moves on specific characters as (char, next position) pairs, and the moves
  // every character makes (`?` and `*`; FIELD and FIELD_CHAR on every character but `:`).
  let pairChar: Int32Array = new Int32Array(64);
  let pairNext: Int32Array = new Int32Array(64);
  const anyMoves = new IntBuffer();
  const nonColonMoves = new IntBuffer();
  const matched = new IntBuffer();

  for (let s = 0; s < stateSets.size; s++) {
    // Read before anything is interned: interning may replace the interner's array.
    const positions = stateSets.data;
    let pairs = 0;
    anyMoves.size = 0;
    nonColonMoves.size = 0;
    matched.size = 0;
    for (let k = stateSets.start(s); k < stateSets.end(s); k++) {
      const position = positions[k]!;
      const token = tokenAt[position]!;
      if (token === DONE) matched.push(patternAt[position]!);
      else if (token === ANY) anyMoves.push(position + 1);
      else if (token === STAR) anyMoves.push(position);
      else if (token === FIELD) nonColonMoves.push(position);
      else if (token === FIELD_CHAR) nonColonMoves.push(position + 1);
      else {
        if (pairs === pairChar.length) {
          pairChar = grown(pairChar, pairs + 1);
          pairNext = grown(pairNext, pairs + 1);
        }
        pairChar[pairs] = token;
        pairNext[pairs++] = position + 1;
      }
    }
    // `:` must be explicit whenever a FIELD is live, since it behaves differently there.
    if (nonColonMoves.size > 0) {
      if (pairs === pairChar.length) {
        pairChar = grown(pairChar, pairs + 1);
        pairNext = grown(pairNext, pairs + 1);
      }
      pairChar[pairs] = 58;
      pairNext[pairs++] = -1; // no move of its own
    }

    size = 0;
    for (let i = 0; i < anyMoves.size; i++) pushClosed(anyMoves.values[i]!);
    for (let i = 0; i < nonColonMoves.size; i++) pushClosed(nonColonMoves.values[i]!);
    const other = internScratch();

    sortPairs(pairChar, pairNext, pairs);
    edgeStart.push(edgeChar.length);
    for (let k = 0; k < pairs; ) {
      const char = pairChar[k]!;
      size = 0;
      for (; k < pairs && pairChar[k] === char; k++) if (pairNext[k]! >= 0) pushClosed(pairNext[k]!);
      for (let i = 0; i < anyMoves.size; i++) pushClosed(anyMoves.values[i]!);
      if (char !== 58) for (let i = 0; i < nonColonMoves.size; i++) pushClosed(nonColonMoves.values[i]!);
      const target = internScratch();
      // An edge to where every other character goes anyway says nothing: leave it out.
      if (target === other) continue;
      edgeChar.push(char);
      edgeTarget.push(target);
    }
    otherTarget.push(other);

    const cls = classSets.id(matched.values, 0, matched.size);
    if (cls === classes.length) classes.push(listOf(matched.values, matched.size));
    stateClass.push(cls);
  }
  edgeStart.push(edgeChar.length);

  return inPreorder({ edgeStart, edgeChar, edgeTarget, otherTarget, stateClass, classes });
}

/**
 * Sorts the pairs (char[i], next[i]) for i < count by char, in place: by insertion for the few
 * most states have, else as numbers char * 2^31 + next + 1 (next >= -1), natively.
 */
function sortPairs(char: Int32Array, next: Int32Array, count: number): void {
  if (count > 32) {
    const keys = new Float64Array(count);
    for (let i = 0; i < count; i++) keys[i] = char[i]! * 2 ** 31 + next[i]! + 1;
    keys.sort();
    for (let i = 0; i < count; i++) {
      char[i] = Math.floor(keys[i]! / 2 ** 31);
      next[i] = keys[i]! - char[i]! * 2 ** 31 - 1;
    }
    return;
  }
  for (let i = 1; i < count; i++) {
    const c = char[i]!;
    const n = next[i]!;
    let j = i - 1;
    while (j >= 0 && char[j]! > c) {
      char[j + 1] = char[j]!;
      next[j + 1] = next[j]!;
      j--;
    }
    char[j + 1] = c;
    next[j + 1] = n;
  }
}

/**
 * The same automaton with its states renumbered in depth-first preorder from state 0, smallest
 * character first, then the "other" target. A state's first edge then leads to the next state
 * wherever that state was not reached before, so chains of states are runs of consecutive
 * numbers: the runtime walks runs by one sequential compare per character, and a walk's states
 * sit near each other in memory (as the trie's do; see buildTrieAutomaton).
 */
export function inPreorder(a: { readonly [K in keyof Automaton]: K extends "classes" ? Automaton[K] : ArrayLike<number> }): Automaton {
  const states = a.otherTarget.length;
  const newId = new Int32Array(states).fill(-1);
  const order: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (newId[s] !== -1) continue;
    newId[s] = order.length;
    order.push(s);
    const other = a.otherTarget[s]!;
    if (other >= 0 && newId[other] === -1) stack.push(other);
    for (let e = a.edgeStart[s + 1]! - 1; e >= a.edgeStart[s]!; e--) {
      const t = a.edgeTarget[e]!;
      if (t >= 0 && newId[t] === -1) stack.push(t);
    }
  }
  // every state is reachable from 0 by construction; keep any that is not, at the end
  for (let s = 0; s < states; s++) if (newId[s] === -1) { newId[s] = order.length; order.push(s); }
  const remap = (t: number) => (t < 0 ? t : newId[t]!);
  const edgeStart = new Int32Array(states + 1);
  const edgeChar = new Int32Array(a.edgeChar.length);
  const edgeTarget = new Int32Array(a.edgeTarget.length);
  const otherTarget = new Int32Array(states);
  const stateClass = new Int32Array(states);
  let edges = 0;
  order.forEach((s, q) => {
    edgeStart[q] = edges;
    for (let e = a.edgeStart[s]!; e < a.edgeStart[s + 1]!; e++) {
      edgeChar[edges] = a.edgeChar[e]!;
      edgeTarget[edges++] = remap(a.edgeTarget[e]!);
    }
    otherTarget[q] = remap(a.otherTarget[s]!);
    stateClass[q] = a.stateClass[s]!;
  });
  edgeStart[states] = edges;
  return { edgeStart, edgeChar, edgeTarget, otherTarget, stateClass, classes: a.classes };
}

/** Walks `text` through the automaton (the same walk the runtime does); returns the class. */
export function classify(automaton: Automaton, text: string, caseFold = false): number {
  let state = 0;
  for (let i = 0; i < text.length && state >= 0; i++) {
    let char = text.charCodeAt(i);
    if (caseFold) char = foldCase(char);
    state = stepAutomaton(automaton, state, char);
  }
  return state < 0 ? 0 : automaton.stateClass[state]!;
}

/** The state one character leads to from `state` (-1: dead). */
export function stepAutomaton(automaton: Automaton, state: number, char: number): number {
  let lo = automaton.edgeStart[state]!;
  let hi = automaton.edgeStart[state + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = automaton.edgeChar[mid]!;
    if (c === char) return automaton.edgeTarget[mid]!;
    if (c < char) lo = mid + 1;
    else hi = mid - 1;
  }
  return automaton.otherTarget[state]!;
}

/** Lower-cases one UTF-16 code unit the way the runtime does (actions are case-insensitive). */
export function foldCase(char: number): number {
  if (char >= 65 && char <= 90) return char + 32;
  if (char < 128) return char;
  return String.fromCharCode(char).toLowerCase().charCodeAt(0);
}

/** Lower-cases a whole string with `foldCase`, unit by unit, so compiler and runtime agree. */
export function foldString(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) out += String.fromCharCode(foldCase(text.charCodeAt(i)));
  return out;
}

/**
 * The automaton of literal and prefix patterns (`abc`, `abc*`), built directly as a trie in time
 * linear in the patterns' total length. Recognizes exactly what `buildAutomaton` would: walking
 * off the trie lands in a sink state labelled with the prefix patterns matched so far. Pattern
 * i of an array gets id i; given as PatternSlices, pattern i gets id at[i].
 *
 * Each step is a function of its own, one loop over the nodes. V8 compiles a long-running loop
 * while it runs (OSR); in a function of several loops that code deoptimizes at the first one
 * that has not run yet, and the function is compiled again, the loops running in the
 * interpreter meanwhile (seen with --trace-deopt on the first large trie).
 */
export function buildTrieAutomaton(patterns: readonly (readonly GlobToken[])[] | PatternSlices): Automaton {
  const slices = Array.isArray(patterns) ? slicesOf(patterns) : (patterns as PatternSlices);
  const trie = new Trie(slices);
  // Each array of the automaton is made once, at its size: the sinks are counted first.
  const nodeCount = trie.size;
  const states = nodeCount + trie.sinkCount();
  const automaton = {
    edgeStart: new Int32Array(states + 1),
    edgeChar: new Int32Array(nodeCount - 1),
    edgeTarget: new Int32Array(nodeCount - 1),
    otherTarget: new Int32Array(states),
    stateClass: new Int32Array(states),
    classes: [[]] as number[][],
  };
  const classes = new TrieClasses(trie, slices.at, automaton.classes);
  numberStates(trie, classes, automaton);
  addSinks(trie, classes, automaton);
  return automaton;
}

/**
 * A trie of patterns in flat arrays (no object per node): each node's children as a list kept
 * sorted by character (first child, next sibling), and the patterns ending at it as linked lists
 * of marks; a mark is its pattern's index in `at`.
 *
 * Plain arrays, not typed ones, though typed ones are faster here (about 23 ms instead of 37 to
 * insert 100,000 resources, warm): V8 starts a full mark-compact each time typed arrays' memory
 * grows by 64 MB, which costs about 250 ms at 100,000 statements (it marks the whole workspace).
 * Built in typed arrays, grown by doubling, then renumbered through an order and its inverse
 * and trimmed, the tries took about 30 of the 47 MB of typed arrays this stage allocated, and a
 * mark-compact fell in it on every compile; now the stage allocates about 20 MB, nearly all of
 * it what it returns, and the mark-compact comes after it.
 */
class Trie {
  readonly firstChild = [-1];
  readonly nextSibling = [-1];
  readonly nodeChar = [-1];
  readonly markHead = [-1];
  readonly markNext: number[] = [];
  /** Per mark, 1 for a prefix pattern (`abc*`). */
  readonly markPrefix: number[] = [];

  constructor({ tokens, start, at }: PatternSlices) {
    const { firstChild, nextSibling, nodeChar, markHead, markNext, markPrefix } = this;
    for (let m = 0; m < at.length; m++) {
      const from = start[at[m]!]!;
      const to = start[at[m]! + 1]!;
      const star = to > from && tokens[to - 1] === STAR;
      const end = star ? to - 1 : to;
      let node = 0;
      for (let i = from; i < end; i++) {
        const char = tokens[i]!;
        if (char < 0) throw new Error("buildTrieAutomaton: only literal and prefix patterns");
        let before = -1;
        let child = firstChild[node]!;
        while (child >= 0 && nodeChar[child]! < char) {
          before = child;
          child = nextSibling[child]!;
        }
        if (child < 0 || nodeChar[child] !== char) {
          const created = firstChild.push(-1) - 1;
          nextSibling.push(child);
          nodeChar.push(char);
          markHead.push(-1);
          if (before < 0) firstChild[node] = created;
          else nextSibling[before] = created;
          child = created;
        }
        node = child;
      }
      markNext.push(markHead[node]!);
      markPrefix.push(star ? 1 : 0);
      markHead[node] = m;
    }
  }

  get size(): number {
    return this.firstChild.length;
  }

  /**
   * How many sinks the automaton has: one per distinct set of prefix patterns matched on the way
   * down, where something leads to it (a leaf past a prefix pattern is its own sink: addSinks).
   * A node with prefix marks starts a set of its own, so: the nodes with prefix marks that have
   * children or exact marks.
   */
  sinkCount(): number {
    const { firstChild, markHead, markNext, markPrefix } = this;
    let count = 0;
    for (let node = 0; node < firstChild.length; node++) {
      let prefix = false;
      let exact = false;
      for (let m = markHead[node]!; m >= 0; m = markNext[m]!) {
        if (markPrefix[m] === 1) prefix = true;
        else exact = true;
      }
      if (prefix && (exact || firstChild[node]! >= 0)) count++;
    }
    return count;
  }
}

/**
 * The classes of a trie's automaton: sets of sorted pattern ids, numbered in first-seen order
 * (class 0 is the empty set). The set a node's class is built from is its parent's set plus its
 * own marks. No set needs interning: a pattern has one mark, at one node, so a set holding a
 * node's own marks is made only by that node's one call per kind (prefix or exact), and is new.
 */
class TrieClasses {
  private scratch: Int32Array = new Int32Array(64);

  constructor(private readonly trie: Trie, private readonly at: Int32Array, readonly list: number[][]) {}

  /** The class of the set list[base] + the marks from `head` on (prefix ones, or exact ones). */
  withMarks(base: number, head: number, prefix: number): number {
    const { markNext, markPrefix } = this.trie;
    let size = 0;
    let last = -1;
    for (let m = head; m >= 0; m = markNext[m]!) {
      if (markPrefix[m] === prefix) {
        size++;
        last = m;
      }
    }
    if (size === 0) return base;
    const held = this.list[base]!;
    // Most nodes that have marks have one: it goes into place, no sort.
    if (size === 1) return this.list.push(withOne(held, this.at[last]!)) - 1;
    if (held.length + size > this.scratch.length) this.scratch = grown(this.scratch, held.length + size);
    const scratch = this.scratch;
    size = 0;
    for (const id of held) scratch[size++] = id;
    for (let m = head; m >= 0; m = markNext[m]!) if (markPrefix[m] === prefix) scratch[size++] = this.at[m]!;
    return this.list.push(listOf(scratch, sortUnique(scratch, size))) - 1;
  }
}

/** The ascending list `held` with `id` (a copy, as listOf makes it). */
function withOne(held: readonly number[], id: number): number[] {
  let place = 0;
  while (place < held.length && held[place]! < id) place++;
  const present = place < held.length && held[place] === id ? 1 : 0;
  const list = new Array<number>(held.length + 1 - present);
  for (let i = 0; i < place; i++) list[i] = held[i]!;
  list[place] = id;
  for (let i = place + present; i < held.length; i++) list[i + 1 - present] = held[i]!;
  return list;
}

/**
 * States: the trie nodes in depth-first preorder (state 0 = root), children by character. In
 * preorder a node's first child is the next state, so a chain of single-child nodes (most of a
 * trie of ARNs) is a run of consecutive states: the runtime walks such runs by comparing
 * characters, touching one array sequentially. One walk numbers the states and lists their
 * edges, a node's edge to a child getting its target when the child is numbered, and gives each
 * node the prefix patterns matched from the root to it, as a class: classes are numbered in the
 * order the walk meets them (the root, then each node's children, nodes in preorder). Once its
 * parent has listed a node, the node's sibling and character are no longer needed: they hold the
 * edge into it and its class. A state's class and first mark wait in stateClass and otherTarget
 * for addSinks. (Numbering nodes in a walk of their own, then listing edges through that order
 * and its inverse, took two more arrays and a pass.)
 */
function numberStates(trie: Trie, classes: TrieClasses, automaton: Automaton): void {
  const { firstChild, nextSibling, nodeChar, markHead } = trie;
  const { edgeStart, edgeChar, edgeTarget, otherTarget, stateClass } = automaton;
  nodeChar[0] = classes.withMarks(0, markHead[0]!, 1);
  const pending = [0];
  let edges = 0;
  for (let q = 0; q < firstChild.length; q++) {
    const node = pending.pop()!;
    if (q > 0) edgeTarget[nextSibling[node]!] = q;
    const cls = nodeChar[node]!;
    stateClass[q] = cls;
    otherTarget[q] = markHead[node]!;
    edgeStart[q] = edges;
    const listed = pending.length;
    for (let child = firstChild[node]!; child >= 0; ) {
      const next = nextSibling[child]!;
      edgeChar[edges] = nodeChar[child]!;
      nextSibling[child] = edges++;
      nodeChar[child] = classes.withMarks(cls, markHead[child]!, 1);
      pending.push(child);
      child = next;
    }
    // The first child comes off the stack first.
    for (let i = listed, j = pending.length - 1; i < j; i++, j--) {
      const swap = pending[i]!;
      pending[i] = pending[j]!;
      pending[j] = swap;
    }
  }
  edgeStart.fill(edges, firstChild.length);
}

/**
 * Each state's own class (its pass class plus the exact patterns ending there) and where any
 * other character goes: the sink of its pass class, or itself for a leaf past a prefix pattern,
 * or nowhere (-1). Every pass class exists by now (this adds only exact ones): a sink per class,
 * -1 until made.
 */
function addSinks(trie: Trie, classes: TrieClasses, automaton: Automaton): void {
  const nodeCount = trie.size;
  const { edgeStart, otherTarget, stateClass } = automaton;
  const sinkOfClass = new Array<number>(classes.list.length).fill(-1);
  for (let q = 0, sinks = 0; q < nodeCount; q++) {
    const cls = stateClass[q]!;
    const own = classes.withMarks(cls, otherTarget[q]!, 0);
    if (cls !== 0 && edgeStart[q] === edgeStart[q + 1] && own === cls) {
      // A leaf past a prefix pattern (the `/` of `bucket/*`): nothing that follows changes its
      // class, so it is its own sink. The walk stops here, not one character later in a shared
      // sink at the far end of the states (a cache miss per check on a large trie).
      otherTarget[q] = q;
      continue;
    }
    let sink = -1;
    if (cls !== 0) {
      sink = sinkOfClass[cls]!;
      if (sink < 0) {
        sink = nodeCount + sinks++;
        sinkOfClass[cls] = sink;
        otherTarget[sink] = sink;
        stateClass[sink] = cls;
      }
    }
    otherTarget[q] = sink;
    stateClass[q] = own;
  }
}

/**
 * Patterns without an array each: pattern i is `tokens[start[at[i]] .. start[at[i] + 1])`, and
 * classes name it by its id `at[i]`. The table builder's patterns are already packed in its
 * interner (compiler/int-lists.ts), and at a million statements an array per pattern cost about
 * a gigabyte; `at` picks a dimension's share, and naming patterns by it spares the table a copy
 * of every class in its own ids.
 */
export interface PatternSlices {
  readonly tokens: Int32Array;
  readonly start: Int32Array;
  readonly at: Int32Array;
}

/** `patterns` packed as slices (for callers holding arrays). */
function slicesOf(patterns: readonly (readonly GlobToken[])[]): PatternSlices {
  const start = new Int32Array(patterns.length + 1);
  for (let i = 0; i < patterns.length; i++) start[i + 1] = start[i]! + patterns[i]!.length;
  const tokens = new Int32Array(start[patterns.length]!);
  patterns.forEach((pattern, i) => tokens.set(pattern, start[i]!));
  return { tokens, start, at: Int32Array.from(patterns, (_, i) => i) };
}

/** Sorts `values[0 .. size)` ascending in place: insertion sort for the short lists most calls have, no allocation. */
export function sortAscending(values: Int32Array, size: number): void {
  if (size > 32) {
    values.subarray(0, size).sort();
    return;
  }
  for (let i = 1; i < size; i++) {
    const v = values[i]!;
    let j = i - 1;
    while (j >= 0 && values[j]! > v) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = v;
  }
}

/** Sorts `values[0 .. size)` ascending and drops repeats in place; returns the new size. */
export function sortUnique(values: Int32Array, size: number): number {
  sortAscending(values, size);
  let n = 0;
  for (let k = 0; k < size; k++) if (k === 0 || values[k] !== values[n - 1]) values[n++] = values[k]!;
  return n;
}

/** `values[0 .. size)` as a plain array (Array.from on a typed array goes through its iterator, slowly). */
export function listOf(values: Int32Array, size: number): number[] {
  const list = new Array<number>(size);
  for (let i = 0; i < size; i++) list[i] = values[i]!;
  return list;
}
