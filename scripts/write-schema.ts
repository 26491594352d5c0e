// Writes schema/*.schema.json from the zod schemas. Node 20 cannot run TypeScript, so the schema
// test runs this: `IAMC_WRITE_SCHEMA=1 npx vitest run test/compiler/schema.test.ts`
// (with Node >= 22.6: `node --experimental-strip-types scripts/write-schema.ts`).
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { renderJsonSchemas } from "../compiler/schema/json-schema.js";

/** The package root: the folder above `scripts/`. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Writes every generated schema file under `root`; returns the paths written. */
export async function writeSchemas(root: string = PACKAGE_ROOT): Promise<string[]> {
  const written: string[] = [];
  for (const file of renderJsonSchemas()) {
    const target = join(root, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.text);
    written.push(target);
  }
  return written;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const path of await writeSchemas()) console.log(`wrote ${path}`);
}
