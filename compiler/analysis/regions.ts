// The decision table as a finite partition, made explicit. A dimension (actions, resources) of a
// table splits every possible string into classes by the state its automata end in; walking the
// automata of several tables side by side (a product) splits strings into the regions no table
// can tell apart, each found with its shortest example. Decisions are then constant on
// (caller class × action region × resource region), up to conditions, which is what makes diff,
// access and who exact: every string is in one region, and each region is looked at once.
import { bytesInt32, type WireAutomaton } from "../../runtime/format.js";
import type { DimensionClass, InspectedDimension } from "../../runtime/index.js";

/** Past this many product states a dimension is too big to enumerate: say so rather than hang. */
export const MAX_PRODUCT_STATES = 10_000_000;

export class AnalysisTooLarge extends Error {
  override name = "AnalysisTooLarge";
}

/** An automaton decoded for stepping one character at a time. */
export class SteppedAutomaton {
  private readonly edgeStart: Int32Array;
  private readonly edgeChar: Int32Array;
  private readonly edgeTarget: Int32Array;
  private readonly otherTarget: Int32Array;
  private readonly stateClass: Int32Array;
  /**
   * An automaton that matches nothing is never walked by the runtime, which then takes its
   * state 0 for every string; stepping keeps it there too, so classes agree.
   */
  readonly pinned: boolean;

  constructor(wire: WireAutomaton) {
    this.edgeStart = bytesInt32(wire.edgeStart);
    this.edgeChar = bytesInt32(wire.edgeChar);
    this.edgeTarget = bytesInt32(wire.edgeTarget);
    this.otherTarget = bytesInt32(wire.otherTarget);
    this.stateClass = bytesInt32(wire.stateClass);
    this.pinned = this.otherTarget.length === 1 && this.edgeChar.length === 0 && this.otherTarget[0] === -1;
  }

  step(state: number, char: number): number {
    if (this.pinned) return 0;
    if (state < 0) return -1;
    for (let e = this.edgeStart[state]!; e < this.edgeStart[state + 1]!; e++) if (this.edgeChar[e] === char) return this.edgeTarget[e]!;
    return this.otherTarget[state]!;
  }

  private stableStates: Uint8Array | undefined;

  /**
   * Whether every continuation of a string that reaches the state keeps its class (dead, a sink,
   * or a state that only leads to states of its class): its strings' extensions are no different.
   */
  isStable(state: number): boolean {
    if (this.pinned || state < 0) return true;
    return (this.stableStates ??= this.computeStable())[state] === 1;
  }

  /** Unstable states lead to another class; the rest are stable. Worklist over reversed edges. */
  private computeStable(): Uint8Array {
    const n = this.otherTarget.length;
    const classOf = (t: number) => (t < 0 ? 0 : this.stateClass[t]!);
    const predecessors: number[][] = Array.from({ length: n }, () => []);
    const unstable = new Uint8Array(n);
    const work: number[] = [];
    for (let s = 0; s < n; s++) {
      const targets = [this.otherTarget[s]!];
      for (let e = this.edgeStart[s]!; e < this.edgeStart[s + 1]!; e++) targets.push(this.edgeTarget[e]!);
      for (const t of targets) {
        if (t >= 0) predecessors[t]!.push(s);
        if (classOf(t) !== this.stateClass[s] && unstable[s] === 0) {
          unstable[s] = 1;
          work.push(s);
        }
      }
    }
    while (work.length > 0) {
      for (const p of predecessors[work.pop()!]!) {
        if (unstable[p] === 0) {
          unstable[p] = 1;
          work.push(p);
        }
      }
    }
    return unstable.map((u) => 1 - u);
  }

  /** The characters the state's edges name (every other character takes the fallback). */
  charsOf(state: number, into: Set<number>): void {
    if (this.pinned || state < 0) return;
    for (let e = this.edgeStart[state]!; e < this.edgeStart[state + 1]!; e++) into.add(this.edgeChar[e]!);
  }
}

/** One table's dimension, ready to step. */
export class SteppedDimension {
  readonly main: SteppedAutomaton;
  readonly wild: SteppedAutomaton;

  constructor(readonly inspected: InspectedDimension, readonly fold: boolean) {
    this.main = new SteppedAutomaton(inspected.main);
    this.wild = new SteppedAutomaton(inspected.wild);
  }

