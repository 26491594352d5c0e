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
 * characters (-1: dead). (0, 0) is always true; the table says more wherever the main automaton
 * is a trie: along a chain of states each entered only by one character from the one before
 * (the depth grows by one, the wild state steps by that character), and in a state entered only
 * from one state, whose resume point it then shares. Characters are as the automata read them
 * (folded, for actions).
 */
export function resumePoints(main: Automaton, wild: Automaton): Int32Array {
  const states = main.otherTarget.length;
  const { edgeStart, edgeChar, edgeTarget, otherTarget } = main;
  // Per state: its one predecessor (other than itself), or MANY; how many characters lead in
  // from it (an "other" transition counts as many); whether it loops on itself.
  const MANY = -2;
  const predecessor = new Int32Array(states).fill(-1);
  const ways = new Int32Array(states);
  const entryChar = new Int32Array(states).fill(-1);
  const loops = new Uint8Array(states);
  const enter = (from: number, to: number, char: number) => {
    if (to < 0) return;
    if (to === from) {
      loops[to] = 1;
      return;
    }
    predecessor[to] = predecessor[to] === -1 || predecessor[to] === from ? from : MANY;
    ways[to] = ways[to]! + (char < 0 ? 2 : 1);
    entryChar[to] = char;
  };
  for (let s = 0; s < states; s++) {
    for (let e = edgeStart[s]!; e < edgeStart[s + 1]!; e++) enter(s, edgeTarget[e]!, edgeChar[e]!);
    enter(s, otherTarget[s]!, -1);
  }
  // Breadth-first from state 0: a state with one predecessor is reached after it.
  const points = new Int32Array(2 * states); // (0, 0) unless found otherwise
  // Whether only one string reaches the state (then its depth is that string's length).
  const exact = new Uint8Array(states);
  exact[0] = predecessor[0] === -1 && loops[0] === 0 ? 1 : 0;
  const seen = new Uint8Array(states);
  const queue = new Int32Array(states);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  seen[0] = 1;
  const visit = (t: number) => {
    if (t >= 0 && seen[t] === 0) {
      seen[t] = 1;
      queue[tail++] = t;
    }
  };
  while (head < tail) {
    const s = queue[head++]!;
    const p = predecessor[s]!;
    if (s !== 0 && p >= 0) {
      if (exact[p] === 1 && ways[s] === 1) {
        const w = points[2 * p + 1]!;
        points[2 * s] = points[2 * p]! + 1;
        points[2 * s + 1] = w < 0 ? -1 : stepAutomaton(wild, w, entryChar[s]!);
        exact[s] = loops[s] === 0 ? 1 : 0;
      } else {
        points[2 * s] = points[2 * p]!;
        points[2 * s + 1] = points[2 * p + 1]!;
      }
    }
    for (let e = edgeStart[s]!; e < edgeStart[s + 1]!; e++) visit(edgeTarget[e]!);
    visit(otherTarget[s]!);
  }
  return points;
}
