// The wild gate: a prefilter in front of a dimension's wild automaton, as regex engines put a
// literal search in front of their automata (RE2's prefilters, Hyperscan's literal matchers).
//
// Every wild statement pattern (a mid-string wildcard) needs some literal text to match:
// `arn:aws:*:::*/secret/*` cannot match a string without `/secret/`. If a string holds none of
// those literals, no wild statement pattern matches it, and the runtime walks the wild automaton
// only as far as the ARN probes (which account, whether a KMS key) can still match: a dozen
// characters of an ARN instead of all of it. Walking costs a few nanoseconds per character in
// JS; `indexOf` searches natively, so a gate of a few literals costs less than the walk it saves.
import { WILD_GATE_MAX } from "../runtime/wire.js";
import { stepAutomaton, type Automaton, type GlobToken } from "./automaton.js";
/** A literal shorter than this is in most strings: it would keep the gate open for nothing. */
const MIN_LITERAL = 4;

/**
 * The gate for wild statement `patterns`: literals such that every string some pattern matches
 * contains one of them (exactly, case-sensitively); [] when there is no such pattern (the gate is
 * always shut); undefined for no gate (the runtime walks all of every string). Only for
 * dimensions that compare exactly: a case-folded dimension's text is not folded when the runtime
 * searches it.
 */
export function wildGate(patterns: readonly ArrayLike<GlobToken>[]): string[] | undefined {
  const needed = new Set<string>();
  for (const pattern of patterns) {
    const literal = neededLiteral(pattern);
    if (literal === undefined) return undefined;
    needed.add(literal);
  }
  // A string holding a literal holds every literal inside it: the inner one is enough.
  const all = [...needed];
  const gate = all.filter((a) => !all.some((b) => b !== a && a.includes(b))).sort();
  return gate.length <= WILD_GATE_MAX ? gate : undefined;
}

/**
 * A literal every string matching `pattern` contains: its longest run of plain characters not at
 * its start (a leading run such as `arn:aws:s3:::` is in most resources), else its longest run;
 * undefined when no run is MIN_LITERAL long.
 */
export function neededLiteral(pattern: ArrayLike<GlobToken>): string | undefined {
  let inner: string | undefined;
  let leading: string | undefined;
  let start = 0;
  while (start < pattern.length) {
    let end = start;
    while (end < pattern.length && pattern[end]! >= 0) end++;
    if (end - start >= MIN_LITERAL) {
      let run = "";
      for (let i = start; i < end; i++) run += String.fromCharCode(pattern[i]!);
      if (start === 0) leading = run;
      else if (inner === undefined || run.length > inner.length) inner = run;
    }
    start = end + 1;
  }
  return inner ?? leading;
}

// ---------------------------------------------------------------------------------------------
// Resume points: where the wild walk can start, given where the main walk went.
//
// Both automata read the same string from its start. The main one is in effect a trie, so most
// of its states are reached by one string only (`arn:aws:s3:::bucket/`): the wild automaton's
// state after that string is known when the table is built. The runtime then starts the wild
// walk there, at that depth, instead of reading the prefix again: for a resource under a prefix
// pattern it skips most of the ARN, and when the gate is shut the state it starts in is, most
// often, already one no probe can leave (the walk stops at once).

/**
 * Per main state s, two ints: a depth d and a wild state w such that every string whose main
 * walk passes through s is at least d long and leads the wild automaton to w in its first d
 * characters (-1: dead). (0, 0) is always true. Along a trie's chains, where only one string
 * reaches a state, the depth grows by one per state and the wild state steps by its character;
 * a state entered from several takes the point they all give it (the loop of `app-*` in
 * `arn:aws:s3:::app-*` keeps the point after `app-`), or (0, 0) when they disagree. Characters
 * are as the automata read them (folded, for actions).
 *
 * The points are the greatest fixed point of "a state's point is what every transition into it
 * gives": a transition from a state only one string reaches gives that string's point stepped by
 * its character (or the state's own point, for "any other character"); any other gives its
 * source's point. Each is true of every string by induction on its length.
 */
