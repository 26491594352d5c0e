// The library: runPolicyTests against any authorizer, decisionMatches, and statementCoverage's
// exact numbers, on a fake authorizer and on compiled bundles.
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { compile } from "../../compiler/compile.js";
import {
  bundleStatements, decisionMatches, meetsThreshold, runPolicyTests, statementCoverage, type PolicyTest, type TestAuthorizer,
} from "../../compiler/policy-tests/index.js";
import type { Decision, Explanation, Request } from "../../runtime/index.js";
import { decodeBundle } from "../../runtime/format.js";
import { loadBundle } from "../../runtime/node.js";
import { REPO } from "../cli/helpers.js";

const request = (action: string): Request => ({ principal: "p", action, resource: "r" });
const testOf = (name: string, action: string, expect: PolicyTest["expect"]): PolicyTest => ({ name, request: request(action), expect });

/** Decides by the action: `a:Allow` is allowed by statement P#0, `a:ExplicitDeny` denied by P#1, anything else implicitly denied. */
const fake: TestAuthorizer = {
  check: (r) => (["Allow", "ExplicitDeny"].includes(r.action.slice(2)) ? (r.action.slice(2) as Decision) : "ImplicitDeny"),
  explain(r): Explanation {
    const decision = this.check(r);
    const statements = decision === "ImplicitDeny" ? [] : [{ policy: "P", index: decision === "Allow" ? 0 : 1, effect: decision === "Allow" ? ("Allow" as const) : ("Deny" as const), layer: "identity", conditional: false }];
    // only what running and coverage read: the runtime may add fields to explanations
    return { decision, principalClass: "p", statements, layers: [], unmet: [], reason: "" } as unknown as Explanation;
  },
};

describe("decisionMatches", () => {
  test.each([
    ["Allow", "Allow", true],
    ["Allow", "ImplicitDeny", false],
    ["ExplicitDeny", "ExplicitDeny", true],
    ["ExplicitDeny", "ImplicitDeny", false],
    ["ImplicitDeny", "ExplicitDeny", false],
    ["Deny", "ExplicitDeny", true],
    ["Deny", "ImplicitDeny", true],
    ["Deny", "Allow", false],
  ] as const)("expect %s, decision %s: %s", (expected, decision, ok) => {
    expect(decisionMatches(expected, decision)).toBe(ok);
  });
});

test("runPolicyTests: each test's decision, whether it is the one wanted, and the explanation", () => {
  const results = runPolicyTests(fake, [testOf("allowed", "a:Allow", "Allow"), testOf("denied", "a:ExplicitDeny", "Deny"), testOf("wrong", "a:Other", "Allow")]);
  expect(results.map((r) => [r.test.name, r.decision, r.ok])).toEqual([
    ["allowed", "Allow", true],
    ["denied", "ExplicitDeny", true],
    ["wrong", "ImplicitDeny", false],
  ]);
  expect(results[1]!.explanation.statements).toMatchObject([{ policy: "P", index: 1 }]);
});

describe("statementCoverage", () => {
  const statements = [0, 1, 2, 3].map((index) => ({ policy: "P", index }));

  test("3 of 4 statements named by some explanation: 75%, the fourth uncovered", () => {
    const runs = runPolicyTests(fake, [testOf("a", "a:Allow", "Allow"), testOf("b", "a:ExplicitDeny", "Deny")]);
    const more = [{ explanation: { statements: [{ policy: "P", index: 2 }, { policy: "Other", index: 0 }] } }];
    const coverage = statementCoverage(statements, [...runs, ...more]);
    expect(coverage).toEqual({ covered: 3, total: 4, percent: 75, uncovered: [{ policy: "P", index: 3 }] });
    expect(meetsThreshold(coverage, 75)).toBe(true);
    expect(meetsThreshold(coverage, 75.1)).toBe(false);
  });

  test("percentages round down (a shown 100 means every statement), and no statement is full coverage", () => {
    const three = statements.slice(0, 3);
    expect(statementCoverage(three, [{ explanation: { statements: three.slice(0, 2) } }]).percent).toBe(66.6);
    const many = Array.from({ length: 1001 }, (_, index) => ({ policy: "Q", index }));
    const almost = statementCoverage(many, [{ explanation: { statements: many.slice(1) } }]);
    expect(almost.percent).toBe(99.9);
    expect(meetsThreshold(almost, 100)).toBe(false);
    expect(statementCoverage([], [])).toEqual({ covered: 0, total: 0, percent: 100, uncovered: [] });
  });
});

describe("bundleStatements", () => {
  test("a small workspace: one entry per statement, with Sid and place", async () => {
    const { bundle } = await compile(join(REPO, "test", "fixtures", "policy-tests", "small"));
    expect(bundleStatements(decodeBundle(bundle!))).toEqual([
      { policy: "AppData", index: 0, sid: "Read", file: "policies/app-data.json", line: 5, column: 5 },
      { policy: "AppData", index: 1, sid: "Upload", file: "policies/app-data.json", line: 6, column: 5 },
      { policy: "AppData", index: 2, file: "policies/app-data.json", line: 7, column: 5 },
      { policy: "AppData", index: 3, sid: "ListBuckets", file: "policies/app-data.json", line: 8, column: 5 },
    ]);
  });

  test("a policy held in several layers is one statement; built-in policies have no place", async () => {
    const { bundle } = await compile(join(REPO, "examples", "krutrim"));
    const payload = decodeBundle(bundle!);
    const statements = bundleStatements(payload);
    // KVMFullAccess is held by two roles: two layers, one statement
    expect(payload.provenance.policy.filter((p) => p === "KVMFullAccess").length).toBeGreaterThan(1);
    expect(statements.filter((s) => s.policy === "KVMFullAccess")).toEqual([{ policy: "KVMFullAccess", index: 0 }]);
    expect(statements.find((s) => s.policy === "NetworkAdmin" && s.index === 2)).toMatchObject({ file: "policies/network-admin.json", line: 7 });
    expect(new Set(statements.map((s) => `${s.policy}#${s.index}`)).size).toBe(statements.length);
    // coverage of the example's own tests, through the runtime
    const authorizer = loadBundle(bundle!);
    const results = runPolicyTests(authorizer, [{ name: "meera", request: { principal: "user/meera", action: "vm:Create", resource: "vm/x" }, expect: "Allow" }]);
    expect(statementCoverage(statements, results)).toMatchObject({ covered: 1, total: 16 });
  });
});
