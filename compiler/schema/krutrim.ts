// zod schemas of model `krutrim`: the manifest (policies, roles, groups, users) and Krutrim policy
// documents (`{name, description, rules}`). Like schema/aws.ts they validate JSON whatever its
// source and describe every field for editors.
//
// What zod cannot say well is checked in krutrim/lower.ts with its own codes: the service name
// (a short message and a did-you-mean instead of a 21-value list), `*` standing alone among the
// operations.
import * as z from "zod";

/**
 * The policy types (services) of Krutrim's rule model, as the system-managed policies spell
 * them. Names are case-sensitive: `vm`, not `VM` (a near miss gets a did-you-mean).
 */
export const KRUTRIM_SERVICES = [
  "asg", "billing", "dbaas", "dns", "evaluation", "finetuning", "iam", "inference", "kbs", "kcm",
  "kks", "kos", "kpod", "loadbalancer", "maas", "modelRegistry", "securityGroup", "sshkeys", "vm", "vpc",
] as const;

/** A service a rule names. */
export type KrutrimService = (typeof KRUTRIM_SERVICES)[number];

/** The rule's service that stands for every service. */
export const ALL_SERVICES = "All";

/** Krutrim's operations: CRUD. */
export const KRUTRIM_OPERATIONS = ["Create", "Read", "Update", "Delete"] as const;

export type KrutrimOperation = (typeof KRUTRIM_OPERATIONS)[number];

/** The operation that stands for all four. */
export const ALL_OPERATIONS = "*";

// ---------------------------------------------------------------------------------------------
// Policy documents

/** `service`: checked against {@link KRUTRIM_SERVICES} by the front end (the JSON Schema lists them). */
export const krutrimServiceSchema = z
  .string()
  .min(1)
  .describe(`The policy type: one of ${KRUTRIM_SERVICES.map((s) => `\`${s}\``).join(", ")}, or \`All\` for every service (case-sensitive).`);

/** One access rule of a Krutrim policy. */
export const krutrimRuleSchema = z
  .strictObject({
    service: krutrimServiceSchema,
    operations: z
      .array(z.enum([...KRUTRIM_OPERATIONS, ALL_OPERATIONS]).describe("`Create`, `Read`, `Update`, `Delete`, or `*` for all four."))
      .min(1)
      .describe("The operations the rule covers: a non-empty list of `Create`, `Read`, `Update`, `Delete`, or `[\"*\"]` for all four."),
    effect: z.enum(["Allow", "Deny"]).describe("Whether the rule allows or denies (case-sensitive); a matching deny always wins."),
    resources: z
      .array(z.string().min(1).describe("A resource name; `*` and `?` are wildcards."))
      .min(1)
      .describe("The resources the rule covers, with `*` and `?` wildcards. Default: `[\"*\"]`, every resource.")
      .optional(),
  })
  .describe("An access rule: a service, its operations, an effect and optionally resources.");

/** A Krutrim policy document. */
export const krutrimPolicyDocumentSchema = z
  .strictObject({
    name: z.string().min(1).describe("The policy's name, its id when the manifest entry gives no `id`.").optional(),
    description: z.string().describe("What the policy is for (for people; it does not change decisions).").optional(),
    rules: z.array(krutrimRuleSchema).min(1).describe("The access rules: at least one."),
  })
  .describe("A Krutrim policy document: a name, a description and access rules.");

/**
 * The document with its rules left unchecked: the front end checks rules one at a time, so
 * that one bad rule does not hide the errors of the others.
 */
export const krutrimPolicyDocumentShellSchema = krutrimPolicyDocumentSchema.extend({
  rules: z.array(z.unknown()).min(1).describe("The access rules: at least one."),
});

export type KrutrimPolicyDocument = z.infer<typeof krutrimPolicyDocumentSchema>;
export type KrutrimRule = z.infer<typeof krutrimRuleSchema>;

// ---------------------------------------------------------------------------------------------
// Manifest

