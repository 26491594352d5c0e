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
import { type GlobToken } from "./automaton.js";
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
// Probe pins: when the main class alone tells what the ARN probes would find.
//
// The probes (compiler/table.ts) read three fields of an ARN: the service (is it `kms`), the
// account (which group), and whether the resource starts `key/`. Every string of a main class
// starts with the literal prefix of each pattern the class matches (`arn:aws:s3:::bucket/` for
// `arn:aws:s3:::bucket/*`); when such a prefix reaches past those fields, the probes' answer is
// the same for the whole class. With the gate shut, the runtime then need not walk the wild
// automaton at all: the class's pin is the answer.

/** Resource groups: no account field, an account the table does not list; listed accounts are 2 and up. */
export const GROUP_UNKNOWN = 0;
export const GROUP_OTHER = 1;

/**
 * The probes' answer (group * 2 + KMS flag) for every string that starts with `prefix` (that is
 * `prefix`, when `complete`), or -1 when it depends on what follows. Mirrors the probe patterns:
 * account `arn:F:F:F:{a}:*`, any account `arn:F:F:F:?F:*`, KMS key `arn:F:kms:F:F:key/*`.
 */
export function probePin(prefix: string, complete: boolean, accountGroup: ReadonlyMap<string, number>): number {
  const scheme = "arn:";
  if (!prefix.startsWith(scheme)) {
    // No probe matches a string that does not start `arn:`: undecided only while the prefix could still grow into it.
    return !complete && scheme.startsWith(prefix) ? -1 : 2 * GROUP_UNKNOWN;
  }
  // The colons that end the partition, service, region and account fields.
  const ends: number[] = [];
  for (let i = scheme.length; i < prefix.length && ends.length < 4; i++) if (prefix.charCodeAt(i) === 58) ends.push(i);
  if (ends.length < 4) return complete ? 2 * GROUP_UNKNOWN : -1;
  const [partitionEnd, serviceEnd, regionEnd, accountEnd] = ends as [number, number, number, number];
  const account = prefix.slice(regionEnd + 1, accountEnd);
  const group = accountGroup.get(account) ?? (account === "" ? GROUP_UNKNOWN : GROUP_OTHER);
  if (prefix.slice(partitionEnd + 1, serviceEnd) !== "kms") return 2 * group;
  const rest = prefix.slice(accountEnd + 1);
  const key = "key/";
  if (rest.length >= key.length) return 2 * group + (rest.startsWith(key) ? 1 : 0);
  return !complete && key.startsWith(rest) ? -1 : 2 * group;
}

/** The literal text a pattern (`pattern[from .. to)`) starts with, and whether that is all of it. */
export function literalPrefix(pattern: ArrayLike<GlobToken>, from = 0, to = pattern.length): { prefix: string; complete: boolean } {
  let prefix = "";
  for (let i = from; i < to; i++) {
    const token = pattern[i]!;
    if (token < 0) return { prefix, complete: false };
    prefix += String.fromCharCode(token);
  }
  return { prefix, complete: true };
}
