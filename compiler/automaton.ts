// Deterministic automata over IAM glob patterns. One automaton recognizes many patterns at once:
// walking a string to its end lands in a state whose label is the set of patterns that match
// the whole string. Built by subset construction over the patterns' positions; a set of literal
// patterns comes out as a trie, and `*` adds the loops.
import { grown } from "./int-lists.js";

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
  // stars, sorted, deduplicated, and copied out only when it is a state not seen before.
  let scratch: Int32Array = new Int32Array(64);
  let size = 0;
  const push = (position: number) => {
    if (size === scratch.length) {
      const bigger = new Int32Array(scratch.length * 2);
      bigger.set(scratch);
      scratch = bigger;
    }
    scratch[size++] = position;
  };
  /** Adds a position and, since a star may match the empty run, the positions after it. */
  const pushClosed = (position: number) => {
    push(position);
    while (tokenAt[position] === STAR || tokenAt[position] === FIELD) push(++position);
  };

  // States are interned by their position sets: a numeric hash, then an exact comparison.
  const buckets = new Map<number, number[]>();
  const stateSets: Int32Array[] = [];
  /** Interns scratch[0 .. size) (closed, not yet sorted); -1 for the empty set. */
  const internScratch = (): number => {
    if (size === 0) return -1;
    const view = scratch.subarray(0, size).sort();
    let n = 0;
    for (let k = 0; k < view.length; k++) if (k === 0 || view[k] !== view[k - 1]) view[n++] = view[k]!;
    let hash = 0x811c9dc5 ^ n;
    for (let k = 0; k < n; k++) hash = Math.imul(hash ^ view[k]!, 0x01000193);
    let bucket = buckets.get(hash);
    if (bucket === undefined) buckets.set(hash, (bucket = []));
    for (const id of bucket) {
      const other = stateSets[id]!;
      if (other.length !== n) continue;
      let same = true;
      for (let k = 0; k < n && same; k++) same = other[k] === view[k];
      if (same) return id;
    }
    const id = stateSets.length;
    if (id >= maxStates) throw new AutomatonTooLarge(`more than ${maxStates} states`);
    bucket.push(id);
    stateSets.push(view.slice(0, n));
    return id;
  };

  size = 0;
  for (let i = 0; i < patterns.length; i++) pushClosed(base[i]!);
  if (internScratch() < 0) stateSets.push(new Int32Array(0)); // no patterns: keep state 0 anyway

  const edgeStart: number[] = [];
  const edgeChar: number[] = [];
  const edgeTarget: number[] = [];
  const otherTarget: number[] = [];
  const classKeys = new Map<string, number>([["", 0]]);
  const classes: number[][] = [[]];
  const stateClass: number[] = [];
  // Per state: the moves on specific characters as (char, next position) pairs, and the moves
  // every character makes (`?` and `*`; FIELD and FIELD_CHAR on every character but `:`).
  let pairChar = new Int32Array(64);
  let pairNext = new Int32Array(64);
  const order: number[] = [];
  const anyMoves: number[] = [];
  const nonColonMoves: number[] = [];
  const matched: number[] = [];

  for (let s = 0; s < stateSets.length; s++) {
    const set = stateSets[s]!;
    let pairs = 0;
    anyMoves.length = 0;
    nonColonMoves.length = 0;
    matched.length = 0;
    for (let k = 0; k < set.length; k++) {
      const position = set[k]!;
      const token = tokenAt[position]!;
      if (token === DONE) matched.push(patternAt[position]!);
      else if (token === ANY) anyMoves.push(position + 1);
      else if (token === STAR) anyMoves.push(position);
      else if (token === FIELD) nonColonMoves.push(position);
      else if (token === FIELD_CHAR) nonColonMoves.push(position + 1);
      else {
        if (pairs === pairChar.length) {
          const chars = new Int32Array(pairs * 2); chars.set(pairChar); pairChar = chars;
          const nexts = new Int32Array(pairs * 2); nexts.set(pairNext); pairNext = nexts;
        }
        pairChar[pairs] = token;
        pairNext[pairs++] = position + 1;
      }
    }
    // `:` must be explicit whenever a FIELD is live, since it behaves differently there.
    if (nonColonMoves.length > 0) {
      if (pairs === pairChar.length) {
        const chars = new Int32Array(pairs * 2); chars.set(pairChar); pairChar = chars;
        const nexts = new Int32Array(pairs * 2); nexts.set(pairNext); pairNext = nexts;
      }
      pairChar[pairs] = 58;
      pairNext[pairs++] = -1; // no move of its own
    }

    size = 0;
    for (const m of anyMoves) pushClosed(m);
    for (const m of nonColonMoves) pushClosed(m);
    const other = internScratch();

    order.length = pairs;
    for (let k = 0; k < pairs; k++) order[k] = k;
    order.sort((x, y) => pairChar[x]! - pairChar[y]!);
    edgeStart.push(edgeChar.length);
    for (let k = 0; k < pairs; ) {
      const char = pairChar[order[k]!]!;
      size = 0;
      for (; k < pairs && pairChar[order[k]!] === char; k++) {
        const next = pairNext[order[k]!]!;
        if (next >= 0) pushClosed(next);
      }
      for (const m of anyMoves) pushClosed(m);
      if (char !== 58) for (const m of nonColonMoves) pushClosed(m);
      const target = internScratch();
      // An edge to where every other character goes anyway says nothing: leave it out.
      if (target === other) continue;
      edgeChar.push(char);
      edgeTarget.push(target);
    }
    otherTarget.push(other);

    const key = matched.join(",");
    let cls = classKeys.get(key);
    if (cls === undefined) {
      cls = classes.length;
      classKeys.set(key, cls);
      classes.push([...matched]);
    }
    stateClass.push(cls);
  }
  edgeStart.push(edgeChar.length);

  return inPreorder({
    edgeStart: Int32Array.from(edgeStart),
    edgeChar: Int32Array.from(edgeChar),
    edgeTarget: Int32Array.from(edgeTarget),
    otherTarget: Int32Array.from(otherTarget),
    stateClass: Int32Array.from(stateClass),
    classes,
  });
}

