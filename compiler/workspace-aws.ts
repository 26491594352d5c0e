// The files of an `aws` workspace → the IR: parse the policy files, name each policy, lower it,
// lower the entities, link. Pure: the files were read by load-workspace.ts.
import { hasErrors, type Diagnostic, type Result } from "./diagnostics.js";
import type { AwsWorkspace } from "./ir.js";
import { originAt, type JsonPath } from "./json-source.js";
import { linkAwsWorkspace } from "./link-aws.js";
import { lowerAwsAccount, lowerAwsGroup, lowerAwsPolicy, lowerAwsPrincipal, lowerAwsResource } from "./lower-aws.js";
import type { AwsManifest } from "./manifest-aws.js";
import { lowerPolicyCandidates, readWorkspacePolicies, type PolicyDialect, type WorkspaceInput } from "./policy-candidates.js";
import { awsInlinePolicyEntryShellSchema } from "./schema/aws.js";

export type { PolicyFile } from "./policy-candidates.js";

export type AwsWorkspaceInput = WorkspaceInput<AwsManifest>;

const AWS_POLICIES: PolicyDialect = {
  model: "aws",
  nameKeys: ["Id", "name"],
  inlineEntryShellSchema: awsInlinePolicyEntryShellSchema,
  caller: "buildAwsWorkspace",
};

/** Builds the workspace IR from the checked manifest and the policy files' text. */
export function buildAwsWorkspace(input: AwsWorkspaceInput): Result<AwsWorkspace> {
  const { manifestSource, manifest } = input;
  // 1. every document with its id; 2. unique ids, then each policy lowered on its own
  const { ctx, candidates } = readWorkspacePolicies(input, AWS_POLICIES);
  const { diagnostics, broken, sources } = ctx;
  const policies = lowerPolicyCandidates(candidates, lowerAwsPolicy, ctx);

  // 3. entities, then references
  const origin = (path: JsonPath) => originAt(manifestSource, path);
  const draft: AwsWorkspace = {
    model: "aws",
    policies,
    accounts: manifest.accounts.map((e) => lowerAwsAccount(e.value, origin(e.path))),
    groups: manifest.groups.map((e) => lowerAwsGroup(e.value, origin(e.path))),
    principals: manifest.principals.map((e) => lowerAwsPrincipal(e.value, origin(e.path))),
    resources: manifest.resources.map((e) => lowerAwsResource(e.value, origin(e.path))),
    sources: input.sources,
  };
  const linked = linkAwsWorkspace(draft, { sources, broken: { policies: broken, groups: manifest.broken.groups } });
  diagnostics.push(...linked.diagnostics);
  // INVARIANT: a workspace is returned only when nothing was wrong: ids unique, every reference
  // resolved, operators known, condition values well-formed (what ir.ts promises later stages)
  return { value: hasErrors(diagnostics) ? undefined : draft, diagnostics };
}

/** Orders diagnostics by file (in `fileOrder`, others last), then by position, else as found. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[], fileOrder: readonly string[]): Diagnostic[] {
  const rank = new Map(fileOrder.map((file, i) => [file, i] as const));
  const fileRank = (d: Diagnostic) => (d.file === undefined ? fileOrder.length : (rank.get(d.file) ?? fileOrder.length));
  const offset = (d: Diagnostic) => d.span?.offset ?? Number.MAX_SAFE_INTEGER;
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => fileRank(a.d) - fileRank(b.d) || offset(a.d) - offset(b.d) || a.i - b.i)
    .map(({ d }) => d);
}
