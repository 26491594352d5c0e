// zod schemas of model `cloudalus`: the manifest (policies, principals, access keys, trusts,
// resources) and Cloudalus policy documents (`{Version?, Id?, Statement}`). Like schema/aws.ts
// they validate JSON whatever its source and describe every field for editors.
//
// What zod cannot say well is checked in cloudalus/lower.ts with its own codes: `Resource` xor
// `Identity` (IAMC2005), action names (IAMC2011), wildcards in identities (IAMC2009); and in
// cloudalus/workspace.ts: a trust policy naming identities (IAMC3006), a resource policy naming
// resources (IAMC3005), references.
import * as z from "zod";

/** The resource types of Cloudalus, as id prefixes (`kvdb/orders`). Other prefixes get a warning. */
export const CLOUDALUS_RESOURCE_TYPES = ["org/", "kvdb/", "pi/", "ak/", "org_user/"] as const;

/** The kinds of principal a manifest lists (the unauthenticated caller is never listed). */
export const CLOUDALUS_PRINCIPAL_KINDS = ["user", "programmatic"] as const;

const stringOrList = <T extends z.ZodType<string>>(item: T, description: string) =>
  z.union([item, z.array(item).min(1)]).describe(description);

// ---------------------------------------------------------------------------------------------
// Policy documents

/** One statement of a Cloudalus policy: `Resource` in trust policies, `Identity` in resource policies. */
export const cloudalusStatementSchema = z
  .strictObject({
    Sid: z.string().describe("An optional statement id, shown by `iamc explain`.").optional(),
    Effect: z.enum(["Allow", "Deny"]).describe("Whether the statement allows or denies (case-sensitive); a matching deny always wins."),
    Action: stringOrList(z.string(), "Actions the statement covers: `service:Operation` (e.g. `kvdb:Get`) with `*` and `?` wildcards, or `*`."),
    Resource: stringOrList(
      z.string(),
      "Trust policies: the resources the trustee may act on via the trust, with `*` and `?` wildcards (e.g. `kvdb/orders-*`).",
    ).optional(),
    Identity: stringOrList(
      z.string().min(1),
      "Resource policies: the identities the statement is about, by exact id (`org/acme`, `pi/deployer`), or `*` for every caller, the unauthenticated one too.",
    ).optional(),
  })
  .describe("A statement: an Effect, an Action, and `Resource` (trust policy) or `Identity` (resource policy).");

/** A Cloudalus policy document. */
export const cloudalusPolicyDocumentSchema = z
  .strictObject({
    Version: z.string().describe("The policy language version; informational (Cloudalus policies have no variables).").optional(),
    Id: z.string().describe("The policy's id, used when the manifest entry gives no `id`.").optional(),
    Statement: z
      .union([cloudalusStatementSchema, z.array(cloudalusStatementSchema).min(1)])
      .describe("One statement or a non-empty list of statements."),
  })
  .describe("A Cloudalus policy document: a trust policy (statements with `Resource`) or a resource policy (statements with `Identity`).");

/**
 * The document with its statements left unchecked: the front end checks statements one at a
 * time, so that one bad statement does not hide the errors of the others.
 */
export const cloudalusPolicyDocumentShellSchema = cloudalusPolicyDocumentSchema.extend({
  Statement: z.union([z.looseObject({}), z.array(z.unknown()).min(1)]).describe("One statement or a non-empty list of statements."),
});

export type CloudalusPolicyDocument = z.infer<typeof cloudalusPolicyDocumentSchema>;
export type CloudalusStatement = z.infer<typeof cloudalusStatementSchema>;

// ---------------------------------------------------------------------------------------------
// Manifest

const entryId = z.string().min(1).describe("The policy's id. Default: the document's `Id`, else the file's stem.");

/** A policy written inside the manifest. */
export const cloudalusInlinePolicyEntrySchema = z
  .strictObject({ id: entryId.optional(), document: cloudalusPolicyDocumentSchema })
  .describe("A policy written inline.");

/** A policy (or several, with a glob) in files next to the manifest. */
export const cloudalusFilePolicyEntrySchema = z
  .strictObject({
    id: entryId.optional(),
    file: z
      .string()
      .min(1)
      .describe("A path or glob (`policies/*.json`) relative to the manifest; each JSON file holds one Cloudalus policy document."),
  })
  .describe("Policies read from files.");

