// iamc/compiler: the public surface of the compiler.

/** Compile a workspace to `.iamc` bundle bytes, with every diagnostic. */
export { compile, compileWorkspace, type CompileOptions, type CompileResult } from "./compile.js";
/** Load, validate and lower a workspace to the IR without compiling it. */
export { loadWorkspace } from "./load-workspace.js";
/** The reference evaluator: AWS's evaluation logic over the IR, statement by statement. */
export { evaluateIr, evaluateIrDetailed } from "./reference/evaluate.js";
/** The reference evaluator of model `krutrim`, and the rules (with role and group) that matched. */
export { evaluateKrutrim, explainKrutrimGrant, type KrutrimGrant } from "./reference/evaluate-krutrim.js";
/** The reference evaluator of model `cloudalus`, and the statements (with their layer) that matched. */
export { evaluateCloudalus, explainCloudalus, type CloudalusMatch } from "./reference/evaluate-cloudalus.js";
/** Krutrim's system-managed policies, under their documented names. */
export { SYSTEM_POLICIES as KRUTRIM_SYSTEM_POLICIES, type SystemPolicy as KrutrimSystemPolicy } from "./krutrim/system-policies.js";
/** Write bytes to a file atomically (temporary file, then rename). */
export { writeFileAtomic } from "./write-file.js";
/** Render diagnostics for a terminal or as JSON. */
export { renderDiagnostics, diagnosticsToJson } from "./render.js";
/** The diagnostic shape and the list of codes. */
export { DIAGNOSTIC_CODES, type Diagnostic, type DiagnosticCode, type Severity } from "./diagnostics.js";
/** The IR types. */
export type * from "./ir.js";
/** The DSL: parse `.iam` text, print a value as `.iam`, `fmt`, canonical JSON. */
export { formatIam, parseIam, printIam, writeCanonicalJson } from "../grammar/index.js";
/** A `.iam` file as a located JsonSource (every stage reports on its line:column). */
export { parseIamSource, type IamSource } from "./iam-source.js";
/** `iamc fmt` and `iamc convert` on files: the text to write, or the diagnostics. */
export { convertFile, formatFile, type ConvertOptions, type ConvertResult } from "./convert.js";
/** Exact questions on decision tables: what changes between two, what a caller may do, who may do something. */
export {
  accessOf, diffTables, whoMay, AnalysisTooLarge,
  type AccessEntry, type Caller, type RegionChange, type SideVerdict, type TableDiff, type WhoEntry,
} from "./analysis/index.js";
/** The classic IAM traps in a workspace, as diagnostics (IAMC6xxx). */
export { lintWorkspace, LINT_RULES } from "./lint/index.js";
/** Policy tests (requests with expected decisions) and the statement coverage they reach. */
export {
  bundleStatements, readPolicyTestFile, runPolicyTests, statementCoverage,
  type Coverage, type PolicyTest, type PolicyTestResult,
} from "./policy-tests/index.js";
