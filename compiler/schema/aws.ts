// zod schemas of model `aws`: the manifest and AWS policy documents. They validate JSON whatever
// its source and generate schema/*.schema.json, so every field carries a description for editors.
//
// Rules zod cannot say well (Action xor NotAction, operator names, condition values, variables,
// principal wildcards) are checked in lower-aws.ts, with their own codes.
import * as z from "zod";

/** The policy language versions AWS accepts. */
export const AWS_POLICY_VERSIONS = ["2012-10-17", "2008-10-17"] as const;

/** Models the manifest may name, and those with a front end. */
export const KNOWN_MODELS = ["aws", "cloudalus", "krutrim"] as const;
export const IMPLEMENTED_MODELS: readonly string[] = ["aws", "cloudalus", "krutrim"];

const ACCOUNT_ID = /^[0-9]{12}$/;

const accountId = (description: string) =>
  z.string().regex(ACCOUNT_ID, { error: "must be a 12-digit account id" }).describe(description);

const policyRef = (description: string) => z.string().min(1).describe(description);

const stringOrList = (description: string) =>
  z.union([z.string(), z.array(z.string()).min(1)]).describe(description);

// ---------------------------------------------------------------------------------------------
// Policy documents

const principalValue = (description: string) => stringOrList(description).optional();

/** `Principal` / `NotPrincipal`: `"*"` or a map of principal kinds to ids. */
export const awsPrincipalSchema = z
  .union([
    z.literal("*").describe("Everyone: every caller, authenticated or not."),
    z.strictObject({
      AWS: principalValue(
        "AWS principals: `*`, a 12-digit account id, `arn:aws:iam::ACCOUNT:root`, or a user or role ARN.",
      ),
      Service: principalValue("AWS service principals, e.g. `lambda.amazonaws.com`."),
      Federated: principalValue("Federated identity providers, e.g. `cognito-identity.amazonaws.com`."),
      CanonicalUser: principalValue("Canonical user ids (S3)."),
    }),
  ])
  .describe("Who the statement is about (resource policies and RCPs only): `\"*\"` or `{\"AWS\": ...}`.");

const conditionScalar = z.union([z.string(), z.number(), z.boolean()]);

/** The values of one condition key: a scalar or a list of alternatives. */
export const awsConditionValuesSchema = z
  .union([z.string(), z.number(), z.boolean(), z.array(conditionScalar)])
  .describe("A value or a list of alternative values (strings, numbers or booleans).");

/** `Condition`: operator → key → values. */
export const awsConditionSchema = z
  .record(
    z.string(),
    z
      .record(z.string(), awsConditionValuesSchema)
      .describe("Condition keys (e.g. `aws:SourceIp`, `aws:PrincipalTag/team`) and the values they are compared with."),
  )
  .describe(
    "Conditions, all of which must hold. Keys are operators such as `StringEquals`, `IpAddress`, " +
      "`DateLessThan`, `Bool`, `Null`, optionally prefixed with `ForAnyValue:` / `ForAllValues:` " +
      "and suffixed with `IfExists`.",
  );

/** One statement of an AWS policy document. */
export const awsStatementSchema = z
  .strictObject({
    Sid: z.string().describe("An optional statement id, shown by `iamc explain`.").optional(),
    Effect: z.enum(["Allow", "Deny"]).describe("Whether the statement allows or denies (case-sensitive)."),
    Action: stringOrList("Actions the statement covers: `service:Action` with `*` and `?` wildcards, or `*`.").optional(),
    NotAction: stringOrList("Actions the statement does not cover; it covers every other action.").optional(),
    Resource: stringOrList(
      "Resources the statement covers: ARNs with `*` and `?` wildcards and policy variables such as `${aws:username}`.",
    ).optional(),
    NotResource: stringOrList("Resources the statement does not cover; it covers every other resource.").optional(),
    Principal: awsPrincipalSchema.optional(),
    NotPrincipal: awsPrincipalSchema
      .describe("Principals the statement does not apply to (resource policies only).")
      .optional(),
    Condition: awsConditionSchema.optional(),
  })
  .describe("A statement: an Effect, Action or NotAction, Resource or NotResource, optional Principal and Condition.");

const documentFields = {
  Version: z
    .enum(AWS_POLICY_VERSIONS)
    .describe("The policy language version. `2012-10-17` enables policy variables such as `${aws:username}`.")
    .optional(),
  Id: z.string().describe("The policy's id, used when the manifest entry gives no `id`.").optional(),
};

/** An AWS policy document. */
export const awsPolicyDocumentSchema = z
  .strictObject({
    ...documentFields,
    Statement: z
      .union([awsStatementSchema, z.array(awsStatementSchema).min(1)])
      .describe("One statement or a non-empty list of statements."),
  })
  .describe("An AWS IAM policy document.");

/**
 * The document with its statements left unchecked: the front end checks statements one at a
 * time, so that one bad statement does not hide the errors of the others.
 */
export const awsPolicyDocumentShellSchema = awsPolicyDocumentSchema.extend({
  Statement: z
    .union([z.looseObject({}), z.array(z.unknown()).min(1)])
    .describe("One statement or a non-empty list of statements."),
});

