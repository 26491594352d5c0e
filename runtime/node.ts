// The runtime at Node's edge: reading bundle files, Node's native SHA-256 for the digest check,
// and ed25519 signature checks with node:crypto. The only part of the runtime that touches node:
// modules.
import { createHash, createPublicKey, verify as verifySignature, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { BundleError } from "./errors.js";
import type { BundleVerifier } from "./format.js";
import { loadBundle as loadPortable, type Authorizer, type LoadOptions } from "./index.js";

/** A public key as PEM text (SPKI), or a node:crypto KeyObject. */
export type PublicKeyInput = string | KeyObject;

/**
 * A key's id: `ed25519:` and the first 16 hex digits of the SHA-256 of its public key (DER). Ids
 * come from the keys themselves, so a bundle names the key it was signed with and a gateway that
 * trusts several keys (during a rotation) finds the right one without any naming convention.
 */
export function keyIdOf(key: PublicKeyInput): string {
  const publicKey = typeof key === "string" ? createPublicKey(key) : key.type === "private" ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== "ed25519") throw new BundleError("IAMC5007", `bundle keys are ed25519; this one is ${publicKey.asymmetricKeyType ?? "not an asymmetric key"}`);
  const der = publicKey.export({ type: "spki", format: "der" });
  return `ed25519:${createHash("sha256").update(der).digest("hex").slice(0, 16)}`;
}

/** A verifier trusting these ed25519 public keys (PEM or KeyObject), by key id. */
export function ed25519Verifier(publicKeys: readonly PublicKeyInput[]): BundleVerifier {
  const trusted = new Map<string, KeyObject>();
  for (const key of publicKeys) {
    const publicKey = typeof key === "string" ? createPublicKey(key) : key;
    trusted.set(keyIdOf(publicKey), publicKey);
  }
  return (message, signature, keyId) => {
    const key = trusted.get(keyId);
    return key !== undefined && verifySignature(null, message, key, signature);
  };
}

/** Node's load options: also `publicKeys`, the ed25519 keys a bundle must be signed by. */
export interface NodeLoadOptions extends LoadOptions {
  readonly publicKeys?: readonly PublicKeyInput[];
}

/** SHA-256 by node:crypto. */
export function nodeSha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

/**
 * Loads bundle bytes, checking the digest with Node's native SHA-256. With `publicKeys`, only a
 * bundle signed by one of them loads (IAMC5007 otherwise).
 */
export function loadBundle(bytes: Uint8Array, options: NodeLoadOptions = {}): Authorizer {
  return loadPortable(bytes, nodeOptions(options));
}

/** Node's options as the portable loader takes them: native SHA-256, keys as a verifier. */
export function nodeOptions(options: NodeLoadOptions): LoadOptions {
  const { publicKeys, ...rest } = options;
  return {
    sha256: nodeSha256,
    ...(publicKeys !== undefined && publicKeys.length > 0 ? { verify: ed25519Verifier(publicKeys) } : {}),
    ...rest,
  };
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
export function loadBundleFile(path: string, options: NodeLoadOptions = {}): Authorizer {
  return loadBundle(readBundleFile(path), options);
}

/** Hot reload: watch a bundle file or URL, keep the last good bundle serving. */
export { watchBundle, type BundleWatcher, type WatchEvent, type WatchOptions } from "./watch.js";