export function resumePoints(main: Automaton, wild: Automaton): Int32Array {
  const states = main.otherTarget.length;
  const { edgeStart, edgeChar, edgeTarget, otherTarget } = main;
  // Transitions into each state, other than its own loops: (source, character or -1 for "any
  // other"), as compressed lists: from/via[inStart[t] .. inStart[t + 1]). Two passes over the
  // transitions, counting then filling (plain loops: this runs over every state of a trie).
  const inStart = new Int32Array(states + 1);
  const loops = new Uint8Array(states);
  for (let s = 0; s < states; s++) {
    for (let e = edgeStart[s]!; e < edgeStart[s + 1]!; e++) {
      const t = edgeTarget[e]!;
      if (t === s) loops[s] = 1;
      else if (t >= 0) inStart[t + 1]!++;
    }
    const other = otherTarget[s]!;
    if (other === s) loops[s] = 1;
    else if (other >= 0) inStart[other + 1]!++;
  }
  for (let t = 0; t < states; t++) inStart[t + 1]! += inStart[t]!;
  const from = new Int32Array(inStart[states]!);
  const via = new Int32Array(inStart[states]!);
  const fill = inStart.slice(0, states);
  for (let s = 0; s < states; s++) {
    for (let e = edgeStart[s]!; e < edgeStart[s + 1]!; e++) {
      const t = edgeTarget[e]!;
      if (t >= 0 && t !== s) {
        from[fill[t]!] = s;
        via[fill[t]!++] = edgeChar[e]!;
      }
    }
    const other = otherTarget[s]!;
    if (other >= 0 && other !== s) {
      from[fill[other]!] = s;
      via[fill[other]!++] = -1;
    }
  }

  // Whether only one string reaches a state: state 0 with nothing leading into it, or a state
  // with one transition into it, on one character, from such a state, and no loop. Found
  // breadth-first, since such a state is reached right after its source.
  const exact = new Uint8Array(states);
  const order = new Int32Array(states);
  const seen = new Uint8Array(states);
  let count = 0;
  order[count++] = 0;
  seen[0] = 1;
  for (let head = 0; head < count; head++) {
    const s = order[head]!;
    if (loops[s] === 0 && (s === 0 ? inStart[1] === 0 : inStart[s + 1]! - inStart[s]! === 1 && via[inStart[s]!]! >= 0 && exact[from[inStart[s]!]!] === 1)) exact[s] = 1;
    for (let e = edgeStart[s]!; e < edgeStart[s + 1]!; e++) {
      const t = edgeTarget[e]!;
      if (t >= 0 && seen[t] === 0) { seen[t] = 1; order[count++] = t; }
    }
    const other = otherTarget[s]!;
    if (other >= 0 && seen[other] === 0) { seen[other] = 1; order[count++] = other; }
  }

  // The fixed point, from "unknown" (depth -1) down: a state's point changes at most twice
  // (unknown, a point, (0, 0)), so the worklist empties in a few passes over the transitions.
  const UNKNOWN = -1;
  const points = new Int32Array(2 * states).fill(UNKNOWN);
  points[0] = 0;
  points[1] = 0;
  // The worklist is a stack in a typed array: a state is on it at most once (queued), so it never
  // holds more than every state, and a plain array grew to that size on a large trie.
  const queued = new Uint8Array(states);
  const work = new Int32Array(states);
  let pending = 0;
  for (let i = count - 1; i > 0; i--) { work[pending++] = order[i]!; queued[order[i]!] = 1; }
  while (pending > 0) {
    const t = work[--pending]!;
    queued[t] = 0;
    let depth = UNKNOWN;
    let state = 0;
    for (let i = inStart[t]!; i < inStart[t + 1]!; i++) {
      const s = from[i]!;
      const d = points[2 * s]!;
      if (d === UNKNOWN) continue; // not reached yet: it adds its point when it is
      let w = points[2 * s + 1]!;
      let given = d;
      if (exact[s] === 1 && via[i]! >= 0) {
        given = d + 1;
        w = w < 0 ? -1 : stepAutomaton(wild, w, via[i]!);
      }
      if (depth === UNKNOWN) {
        depth = given;
        state = w;
      } else if (depth !== given || state !== w) {
        depth = 0;
        state = 0;
        break;
      }
    }
    if (depth === UNKNOWN || (depth === points[2 * t] && state === points[2 * t + 1])) continue;
    points[2 * t] = depth;
    points[2 * t + 1] = state;
    // What t leads to takes its new point into account.
    for (let e = edgeStart[t]!; e <= edgeStart[t + 1]!; e++) {
      const u = e < edgeStart[t + 1]! ? edgeTarget[e]! : otherTarget[t]!;
      if (u > 0 && u !== t && queued[u] === 0) {
        queued[u] = 1;
        work[pending++] = u;
      }
    }
  }
  for (let s = 0; s < states; s++) if (points[2 * s] === UNKNOWN) { points[2 * s] = 0; points[2 * s + 1] = 0; }
  return points;
}
