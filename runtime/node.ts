// Loading bundles from files: the only part of the runtime that touches node: modules.
import { readFileSync } from "node:fs";
import { BundleError } from "./errors.js";
import { loadBundle, type Authorizer } from "./index.js";

/** Reads a bundle file's bytes. Throws BundleError IAMC5001 when it cannot be read. */
export function readBundleFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new BundleError("IAMC5001", `cannot read bundle \`${path}\`: ${reason}`);
  }
}

/** Reads and loads a bundle file. */
export function loadBundleFile(path: string): Authorizer {
  return loadBundle(readBundleFile(path));
}
