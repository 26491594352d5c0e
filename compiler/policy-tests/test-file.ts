// Policy test files, JSON or `.iam`: read, parse with locations, check. Both forms land on one
// located JSON tree (the DSL's `test` declarations build the tree of the JSON form), so every
// problem is reported at its file's line:column and JSON pointer whichever form it is written in.
import type { Diagnostic, Result } from "../diagnostics.js";
import { isIamFile } from "../iam-file.js";
import type { ContextValue, Decision, Origin, Request } from "../ir.js";
import { encodePointer, originAt, parseJsonSource, pathToSpan, type JsonPath, type JsonSource } from "../json-source.js";
import { readSource } from "../load-workspace.js";
import { checkSchema } from "../schema/issues.js";
import { didYouMean } from "../suggest.js";
import { EXPECTED_DECISIONS, policyTestFileShellSchema, policyTestSchema } from "./schema.js";

/** The decision a test wants: one of check's, or `Deny` for either deny. */
export type ExpectedDecision = Decision | "Deny";

/** One policy test: a request and the decision it must get. */
export interface PolicyTest {
  readonly name: string;
  readonly request: Request;
  readonly expect: ExpectedDecision;
  /** Where the test is written (its file, pointer and line:column), when it comes from a file. */
  readonly origin?: Origin;
}

/** A checked policy test file. */
export interface PolicyTestFile {
  readonly file: string;
  /** The file's `workspace`, as written (relative to the file's folder). */
  readonly workspace?: string;
  readonly tests: readonly PolicyTest[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isExpected = (value: string): value is ExpectedDecision => (EXPECTED_DECISIONS as readonly string[]).includes(value);

/**
 * Reads a test file and parses it (the DSL when it ends in `.iam`) into a located source,
 * without checking it: the CLI looks at a source to tell a test file from a workspace.
 */
export async function readPolicyTestSource(file: string): Promise<Result<JsonSource>> {
  const read = await readSource(file);
  if ("reason" in read) {
    return { value: undefined, diagnostics: [{ code: read.code, severity: "error", message: `cannot read \`${file}\`: ${read.reason}`, file, help: read.help ?? "check the test file's path" }] };
  }
  if (!isIamFile(file)) return parseJsonSource(file, read.text);
  // the grammar (and chevrotain) load only for runs that read a `.iam` file
  const { parseIamSource } = await import("../iam-source.js");
  return parseIamSource(file, read.text);
}

/** Reads and checks a policy test file. */
export async function readPolicyTestFile(file: string): Promise<Result<PolicyTestFile>> {
  const source = await readPolicyTestSource(file);
  return source.value === undefined ? { value: undefined, diagnostics: source.diagnostics } : checkPolicyTestFile(source.value);
}

/**
 * Checks a parsed test file: its shape (zod), then each test on its own (so that one bad test
 * hides no other), each `expect`, and that names are unique. The file is returned only when
 * there is no error.
 */
export function checkPolicyTestFile(source: JsonSource): Result<PolicyTestFile> {
  const diagnostics: Diagnostic[] = [];
  const error = (path: JsonPath, code: Diagnostic["code"], message: string, help: string): void => {
    const span = pathToSpan(source, path);
    diagnostics.push({ code, severity: "error", message, file: source.file, pointer: encodePointer(path), ...(span === undefined ? {} : { span }), help });
  };

  // a file without tests is surely a mistake (it would pass vacuously); say so rather than that `tests` is missing
  const root = isRecord(source.value) ? source.value : undefined;
  if (root !== undefined && (root.tests === undefined || (Array.isArray(root.tests) && root.tests.length === 0))) {
    const help = isIamFile(source.file)
      ? "declare tests: `test NAME { principal P  action A  resource R  expect allow }`"
      : 'list tests: `"tests": [{"name": ..., "principal": ..., "action": ..., "resource": ..., "expect": "Allow"}]`';
    error(root.tests === undefined ? [] : ["tests"], "IAMC2017", "the test file holds no test", help);
  }
  const shell = checkSchema(policyTestFileShellSchema, source, [], { rootLabel: "the test file" });
  diagnostics.push(...shell.diagnostics.filter((d) => !(d.code === "IAMC2002" && d.pointer === "/tests")));
  const entries = Array.isArray(root?.tests) ? root.tests : [];

  const tests: PolicyTest[] = [];
  const named = new Map<string, JsonPath>();
  entries.forEach((_, index) => {
    const at: JsonPath = ["tests", index];
    const checked = checkSchema(policyTestSchema, source, at, { rootLabel: "the test" });
    diagnostics.push(...checked.diagnostics);
    const test = checked.value;
    if (test === undefined) return;
    const first = named.get(test.name);
    if (first !== undefined) {
      const where = pathToSpan(source, [...first, "name"]);
      const also = where === undefined ? "another test" : `the test at ${where.line}:${where.column}`;
      error([...at, "name"], "IAMC2015", `two tests are named \`${test.name}\``, `${also} has this name too; give each test a name of its own, so the report tells them apart`);
      return;
    }
    named.set(test.name, at);
    if (!isExpected(test.expect)) {
      const suggestion = didYouMean(test.expect, EXPECTED_DECISIONS);
      const help = "expect `Allow`, `ExplicitDeny`, `ImplicitDeny`, or `Deny` for either deny (in a `.iam` file also `allow` and `deny`)";
      error([...at, "expect"], "IAMC2016", `\`${test.expect}\` is not a decision`, suggestion === undefined ? help : `${suggestion} ${help}`);
      return;
    }
    const request: Request = {
      principal: test.principal,
      action: test.action,
      resource: test.resource,
      ...(test.context === undefined ? {} : { context: test.context as Readonly<Record<string, ContextValue>> }),
      ...(test.identity === undefined ? {} : { identity: test.identity }),
      ...(test.via === undefined ? {} : { via: test.via }),
    };
    tests.push({ name: test.name, request, expect: test.expect, origin: originAt(source, at) });
  });

  if (diagnostics.length > 0) return { value: undefined, diagnostics: inFileOrder(diagnostics) };
  const workspace = typeof root?.workspace === "string" ? root.workspace : undefined;
  return { value: { file: source.file, ...(workspace === undefined ? {} : { workspace }), tests }, diagnostics: [] };
}

/** Diagnostics in the order of their place in the file (the file's own first), stable otherwise. */
const inFileOrder = (diagnostics: readonly Diagnostic[]): Diagnostic[] =>
  diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.span?.offset ?? -1) - (b.d.span?.offset ?? -1) || a.i - b.i)
    .map(({ d }) => d);
