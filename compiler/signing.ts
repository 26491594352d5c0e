// Signing bundles with ed25519 (node:crypto): generating a key pair, and the signer `compile
// --sign` hands to the bundle encoder. Verification lives in the runtime (runtime/node.ts).
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import type { BundleSigner } from "../runtime/format.js";
import { keyIdOf } from "../runtime/node.js";

/** A new ed25519 key pair as PEM text, and its key id. */
export interface GeneratedKey {
  readonly keyId: string;
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

export function generateSigningKey(): GeneratedKey {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    keyId: keyIdOf(publicKey),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** A signer for a private key (PKCS#8 PEM or KeyObject); throws when it is not an ed25519 private key. */
export function ed25519Signer(privateKey: string | KeyObject): BundleSigner {
  const key = typeof privateKey === "string" ? createPrivateKey(privateKey) : privateKey;
  if (key.type !== "private" || key.asymmetricKeyType !== "ed25519") throw new Error("the signing key must be an ed25519 private key");
  const keyId = keyIdOf(key);
  // ed25519 signatures are deterministic: the same bundle and key give the same bytes
  return (message) => ({ keyId, signature: new Uint8Array(sign(null, message, key)) });
}