export const cloudalusPolicyEntrySchema = z
  .union([cloudalusInlinePolicyEntrySchema, cloudalusFilePolicyEntrySchema])
  .describe("A policy: `{\"id\", \"document\"}` inline, or `{\"file\"}` for a path or glob.");

/** An inline entry with its document left for the policy checker. */
export const cloudalusInlinePolicyEntryShellSchema = cloudalusInlinePolicyEntrySchema
  .extend({ document: z.looseObject({}).describe("A Cloudalus policy document: `{\"Statement\": [...]}`.") })
  .describe("A policy written inline.");

const ref = (description: string) => z.string().min(1).describe(description);

export const cloudalusPrincipalSchema = z
  .strictObject({
    id: z.string().min(1).describe("The principal's id, the `principal` of a request: `user/ana`, `pi/deployer`."),
    kind: z
      .enum(CLOUDALUS_PRINCIPAL_KINDS)
      .describe("`user` (a person, signed in to the dashboard) or `programmatic` (a programmatic identity, which access keys authenticate as)."),
  })
  .describe("A principal: a user or a programmatic identity.");

export const cloudalusAccessKeySchema = z
  .strictObject({
    id: z.string().min(1).describe("The access key's id (`ak/9f2c`): a request whose `principal` is this id authenticates as `identity`."),
    identity: ref("The programmatic principal the key authenticates as (listed under `principals` with kind `programmatic`)."),
  })
  .describe("An access key: a credential of a programmatic identity.");

export const cloudalusTrustSchema = z
  .strictObject({
    id: z.string().min(1).describe("The trust's id, named by a request's `via`."),
    identity: ref("The identity the trustee may adopt: any id (an organisation such as `org/acme`, a principal, ...)."),
    trustee: ref("The principal that may adopt the identity (listed under `principals`)."),
    policy: ref("The trust policy's id: what the trustee may do when acting via this trust."),
  })
  .describe("A trust: the trustee may act as the identity, within the trust policy.");

export const cloudalusResourceSchema = z
  .strictObject({
    id: z.string().min(1).describe("The resource's id, the `resource` of a request: `org/acme`, `kvdb/orders`, `pi/deployer`, `ak/9f2c`, `org_user/ana`."),
    owner: ref("The identity that owns the resource: it passes the resource check.").optional(),
    policy: ref("The resource policy's id: which identities the resource accepts for which actions.").optional(),
  })
  .describe("A resource, its owner and its resource policy.");

/** The manifest of model `cloudalus`. */
export const cloudalusManifestSchema = z
  .strictObject({
    $schema: z.string().describe("The JSON schema of this file, for editors.").optional(),
    model: z.literal("cloudalus").describe("The IAM model: `cloudalus`."),
    policies: z.array(cloudalusPolicyEntrySchema).describe("Trust policies and resource policies.").optional(),
    principals: z.array(cloudalusPrincipalSchema).describe("Users and programmatic identities.").optional(),
    accessKeys: z.array(cloudalusAccessKeySchema).describe("Access keys and the programmatic identities they authenticate as.").optional(),
    trusts: z.array(cloudalusTrustSchema).describe("Trusts: who may act as whom, within which trust policy.").optional(),
    resources: z.array(cloudalusResourceSchema).describe("Resources with their owners and resource policies.").optional(),
  })
  .describe("An iamc workspace manifest (model `cloudalus`).");

/** The manifest with its list entries left unchecked, so that each is checked on its own. */
export const cloudalusManifestShellSchema = cloudalusManifestSchema.extend({
  policies: z.array(z.unknown()).describe("Trust policies and resource policies.").optional(),
  principals: z.array(z.unknown()).describe("Users and programmatic identities.").optional(),
  accessKeys: z.array(z.unknown()).describe("Access keys and the programmatic identities they authenticate as.").optional(),
  trusts: z.array(z.unknown()).describe("Trusts: who may act as whom, within which trust policy.").optional(),
  resources: z.array(z.unknown()).describe("Resources with their owners and resource policies.").optional(),
});

export type CloudalusPrincipalEntry = z.infer<typeof cloudalusPrincipalSchema>;
export type CloudalusAccessKeyEntry = z.infer<typeof cloudalusAccessKeySchema>;
export type CloudalusTrustEntry = z.infer<typeof cloudalusTrustSchema>;
export type CloudalusResourceEntry = z.infer<typeof cloudalusResourceSchema>;
