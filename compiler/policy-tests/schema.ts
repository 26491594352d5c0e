// zod schemas of policy test files: `{"workspace"?, "tests": [{name, principal, action, resource,
// context?, identity?, via?, expect}]}`, whether the file is JSON or `.iam` (the DSL's `test`
// declarations build the same located tree). The descriptions are the help of each error.
//
// `expect` is a plain string here: test-file.ts checks it with its own code and a did-you-mean
// (`allow` -> `Allow`), which reads better than zod's list of four values.
import * as z from "zod";

/** The decisions a test may expect: check's three, and `Deny` for either deny. */
export const EXPECTED_DECISIONS = ["Allow", "ExplicitDeny", "ImplicitDeny", "Deny"] as const;

const contextScalar = z.union([z.string(), z.number(), z.boolean()]);

/** One policy test: a request and the decision it must get. */
export const policyTestSchema = z
  .strictObject({
    name: z.string().min(1).describe("What the test checks, as the report names it; unique in its file."),
    principal: z
      .string()
      .nullable()
      .describe("Who asks: a principal id (`arn:aws:iam::111111111111:user/alice`, `user/ravi`, `ak/9f2c`), or null for an unauthenticated caller."),
    identity: z.string().min(1).describe("Cloudalus: the identity the caller adopts (default: itself).").optional(),
    via: z.array(z.string().min(1)).describe("Cloudalus: the trusts the caller relies on (default: every trust from the identity to it).").optional(),
    action: z.string().min(1).describe("What is asked, e.g. `s3:GetObject`."),
    resource: z.string().min(1).describe("On what, e.g. `arn:aws:s3:::acme-app-data/q1.csv`."),
    context: z
      .record(z.string(), z.union([contextScalar, z.array(contextScalar)]).nullable())
      .describe("The request's condition keys: strings, numbers, booleans or lists of them, e.g. `{\"aws:SecureTransport\": true}`.")
      .optional(),
    expect: z.string().describe("The decision the test wants: `Allow`, `ExplicitDeny`, `ImplicitDeny`, or `Deny` for either deny."),
  })
  .describe("A policy test: `name`, `principal`, `action`, `resource`, optional `context`, `identity`, `via`, and `expect`.");

/** A policy test file, with its tests left unchecked: each is checked on its own, so one bad test hides no other. */
export const policyTestFileShellSchema = z
  .strictObject({
    $schema: z.string().optional(),
    workspace: z
      .string()
      .min(1)
      .describe("The workspace the tests run against when the command line names none: a manifest, a `.iam` workspace, a folder or a `.iamc` bundle, relative to this file.")
      .optional(),
    tests: z.array(z.unknown()).describe("The tests: each a request and the decision it must get."),
  })
  .describe("A policy test file: `tests`, and optionally the `workspace` they run against.");

export type PolicyTestShape = z.infer<typeof policyTestSchema>;
