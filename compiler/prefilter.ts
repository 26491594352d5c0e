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
  // Each step is a function of its own, one loop over the states: V8 compiles a long-running
  // loop while it runs (OSR), and in a function of several loops that code deoptimizes at the
  // first one that has not run yet (as one function, its loops ran partly in the interpreter).
  const points = new Int32Array(2 * main.otherTarget.length);
  const flags = transitionsInto(main, points);
  if (settledPoints(wild, flags, points) > 0) loosePoints(main, wild, flags, points, looseTransitions(main, flags, points));
  return points;
}

/** `flags` per state (transitionsInto): one transition into it, several, a loop. */
const ONE = 1;
const MANY = 2;
const LOOP = 4;
/**
 * `flags` per state (settledPoints): one string reaches it (EXACT); its point is settled all the
 * same (FIXED: its transitions give it as it is, not stepped); or it waits for the fixed point
 * (LOOSE).
 */
const EXACT = 8;
const FIXED = 16;
const LOOSE = 32;
const SETTLED = EXACT | FIXED | LOOSE;
/** A point not known yet. */
const UNKNOWN = -1;

/**
 * The transitions into each state other than its own loops: how many (none, ONE or MANY), and
 * LOOP when it has one; for ONE, where from and on what character (-1 for "any other"), in the
 * state's slots of `points` until its point replaces them.
 */
function transitionsInto(main: Automaton, points: Int32Array): Uint8Array {
  const { edgeStart, edgeChar, edgeTarget, otherTarget } = main;
  const states = otherTarget.length;
  const into = new Uint8Array(states);
  for (let s = 0; s < states; s++) {
    for (let e = edgeStart[s]!; e <= edgeStart[s + 1]!; e++) {
      const t = e < edgeStart[s + 1]! ? edgeTarget[e]! : otherTarget[s]!;
      if (t === s) {
        into[t]! |= LOOP;
      } else if (t >= 0 && (into[t]! & (ONE | MANY)) === 0) {
        points[2 * t] = s;
        points[2 * t + 1] = e < edgeStart[s + 1]! ? edgeChar[e]! : -1;
        into[t]! |= ONE;
      } else if (t >= 0) {
        into[t] = (into[t]! & LOOP) | MANY;
      }
    }
  }
  return into;
}

/**
 * The points that one transition settles, in place in `points`; returns how many states are
 * LOOSE. State 0's point is (0, 0), EXACT when nothing leads into it. A state with one
 * transition into it (its loop aside) has the point that transition gives, once its source's is
 * settled: the source's point stepped by the character when the source is EXACT (then it is
 * EXACT too, if it has no loop), else as it is. A state whose one source comes after it waits
 * for a later pass (automata numbered in preorder have none; a source never settled lies on a
 * cycle no string reaches). On a trie every state but the shared sinks is settled so: a node has
 * one parent.
 */
function settledPoints(wild: Automaton, flags: Uint8Array, points: Int32Array): number {
  const states = flags.length;
  flags[0]! |= flags[0] === 0 ? EXACT : FIXED;
  points[0] = 0;
  points[1] = 0;
  let loose = 0;
  for (let progress = true; progress; ) {
    progress = false;
    let waiting = 0;
    for (let t = 1; t < states; t++) {
      if ((flags[t]! & SETTLED) !== 0) continue;
      const source = points[2 * t]!;
      const char = points[2 * t + 1]!;
      if ((flags[t]! & ONE) === 0 || (flags[source]! & LOOSE) !== 0) {
        flags[t]! |= LOOSE;
        loose++;
      } else if ((flags[source]! & SETTLED) === 0) {
        waiting++;
        continue;
      } else if ((flags[source]! & EXACT) !== 0 && char >= 0) {
        const w = points[2 * source + 1]!;
        points[2 * t] = points[2 * source]! + 1;
        points[2 * t + 1] = w < 0 ? -1 : stepAutomaton(wild, w, char);
        flags[t]! |= (flags[t]! & LOOP) === 0 ? EXACT : FIXED;
      } else {
        points[2 * t] = points[2 * source]!;
        points[2 * t + 1] = points[2 * source + 1]!;
        flags[t]! |= FIXED;
      }
      progress = true;
    }
    if (!progress && waiting > 0) {
      for (let t = 1; t < states; t++) {
        if ((flags[t]! & SETTLED) === 0) {
          flags[t]! |= LOOSE;
          loose++;
        }
      }
    }
  }
  return loose;
}

/** The loose states numbered densely (the number in the state's first slot of `points` meanwhile), and their transitions. */
interface LooseTransitions {
  readonly count: number;
  /** Loose state i's transitions: from/via[start[i] .. start[i + 1]) (via: the character, or -1 for "any other"). */
  readonly start: Int32Array;
  readonly from: Int32Array;
  readonly via: Int32Array;
}

function looseTransitions(main: Automaton, flags: Uint8Array, points: Int32Array): LooseTransitions {
  const { edgeStart, edgeChar, edgeTarget, otherTarget } = main;
  const states = flags.length;
  let count = 0;
  for (let t = 0; t < states; t++) if ((flags[t]! & LOOSE) !== 0) points[2 * t] = count++;
  // Counted, then filled.
  const start = new Int32Array(count + 1);
  for (let s = 0; s < states; s++) {
    for (let e = edgeStart[s]!; e <= edgeStart[s + 1]!; e++) {
      const t = e < edgeStart[s + 1]! ? edgeTarget[e]! : otherTarget[s]!;
      if (t >= 0 && t !== s && (flags[t]! & LOOSE) !== 0) start[points[2 * t]!]!++;
    }
  }
  for (let i = 0, sum = 0; i <= count; i++) {
    const n = start[i]!;
    start[i] = sum;
    sum += n;
  }
  const from = new Int32Array(start[count]!);
  const via = new Int32Array(start[count]!);
  // Each state's list filled from its start on (which then ends at the next one's start: shifted back after).
  for (let s = 0; s < states; s++) {
    for (let e = edgeStart[s]!; e <= edgeStart[s + 1]!; e++) {
      const t = e < edgeStart[s + 1]! ? edgeTarget[e]! : otherTarget[s]!;
      if (t >= 0 && t !== s && (flags[t]! & LOOSE) !== 0) {
        const k = start[points[2 * t]!]!++;
        from[k] = s;
        via[k] = e < edgeStart[s + 1]! ? edgeChar[e]! : -1;
      }
    }
  }
  start.copyWithin(1, 0, count);
  start[0] = 0;
  return { count, start, from, via };
}

