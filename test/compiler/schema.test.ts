import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { renderJsonSchemas } from "../../compiler/schema/json-schema.js";
import { PACKAGE_ROOT, writeSchemas } from "../../scripts/write-schema.js";

// the committed schema files are generated: regenerate with IAMC_WRITE_SCHEMA=1
describe("json schema", () => {
  if (process.env.IAMC_WRITE_SCHEMA === "1") test("writes the schema files", async () => void (await writeSchemas()));

  for (const file of renderJsonSchemas()) {
    test(`${file.path} is up to date`, async () => {
      const committed = await readFile(join(PACKAGE_ROOT, file.path), "utf8");
      expect(committed, "run IAMC_WRITE_SCHEMA=1 npx vitest run test/compiler/schema.test.ts").toBe(file.text);
    });
  }

  test("the manifest schema describes its fields, allows $schema and is strict", () => {
    const manifest = JSON.parse(renderJsonSchemas()[0]!.text);
    expect(manifest.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(manifest.additionalProperties).toBe(false);
    expect(Object.keys(manifest.properties)).toEqual(["$schema", "model", "policies", "accounts", "groups", "principals", "resources"]);
    for (const [key, property] of Object.entries<{ description?: string }>(manifest.properties)) {
      expect(property.description, key).toBeTruthy();
    }
  });

  test("the policy schema says Action xor NotAction", () => {
    const policy = JSON.parse(renderJsonSchemas()[1]!.text);
    const statement = policy.properties.Statement.anyOf[0];
    expect(statement.allOf[0]).toEqual({ oneOf: [{ required: ["Action"] }, { required: ["NotAction"] }] });
    expect(statement.properties.Effect.enum).toEqual(["Allow", "Deny"]);
    expect(statement.additionalProperties).toBe(false);
  });
});