  /** The class of a string, as the runtime computes it. */
  classOf(text: string): DimensionClass {
    let m = 0;
    let w = 0;
    for (let i = 0; i < text.length; i++) {
      const char = foldChar(text.charCodeAt(i), this.fold);
      m = this.main.step(m, char);
      w = this.wild.step(w, char);
    }
    return this.inspected.classify(m, w);
  }
}

/** A region of one dimension across tables: the strings every table puts in the same classes. */
export interface Region {
  /** Per table, the class of the region's strings. */
  readonly classes: readonly DimensionClass[];
  /** The shortest string in the region (actions: lower case, as the tables compare them). */
  readonly example: string;
  /** A few more of its strings, shortest first, for choosing how to describe the region. */
  readonly examples: readonly string[];
  /**
   * Whether the main automata (literal and prefix patterns) are all in stable states after
   * `example`, so `example*` describes the region, save strings a wild pattern or probe would
   * set apart (those are other regions, reported on their own).
   */
  readonly prefixClosed: boolean;
  readonly key: string;
}

/** The key of a string's region: its classes in every table. */
export function regionKey(classes: readonly DimensionClass[]): string {
  return classes.map((c) => `${c.mainClass}.${c.bits}.${c.group}.${c.kms}`).join("|");
}

const EXAMPLES_PER_REGION = 8;

/**
 * Every region of a dimension across `tables`, by a breadth-first walk of the product of their
 * main and wild automata: each reachable tuple of states is visited once, by its shortest
 * string; the characters tried from a tuple are those its states' edges name, plus one
 * character none names (which stands for all the others).
 */
export function dimensionRegions(tables: readonly SteppedDimension[], limit = MAX_PRODUCT_STATES): Region[] {
  const fold = tables[0]!.fold;
  const automata = tables.flatMap((t) => [t.main, t.wild]);
  const width = automata.length;
  const start: number[] = new Array<number>(width).fill(0);
  const seen = new Set<string>([start.join(",")]);
  const byKey = new Map<string, { classes: DimensionClass[]; examples: string[]; prefixClosed: boolean }>();
  let frontier: { states: number[]; text: string }[] = [{ states: start, text: "" }];
  const chars = new Set<number>();
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { states: tuple, text } of frontier) {
      const classes = tables.map((t, k) => t.inspected.classify(tuple[2 * k]!, tuple[2 * k + 1]!));
      const key = regionKey(classes);
      const region = byKey.get(key);
      if (region === undefined) byKey.set(key, { classes, examples: [text], prefixClosed: tables.every((t, k) => t.main.isStable(tuple[2 * k]!)) });
      else if (region.examples.length < EXAMPLES_PER_REGION) region.examples.push(text);
      chars.clear();
      for (let i = 0; i < width; i++) automata[i]!.charsOf(tuple[i]!, chars);
      chars.add(otherChar(chars, fold));
      for (const char of [...chars].sort((a, b) => a - b)) {
        const after = new Array<number>(width);
        for (let i = 0; i < width; i++) after[i] = automata[i]!.step(tuple[i]!, char);
        const id = after.join(",");
        if (seen.has(id)) continue;
        seen.add(id);
        if (seen.size > limit) {
          throw new AnalysisTooLarge(`more than ${limit.toLocaleString("en-US")} states in the product of the tables' automata`);
        }
        next.push({ states: after, text: text + String.fromCharCode(char) });
      }
    }
    frontier = next;
  }
  return [...byKey].map(([key, r]) => ({ key, classes: r.classes, example: r.examples[0]!, examples: r.examples, prefixClosed: r.prefixClosed }));
}

/** Readable characters to stand for "any character no edge names", in order of preference. */
const STAND_INS = "xqzjkvwybfghmnpcdlrtsuoiea0123456789-_";

function otherChar(named: ReadonlySet<number>, fold: boolean): number {
  for (let i = 0; i < STAND_INS.length; i++) {
    const char = STAND_INS.charCodeAt(i);
    if (!named.has(char)) return char;
  }
  // every readable one is named: any other code unit that folds to itself
  for (let char = 0x100; ; char++) if (!named.has(char) && foldChar(char, fold) === char) return char;
}

/** As the runtime folds actions: ASCII letters to lower case, others by toLowerCase. */
export function foldChar(char: number, fold: boolean): number {
  if (!fold) return char;
  if (char >= 65 && char <= 90) return char + 32;
  return char < 128 ? char : String.fromCharCode(char).toLowerCase().charCodeAt(0);
}