export type AwsPolicyDocument = z.infer<typeof awsPolicyDocumentSchema>;
export type AwsStatement = z.infer<typeof awsStatementSchema>;
export type AwsPrincipalValue = z.infer<typeof awsPrincipalSchema>;

// ---------------------------------------------------------------------------------------------
// Manifest

const entryId = z.string().min(1).describe("The policy's id. Default: the document's `Id`, else the file's stem.");

/** A policy written inside the manifest. */
export const awsInlinePolicyEntrySchema = z
  .strictObject({ id: entryId.optional(), document: awsPolicyDocumentSchema })
  .describe("A policy written inline.");

/** A policy (or several, with a glob) in files next to the manifest. */
export const awsFilePolicyEntrySchema = z
  .strictObject({
    id: entryId.optional(),
    file: z
      .string()
      .min(1)
      .describe("A path or glob (`policies/*.json`) relative to the manifest; each file holds one policy document."),
  })
  .describe("Policies read from files.");

export const awsPolicyEntrySchema = z
  .union([awsInlinePolicyEntrySchema, awsFilePolicyEntrySchema])
  .describe("A policy: `{\"id\", \"document\"}` inline, or `{\"file\"}` for a path or glob.");

/** An inline entry with its document left for the policy checker. */
export const awsInlinePolicyEntryShellSchema = awsInlinePolicyEntrySchema
  .extend({ document: z.looseObject({}).describe("An AWS IAM policy document.") })
  .describe("A policy written inline.");

const levels = (description: string) =>
  z
    .array(z.array(policyRef("A policy id.")).min(1).describe("One organization level: the policies attached there."))
    .describe(description)
    .optional();

export const awsAccountSchema = z
  .strictObject({
    id: accountId("The 12-digit account id."),
    scps: levels("Service control policies, one list per organization level (root first); every level must allow."),
    rcps: levels("Resource control policies, one list per organization level (root first); every level must allow."),
  })
  .describe("An account of the organization and the SCPs and RCPs that apply to it.");

export const awsGroupSchema = z
  .strictObject({
    id: z.string().min(1).describe("The group's id."),
    account: accountId("The account the group belongs to.").optional(),
    policies: z.array(policyRef("A policy id.")).describe("Identity policies attached to the group."),
  })
  .describe("An IAM group: its members hold its policies.");

export const awsPrincipalEntrySchema = z
  .strictObject({
    id: z.string().min(1).describe("The principal's ARN, e.g. `arn:aws:iam::111111111111:user/alice`."),
    account: accountId("The account the principal belongs to.").optional(),
    policies: z.array(policyRef("A policy id.")).describe("Identity policies attached to the principal.").optional(),
    groups: z.array(z.string().min(1).describe("A group id.")).describe("Groups the principal is a member of.").optional(),
    boundary: policyRef("The permissions boundary's policy id.").optional(),
    sessionPolicies: z
      .array(policyRef("A policy id."))
      .describe("Session policies: when present (even empty), the principal acts in a session they limit.")
      .optional(),
    tags: z
      .record(z.string(), z.string())
      .describe("Principal tags, read by `aws:PrincipalTag/KEY`.")
      .optional(),
  })
  .describe("A user or role of the workspace.");

export const awsResourceSchema = z
  .strictObject({
    id: z.string().min(1).describe("The resource's ARN; for S3, the bucket's ARN covers its objects."),
    account: accountId("The account that owns the resource.").optional(),
    policy: policyRef("The id of the resource policy attached to it.").optional(),
  })
  .describe("A resource and its resource policy.");

/** The manifest of model `aws`. */
export const awsManifestSchema = z
  .strictObject({
    $schema: z.string().describe("The JSON schema of this file, for editors.").optional(),
    model: z.literal("aws").describe("The IAM model: `aws`."),
    policies: z.array(awsPolicyEntrySchema).describe("The policies of the workspace.").optional(),
    accounts: z.array(awsAccountSchema).describe("Accounts with their SCPs and RCPs.").optional(),
    groups: z.array(awsGroupSchema).describe("IAM groups.").optional(),
    principals: z.array(awsPrincipalEntrySchema).describe("Users and roles.").optional(),
    resources: z.array(awsResourceSchema).describe("Resources with resource policies.").optional(),
  })
  .describe("An iamc workspace manifest (model `aws`).");

/** The manifest with its list entries left unchecked, so that each is checked on its own. */
export const awsManifestShellSchema = awsManifestSchema.extend({
  policies: z.array(z.unknown()).describe("The policies of the workspace.").optional(),
  accounts: z.array(z.unknown()).describe("Accounts with their SCPs and RCPs.").optional(),
  groups: z.array(z.unknown()).describe("IAM groups.").optional(),
  principals: z.array(z.unknown()).describe("Users and roles.").optional(),
  resources: z.array(z.unknown()).describe("Resources with resource policies.").optional(),
});

export type AwsInlinePolicyEntry = z.infer<typeof awsInlinePolicyEntrySchema>;
export type AwsFilePolicyEntry = z.infer<typeof awsFilePolicyEntrySchema>;
export type AwsAccountEntry = z.infer<typeof awsAccountSchema>;
export type AwsGroupEntry = z.infer<typeof awsGroupSchema>;
export type AwsPrincipalEntry = z.infer<typeof awsPrincipalEntrySchema>;
export type AwsResourceEntry = z.infer<typeof awsResourceSchema>;
