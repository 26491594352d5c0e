// Policy tests: files of requests with the decisions they must get, run against a compiled
// bundle, and the statement coverage they reach. The public surface of compiler/policy-tests/.

/** A test file's shape (zod) and the decisions a test may expect. */
export { EXPECTED_DECISIONS, policyTestSchema, policyTestFileShellSchema } from "./schema.js";
/** Read, parse (JSON or `.iam`) and check policy test files, with located diagnostics. */
export {
  checkPolicyTestFile, readPolicyTestFile, readPolicyTestSource,
  type ExpectedDecision, type PolicyTest, type PolicyTestFile,
} from "./test-file.js";
/** Run tests against an authorizer (pure), and whether a decision is what a test wants. */
export { decisionMatches, runPolicyTests, type PolicyTestResult, type TestAuthorizer } from "./run.js";
/** A bundle's statements, and the coverage test runs reach of them. */
export { bundleStatements, meetsThreshold, statementCoverage, type Coverage, type CoverageStatement, type StatementRef } from "./coverage.js";
/** The report `iamc test` prints, as text or as data. */
export { countResults, formatHumanReport, reportJson, statementName, type FileResults, type TestReport } from "./report.js";
