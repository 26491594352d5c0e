// Statement coverage: which of a bundle's statements some test exercised, that is, named among
// the deciding statements of its explanation. A statement is a (policy, index) pair: a policy
// held in several layers (a boundary of one role and an identity policy of another, a krutrim
// policy held through two roles) is one set of statements, exercised through any of them.
import { bytesInt32, decodeStatementSources, type BundlePayload } from "../../runtime/format.js";

/** A statement, by its policy and its index in the policy's statement list. */
export interface StatementRef {
  readonly policy: string;
  readonly index: number;
}

/** A statement tests can exercise, with its Sid and where it is written when known. */
export interface CoverageStatement extends StatementRef {
  readonly sid?: string;
  /** The file, as the bundle names it: relative to the workspace's manifest. */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

/** How many statements the tests exercised, and which they did not. */
export interface Coverage {
  readonly covered: number;
  readonly total: number;
  /** covered / total in percent, rounded down to one decimal (100 when there is no statement). */
  readonly percent: number;
  /** The statements no test exercised, in the order of `statements`. */
  readonly uncovered: readonly CoverageStatement[];
}

const keyOf = (s: StatementRef): string => `${s.index} ${s.policy}`;

/**
 * Every statement a bundle's table knows, once per (policy, index), ordered by policy and index,
 * each with the place the compiler recorded for it (`policies/app.json:12:5`; none for built-in
 * policies such as krutrim's system-managed ones).
 */
export function bundleStatements(payload: BundlePayload): CoverageStatement[] {
  const { policy, sid, index, text } = payload.provenance;
  const indices = bytesInt32(index);
  const sources = decodeStatementSources(text, policy.length);
  const unique = new Map<string, CoverageStatement>();
  for (let id = 0; id < policy.length; id++) {
    const statement: StatementRef = { policy: policy[id]!, index: indices[id]! };
    const key = keyOf(statement);
    if (unique.has(key)) continue;
    const written = sid[id];
    unique.set(key, { ...statement, ...(written == null ? {} : { sid: written }), ...placeOf(sources[id]?.[7] ?? null) });
  }
  return [...unique.values()].sort((a, b) => (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : a.index - b.index));
}

/** `file:line:col` (or `file#pointer`) as the bundle writes a statement's place. */
function placeOf(at: string | null): { file?: string; line?: number; column?: number } {
  if (at === null) return {};
  const located = /^(.*):(\d+):(\d+)$/.exec(at);
  if (located !== null) return { file: located[1]!, line: Number(located[2]), column: Number(located[3]) };
  const hash = at.indexOf("#");
  return { file: hash === -1 ? at : at.slice(0, hash) };
}

/**
 * The coverage of `statements` by test runs: a statement is covered when it is among the
 * deciding statements of some run's explanation. Statements runs name that are not in
 * `statements` do not count.
 */
export function statementCoverage(
  statements: readonly CoverageStatement[],
  runs: readonly { readonly explanation: { readonly statements: readonly StatementRef[] } }[],
): Coverage {
  const exercised = new Set<string>();
  for (const run of runs) for (const statement of run.explanation.statements) exercised.add(keyOf(statement));
  const uncovered = statements.filter((s) => !exercised.has(keyOf(s)));
  const total = statements.length;
  const covered = total - uncovered.length;
  // rounded down, so that a percentage shown as 100 means every statement
  const percent = total === 0 ? 100 : Math.floor((covered * 1000) / total) / 10;
  return { covered, total, percent, uncovered };
}

/** Whether coverage reaches `threshold` percent, on the exact ratio (not the rounded percentage). */
export function meetsThreshold(coverage: Pick<Coverage, "covered" | "total">, threshold: number): boolean {
  return coverage.total === 0 || coverage.covered * 100 >= threshold * coverage.total;
}
