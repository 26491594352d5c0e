// JSON Schema for editors, generated from the zod schemas so the two never disagree.
import * as z from "zod";
import { awsManifestSchema, awsPolicyDocumentSchema, awsStatementSchema } from "./aws.js";
import { ALL_SERVICES, KRUTRIM_SERVICES, krutrimManifestSchema, krutrimPolicyDocumentSchema, krutrimServiceSchema } from "./krutrim.js";

/** A generated schema file: its path from the package root and its text. */
export interface SchemaFile {
  readonly path: string;
  readonly text: string;
}

// What zod cannot say of a statement, JSON Schema can: exactly one of each pair, at most one principal field
const STATEMENT_RULES = [
  { oneOf: [{ required: ["Action"] }, { required: ["NotAction"] }] },
  { oneOf: [{ required: ["Resource"] }, { required: ["NotResource"] }] },
  { not: { required: ["Principal", "NotPrincipal"] } },
];

function render(schema: z.ZodType, title: string): string {
  const json = z.toJSONSchema(schema, {
    target: "draft-7",
    unrepresentable: "throw",
    override: (ctx) => {
      if (ctx.zodSchema === awsStatementSchema) ctx.jsonSchema.allOf = STATEMENT_RULES;
      // the front end checks the service itself (for a short message and a did-you-mean); editors get the list
      if (ctx.zodSchema === krutrimServiceSchema) ctx.jsonSchema.enum = [...KRUTRIM_SERVICES, ALL_SERVICES];
    },
  });
  return `${JSON.stringify({ ...json, title }, null, 2)}\n`;
}

/**
 * The schema files: `schema/iamc.schema.json` (the `aws` manifest), `schema/aws-policy.schema.json`,
 * `schema/krutrim.schema.json` (the `krutrim` manifest) and `schema/krutrim-policy.schema.json`.
 */
export function renderJsonSchemas(): SchemaFile[] {
  return [
    { path: "schema/iamc.schema.json", text: render(awsManifestSchema, "iamc workspace manifest") },
    { path: "schema/aws-policy.schema.json", text: render(awsPolicyDocumentSchema, "AWS IAM policy document") },
    { path: "schema/krutrim.schema.json", text: render(krutrimManifestSchema, "iamc workspace manifest (krutrim)") },
    { path: "schema/krutrim-policy.schema.json", text: render(krutrimPolicyDocumentSchema, "Krutrim policy document") },
  ];
}