const entryId = z.string().min(1).describe("The policy's id. Default: the document's `name`, else the file's stem.");

/** A policy written inside the manifest. */
export const krutrimInlinePolicyEntrySchema = z
  .strictObject({ id: entryId.optional(), document: krutrimPolicyDocumentSchema })
  .describe("A policy written inline.");

/** A policy (or several, with a glob) in files next to the manifest. */
export const krutrimFilePolicyEntrySchema = z
  .strictObject({
    id: entryId.optional(),
    file: z
      .string()
      .min(1)
      .describe("A path or glob (`policies/*.json`) relative to the manifest; each JSON file holds one Krutrim policy document."),
  })
  .describe("Policies read from files.");

export const krutrimPolicyEntrySchema = z
  .union([krutrimInlinePolicyEntrySchema, krutrimFilePolicyEntrySchema])
  .describe("A custom policy: `{\"id\", \"document\"}` inline, or `{\"file\"}` for a path or glob.");

/** An inline entry with its document left for the policy checker. */
export const krutrimInlinePolicyEntryShellSchema = krutrimInlinePolicyEntrySchema
  .extend({ document: z.looseObject({}).describe("A Krutrim policy document: `{\"name\", \"description\", \"rules\"}`.") })
  .describe("A policy written inline.");

const ref = (description: string) => z.string().min(1).describe(description);

export const krutrimRoleSchema = z
  .strictObject({
    id: z.string().min(1).describe("The role's id."),
    policies: z
      .array(ref("A policy id: a custom policy, or a system-managed one such as `KVMFullAccess`."))
      .describe("The policies attached to the role; policies act only through roles."),
  })
  .describe("A role: the policies it holds, given to users directly or through groups.");

export const krutrimGroupSchema = z
  .strictObject({
    id: z.string().min(1).describe("The group's id."),
    roles: z.array(ref("A role id.")).describe("Roles every member of the group holds."),
  })
  .describe("A group of users: its members hold its roles.");

export const krutrimUserSchema = z
  .strictObject({
    id: z.string().min(1).describe("The user's id, the `principal` of a request, e.g. `user/ravi`."),
    roles: z.array(ref("A role id.")).describe("Roles assigned to the user directly.").optional(),
    groups: z.array(ref("A group id.")).describe("Groups the user is a member of.").optional(),
  })
  .describe("A user: holds its own roles and its groups' roles.");

/** The manifest of model `krutrim`. */
export const krutrimManifestSchema = z
  .strictObject({
    $schema: z.string().describe("The JSON schema of this file, for editors.").optional(),
    model: z.literal("krutrim").describe("The IAM model: `krutrim`."),
    policies: z.array(krutrimPolicyEntrySchema).describe("The custom policies of the workspace (system-managed ones are built in).").optional(),
    roles: z.array(krutrimRoleSchema).describe("Roles and the policies attached to them.").optional(),
    groups: z.array(krutrimGroupSchema).describe("Groups and their roles.").optional(),
    users: z.array(krutrimUserSchema).describe("Users, their roles and groups.").optional(),
  })
  .describe("An iamc workspace manifest (model `krutrim`).");

/** The manifest with its list entries left unchecked, so that each is checked on its own. */
export const krutrimManifestShellSchema = krutrimManifestSchema.extend({
  policies: z.array(z.unknown()).describe("The custom policies of the workspace (system-managed ones are built in).").optional(),
  roles: z.array(z.unknown()).describe("Roles and the policies attached to them.").optional(),
  groups: z.array(z.unknown()).describe("Groups and their roles.").optional(),
  users: z.array(z.unknown()).describe("Users, their roles and groups.").optional(),
});

export type KrutrimRoleEntry = z.infer<typeof krutrimRoleSchema>;
export type KrutrimGroupEntry = z.infer<typeof krutrimGroupSchema>;
export type KrutrimUserEntry = z.infer<typeof krutrimUserSchema>;