/**
 * The same automaton with its states renumbered in depth-first preorder from state 0, smallest
 * character first, then the "other" target. A state's first edge then leads to the next state
 * wherever that state was not reached before, so chains of states are runs of consecutive
 * numbers: the runtime walks runs by one sequential compare per character, and a walk's states
 * sit near each other in memory (as the trie's do; see buildTrieAutomaton).
 */
export function inPreorder(a: Automaton): Automaton {
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
 */
export function buildTrieAutomaton(patterns: readonly (readonly GlobToken[])[] | PatternSlices): Automaton {
  const { tokens, start, at } = Array.isArray(patterns) ? slicesOf(patterns) : (patterns as PatternSlices);
  const patternCount = at.length;
  // Trie nodes in flat typed arrays (no object per node): each node's children as a list kept
  // sorted by character (first child, next sibling), its parent, and the patterns ending at it
  // as linked lists of marks. Patterns share most of their characters with others (ARNs):
  // the arrays start small and grow.
  let capacity = 1024;
  let firstChild = new Int32Array(capacity).fill(-1);
  let nextSibling = new Int32Array(capacity).fill(-1);
  let parent = new Int32Array(capacity).fill(-1);
  let nodeChar = new Int32Array(capacity).fill(-1);
  let markHead = new Int32Array(capacity).fill(-1);
  const grow = () => {
    capacity *= 2;
    firstChild = grownFilled(firstChild, capacity);
    nextSibling = grownFilled(nextSibling, capacity);
    parent = grownFilled(parent, capacity);
    nodeChar = grownFilled(nodeChar, capacity);
    markHead = grownFilled(markHead, capacity);
  };
  const markNext = new Int32Array(patternCount);
  const markPrefix = new Uint8Array(patternCount);
  let nodeCount = 1;
  for (let id = 0; id < patternCount; id++) {
    const from = start[at[id]!]!;
    const to = start[at[id]! + 1]!;
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
        if (nodeCount === capacity) grow();
        const created = nodeCount++;
        nodeChar[created] = char;
        parent[created] = node;
        nextSibling[created] = child;
        if (before < 0) firstChild[node] = created;
        else nextSibling[before] = created;
        child = created;
      }
      node = child;
    }
    // A mark is its pattern's id: pattern `id` ends at `node`.
    markNext[id] = markHead[node]!;
    markPrefix[id] = star ? 1 : 0;
    markHead[node] = id;
  }

  // Classes are sets of sorted pattern ids, numbered in first-seen order (class 0 is the empty
  // set). The set a node's class is built from is its parent's set plus its own marks. No set
  // needs interning: a pattern has one mark, at one node, so a set holding a node's own marks
  // is made only by that node's one call per kind (prefix or exact), and is new.
  const classes: number[][] = [[]];
  let scratch: Int32Array = new Int32Array(64);
  /** The class of the set classes[base] + the marks of `node` (prefix ones, or exact ones). */
  const classWithMarks = (base: number, node: number, prefix: number): number => {
    const held = classes[base]!;
    let size = 0;
    for (let m = markHead[node]!; m >= 0; m = markNext[m]!) if (markPrefix[m] === prefix) size++;
    if (size === 0) return base;
    if (held.length + size > scratch.length) scratch = grown(scratch, held.length + size);
    size = 0;
    for (const id of held) scratch[size++] = id;
    for (let m = markHead[node]!; m >= 0; m = markNext[m]!) if (markPrefix[m] === prefix) scratch[size++] = at[m]!;
    return classes.push(listOf(scratch, sortUnique(scratch, size))) - 1;
  };

  // States: the trie nodes in depth-first preorder (state 0 = root), children by character, then
  // one sink per distinct set of prefix patterns matched on the way down (a leaf that would only
  // lead to its sink is that sink). In preorder a node's
  // first child is the next state, so a chain of single-child nodes (most of a trie of ARNs) is
  // a run of consecutive states: the runtime walks such runs by comparing characters, touching
  // one array sequentially.
  const order = new Int32Array(nodeCount);
  const stateOf = new Int32Array(nodeCount);
  for (let q = 0, node = 0; ; ) {
    order[q] = node;
    stateOf[node] = q++;
    if (firstChild[node]! >= 0) {
      node = firstChild[node]!;
      continue;
    }
    while (node !== 0 && nextSibling[node]! < 0) node = parent[node]!;
    if (node === 0) break;
    node = nextSibling[node]!;
  }
  // The prefix patterns matched from the root to each node, as a class; classes are numbered in
  // the order this loop meets them (the root, then each node's children, nodes in preorder).
  const passClass = new Int32Array(nodeCount);
  passClass[0] = classWithMarks(0, 0, 1);
  const edgeChar = new Int32Array(Math.max(0, nodeCount - 1));
  const edgeTarget = new Int32Array(Math.max(0, nodeCount - 1));
  const edgeStart = new Int32Array(nodeCount + 1);
  let edges = 0;
  for (let q = 0; q < nodeCount; q++) {
    const node = order[q]!;
    edgeStart[q] = edges;
    for (let child = firstChild[node]!; child >= 0; child = nextSibling[child]!) {
      passClass[child] = classWithMarks(passClass[node]!, child, 1);
      edgeChar[edges] = nodeChar[child]!;
      edgeTarget[edges++] = stateOf[child]!;
    }
  }
  edgeStart[nodeCount] = edges;

  // Every pass class exists by now (the loop below adds only exact ones): a sink per class, -1 until made.
  const sinkOfClass = new Int32Array(classes.length).fill(-1);
  const sinkClass: number[] = [];
  const otherTarget = new Int32Array(nodeCount + classes.length);
  const stateClass = new Int32Array(nodeCount + classes.length);
  for (let q = 0; q < nodeCount; q++) {
    const node = order[q]!;
    const cls = passClass[node]!;
    const own = classWithMarks(cls, node, 0);
    if (cls !== 0 && firstChild[node]! < 0 && own === cls) {
      // A leaf past a prefix pattern (the `/` of `bucket/*`): nothing that follows changes its
      // class, so it is its own sink. The walk stops here, not one character later in a shared
      // sink at the far end of the states (a cache miss per check on a large trie).
      otherTarget[q] = q;
      stateClass[q] = cls;
      continue;
    }
    let sink = -1;
    if (cls !== 0) {
      sink = sinkOfClass[cls]!;
      if (sink < 0) {
        sink = nodeCount + sinkClass.length;
        sinkOfClass[cls] = sink;
        sinkClass.push(cls);
      }
    }
    otherTarget[q] = sink;
    stateClass[q] = own;
  }
  const states = nodeCount + sinkClass.length;
  const sinkEdgeStart = new Int32Array(states + 1);
  sinkEdgeStart.set(edgeStart.subarray(0, nodeCount + 1));
  for (let k = 0; k < sinkClass.length; k++) {
    sinkEdgeStart[nodeCount + k + 1] = edges;
    otherTarget[nodeCount + k] = nodeCount + k;
    stateClass[nodeCount + k] = sinkClass[k]!;
  }
  return {
    edgeStart: sinkEdgeStart,
    edgeChar: edgeChar.slice(0, edges),
    edgeTarget: edgeTarget.slice(0, edges),
    otherTarget: otherTarget.slice(0, states),
    stateClass: stateClass.slice(0, states),
    classes,
  };
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

/** A copy of `values` with `size` elements, the new ones -1. */
function grownFilled(values: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(size).fill(-1);
  bigger.set(values);
  return bigger;
}
