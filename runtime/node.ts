// The runtime at Node's edge: reading bundle files, and Node's native SHA-256 for the digest
// check. The only part of the runtime that touches node: modules.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { BundleError } from "./errors.js";
import { loadBundle as loadPortable, type Authorizer, type LoadOptions } from "./index.js";

/** SHA-256 by node:crypto. */
export function nodeSha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

/** Loads bundle bytes, checking the digest with Node's native SHA-256. */
export function loadBundle(bytes: Uint8Array, options: LoadOptions = {}): Authorizer {
  return loadPortable(bytes, { sha256: nodeSha256, ...options });
}

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
