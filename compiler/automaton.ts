// Deterministic automata over IAM glob patterns. One automaton recognizes many patterns at once:
// walking a string to its end lands in a state whose label is the set of patterns that match
// the whole string. Built by subset construction over the patterns' positions; a set of literal
// patterns comes out as a trie, and `*` adds the loops.

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
export function buildAutomaton(patterns: readonly (readonly GlobToken[])[], maxStates = 4_000_000): Automaton {
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
  let scratch = new Int32Array(64);
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

  return {
    edgeStart: Int32Array.from(edgeStart),
    edgeChar: Int32Array.from(edgeChar),
    edgeTarget: Int32Array.from(edgeTarget),
    otherTarget: Int32Array.from(otherTarget),
    stateClass: Int32Array.from(stateClass),
    classes,
  };
}

/** Walks `text` through the automaton (the same walk the runtime does); returns the class. */
export function classify(automaton: Automaton, text: string, caseFold = false): number {
  let state = 0;
  for (let i = 0; i < text.length && state >= 0; i++) {
    let char = text.charCodeAt(i);
    if (caseFold) char = foldCase(char);
    state = step(automaton, state, char);
  }
  return state < 0 ? 0 : automaton.stateClass[state]!;
}

function step(automaton: Automaton, state: number, char: number): number {
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