/**
 * The loose states' points: the greatest fixed point of "a state's point is what every
 * transition into it gives", from "unknown" down. A transition from an EXACT state gives its
 * point stepped by its character (or as it is, for "any other character"); from a FIXED one,
 * its point; from a LOOSE one, its point (one never reached gives nothing). Each is true of every
 * string by induction on its length. A state nothing reaches gets (0, 0).
 *
 * Points only meet ((0, 0) when two differ), and a loose transition passes its source's point
 * on as it is, so the loose states of a strongly connected component share one point: what all
 * transitions into it from outside give. Components come out of Tarjan's algorithm, run over the
 * transitions backwards, sources first, so each is settled once, from settled points. (A worklist
 * from "unknown" down evaluated the states of the wildcards workload's automaton 3.4 times each,
 * 19 million transitions, at 10,000 statements.)
 */
function loosePoints(main: Automaton, wild: Automaton, flags: Uint8Array, points: Int32Array, loose: LooseTransitions): void {
  const { count, start, from, via } = loose;
  /** The component's point, per loose state once its component is settled; depth UNKNOWN until then or when nothing reaches it. */
  const depthOf = new Int32Array(count).fill(UNKNOWN);
  const wildOf = new Int32Array(count);
  // Tarjan's algorithm, without recursion: `path` holds the states of unfinished components,
  // and `visit` the depth-first walk as (state, next transition) pairs.
  const order = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onPath = new Uint8Array(count);
  const path = new Int32Array(count);
  const visitState = new Int32Array(count);
  const visitNext = new Int32Array(count);
  let numbered = 0;
  let pathSize = 0;
  for (let root = 0; root < count; root++) {
    if (order[root] !== -1) continue;
    let visits = 0;
    order[root] = low[root] = numbered++;
    path[pathSize++] = root;
    onPath[root] = 1;
    visitState[visits] = root;
    visitNext[visits++] = start[root]!;
    while (visits > 0) {
      const i = visitState[visits - 1]!;
      const k = visitNext[visits - 1]!;
      if (k < start[i + 1]!) {
        visitNext[visits - 1] = k + 1;
        const s = from[k]!;
        if ((flags[s]! & LOOSE) === 0) continue;
        const j = points[2 * s]!;
        if (order[j] === -1) {
          order[j] = low[j] = numbered++;
          path[pathSize++] = j;
          onPath[j] = 1;
          visitState[visits] = j;
          visitNext[visits++] = start[j]!;
        } else if (onPath[j] === 1) {
          low[i] = Math.min(low[i]!, order[j]!);
        }
        continue;
      }
      visits--;
      if (visits > 0) {
        const parent = visitState[visits - 1]!;
        low[parent] = Math.min(low[parent]!, low[i]!);
      }
      if (low[i] !== order[i]) continue;
      // i roots a component: path[first ..) are its states. Its point, from every transition into
      // it but its own.
      let first = pathSize - 1;
      while (path[first] !== i) first--;
      let depth = UNKNOWN;
      let wildState = 0;
      for (let p = first; p < pathSize && !(depth === 0 && wildState === 0); p++) {
        const member = path[p]!;
        for (let k2 = start[member]!; k2 < start[member + 1]!; k2++) {
          const s = from[k2]!;
          let given: number;
          let w: number;
          if ((flags[s]! & LOOSE) !== 0) {
            const j = points[2 * s]!;
            if (onPath[j] === 1) continue; // in this component
            given = depthOf[j]!;
            w = wildOf[j]!;
            if (given === UNKNOWN) continue; // nothing reaches it
          } else {
            given = points[2 * s]!;
            w = points[2 * s + 1]!;
            if ((flags[s]! & EXACT) !== 0 && via[k2]! >= 0) {
              given++;
              w = w < 0 ? -1 : stepAutomaton(wild, w, via[k2]!);
            }
          }
          if (depth === UNKNOWN) {
            depth = given;
            wildState = w;
          } else if (depth !== given || wildState !== w) {
            depth = 0;
            wildState = 0;
            break;
          }
        }
      }
      for (let p = first; p < pathSize; p++) {
        const member = path[p]!;
        onPath[member] = 0;
        depthOf[member] = depth;
        wildOf[member] = wildState;
      }
      pathSize = first;
    }
  }
  writeLoosePoints(flags, points, depthOf, wildOf);
}

/** Each loose state's point into `points`, in place of its dense number ((0, 0) when unknown). */
function writeLoosePoints(flags: Uint8Array, points: Int32Array, depthOf: Int32Array, wildOf: Int32Array): void {
  for (let t = 0; t < flags.length; t++) {
    if ((flags[t]! & LOOSE) === 0) continue;
    const i = points[2 * t]!;
    const known = depthOf[i] !== UNKNOWN;
    points[2 * t] = known ? depthOf[i]! : 0;
    points[2 * t + 1] = known ? wildOf[i]! : 0;
  }
}
