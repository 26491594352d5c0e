// JSON Schema for editors, generated from the zod schemas so the two never disagree.
import * as z from "zod";
import { awsManifestSchema, awsPolicyDocumentSchema, awsStatementSchema } from "./aws.js";

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
    },
  });
  return `${JSON.stringify({ ...json, title }, null, 2)}\n`;
}

/** The schema files: `schema/iamc.schema.json` (the manifest) and `schema/aws-policy.schema.json`. */
export function renderJsonSchemas(): SchemaFile[] {
  return [
    { path: "schema/iamc.schema.json", text: render(awsManifestSchema, "iamc workspace manifest") },
    { path: "schema/aws-policy.schema.json", text: render(awsPolicyDocumentSchema, "AWS IAM policy document") },
  ];
}
