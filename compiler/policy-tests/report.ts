// What `iamc test` prints: one line per test, the failures with their explanations, a summary,
// and the coverage. Pure text from results; the command writes it.
import pc from "picocolors";
import type { Explanation } from "../../runtime/index.js";
import type { Request } from "../ir.js";
import { meetsThreshold, type Coverage, type CoverageStatement } from "./coverage.js";
import type { PolicyTestResult } from "./run.js";

/** Test names up to this long are padded so that the decisions after them line up. */
const NAME_COLUMN = 60;

/** The results of one test file. */
export interface FileResults {
  readonly file: string;
  readonly results: readonly PolicyTestResult[];
}

/** Everything a run reports. */
export interface TestReport {
  readonly files: readonly FileResults[];
  readonly coverage?: Coverage;
  /** The coverage percentage the run must reach, when one was given. */
  readonly threshold?: number;
}

export interface HumanReportOptions {
  readonly color: boolean;
  /** How a file reads in the output (relative to the working directory). */
  readonly displayPath: (file: string) => string;
  /** The text of an explanation, as `iamc explain` prints it. */
  readonly formatExplanation: (request: Request, explanation: Explanation, color: boolean) => string;
}

/** Tests that passed and failed. */
export function countResults(report: Pick<TestReport, "files">): { passed: number; failed: number } {
  const all = report.files.flatMap((f) => f.results);
  const failed = all.filter((r) => !r.ok).length;
  return { passed: all.length - failed, failed };
}

/** The report for a terminal. */
export function formatHumanReport(report: TestReport, options: HumanReportOptions): string {
  const c = pc.createColors(options.color);
  const out: string[] = [];
  const several = report.files.length > 1;
  // decisions line up in a column, unless a very long name would push them far out
  const width = Math.min(NAME_COLUMN, Math.max(0, ...report.files.flatMap((f) => f.results.map((r) => r.test.name.length))));
  for (const { file, results } of report.files) {
    if (several) out.push(c.bold(options.displayPath(file)));
    for (const r of results) {
      const mark = r.ok ? c.green("✓") : c.red("✗");
      const expected = r.ok ? "" : ` ${c.dim(`(expected ${r.test.expect})`)}`;
      out.push(`${several ? "  " : ""}${mark} ${r.test.name.padEnd(width)}  ${paintDecision(r.decision, c)}${expected}`);
    }
  }
  const failures = report.files.flatMap((f) => f.results.filter((r) => !r.ok));
  for (const r of failures) {
    const span = r.test.origin?.span;
    const where = r.test.origin === undefined ? "" : ` ${c.dim(`(${options.displayPath(r.test.origin.file)}${span === undefined ? "" : `:${span.line}:${span.column}`})`)}`;
    out.push("", `${c.red("✗")} ${c.bold(r.test.name)}${where}`);
    out.push(`  expected ${c.bold(r.test.expect)}, got ${paintDecision(r.decision, c)}`);
    out.push(...options.formatExplanation(r.test.request, r.explanation, options.color).split("\n").map((line) => (line === "" ? "" : `    ${line}`)));
  }
  const { passed, failed } = countResults(report);
  out.push("", (failed > 0 ? c.red : c.green)(`${passed} passed, ${failed} failed`));
  if (report.coverage !== undefined) out.push("", ...coverageLines(report.coverage, report.threshold, options, c));
  return `${out.join("\n")}\n`;
}

function coverageLines(coverage: Coverage, threshold: number | undefined, options: HumanReportOptions, c: ReturnType<typeof pc.createColors>): string[] {
  const out = [`${c.bold("coverage:")} ${coverage.covered} of ${coverage.total} statements exercised (${coverage.percent}%)`];
  if (coverage.uncovered.length > 0) {
    out.push("not exercised by any test:");
    const rows = coverage.uncovered.map((s) => [statementName(s), placeText(s, options.displayPath)]);
    const width = Math.max(...rows.map(([name]) => name!.length));
    out.push(...rows.map(([name, place]) => `  ${place === "" ? name : `${name!.padEnd(width)}  ${c.dim(place!)}`}`));
  }
  if (threshold !== undefined && !meetsThreshold(coverage, threshold)) {
    out.push(c.red(`coverage ${coverage.percent}% is below the threshold of ${threshold}%`));
  }
  return out;
}

/** `DeveloperAccess/ReadLogs #2`: the policy, the Sid when it has one, the index. */
export function statementName(s: CoverageStatement): string {
  return `${s.policy}${s.sid === undefined ? "" : `/${s.sid}`} #${s.index}`;
}

const placeText = (s: CoverageStatement, displayPath: (file: string) => string): string =>
  s.file === undefined ? "" : `${displayPath(s.file)}${s.line === undefined ? "" : `:${s.line}`}`;

function paintDecision(decision: string, c: ReturnType<typeof pc.createColors>): string {
  if (decision === "Allow") return c.green(decision);
  if (decision === "ExplicitDeny") return c.red(decision);
  return c.yellow(decision);
}

/** The report as data (`--format json`): explanations for the failed tests only. */
export function reportJson(report: TestReport, displayPath: (file: string) => string): unknown {
  const { passed, failed } = countResults(report);
  const cases = report.files.flatMap((f) =>
    f.results.map((r) => ({
      name: r.test.name,
      expect: r.test.expect,
      decision: r.decision,
      ok: r.ok,
      ...(r.ok ? {} : { explanation: r.explanation }),
    })),
  );
  const coverage = report.coverage;
  return {
    passed,
    failed,
    cases,
    ...(coverage === undefined
      ? {}
      : {
          coverage: {
            percent: coverage.percent,
            covered: coverage.covered,
            total: coverage.total,
            uncovered: coverage.uncovered.map((s) => ({
              policy: s.policy,
              ...(s.sid === undefined ? {} : { sid: s.sid }),
              index: s.index,
              ...(s.file === undefined ? {} : { file: displayPath(s.file) }),
              ...(s.line === undefined ? {} : { line: s.line }),
            })),
          },
        }),
  };
}
