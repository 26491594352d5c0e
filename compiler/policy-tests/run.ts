// Running policy tests: each test's request through an authorizer, its decision against the
// decision the test wants. Pure: the authorizer is given, nothing is read or written.
import type { Authorizer, Explanation } from "../../runtime/index.js";
import type { Decision } from "../ir.js";
import type { ExpectedDecision, PolicyTest } from "./test-file.js";

/** What running tests needs of an authorizer: check's decision, explain's deciding statements. */
export type TestAuthorizer = Pick<Authorizer, "check" | "explain">;

/** A test's outcome. */
export interface PolicyTestResult {
  readonly test: PolicyTest;
  /** The decision `check` gave. */
  readonly decision: Decision;
  /** Whether it is the decision the test wants. */
  readonly ok: boolean;
  /** Why: the deciding statements (what coverage counts) and every layer's verdict. */
  readonly explanation: Explanation;
}

/** Whether `decision` is what `expect` wants: itself, or either deny for `Deny`. */
export function decisionMatches(expect: ExpectedDecision, decision: Decision): boolean {
  return expect === decision || (expect === "Deny" && decision !== "Allow");
}

/** Runs each test against the authorizer, in order. */
export function runPolicyTests(authorizer: TestAuthorizer, tests: readonly PolicyTest[]): PolicyTestResult[] {
  return tests.map((test) => {
    // check is the answer a service gets; explain says which statements gave it
    const decision = authorizer.check(test.request);
    const explanation = authorizer.explain(test.request);
    return { test, decision, ok: decisionMatches(test.expect, decision), explanation };
  });
}
