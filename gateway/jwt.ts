// Verifying JWT bearer tokens with node:crypto alone (no JWT library): compact JWS, EdDSA, ES256,
// RS256 and, when asked for, HS256. The verifier answers the claims or undefined; it never throws,
// because a token is attacker input and the gateway turns "undefined" into a 401.
//
// Why each rule:
// - the algorithm comes from the token's header, so it is only a hint: it must be one the config
//   allows AND the kind of the key that checks it. An RSA public key is never used as an HMAC
//   secret (the classic confusion: sign HS256 with the public key's PEM text as the secret).
// - "none" is never accepted, whatever the list says.
// - base64url must be canonical and the parts exactly three, so one token has one spelling.
// - `crit` names extensions this verifier does not implement; RFC 7515 §4.1.11 says reject.
// - exp/nbf/iat are checked with a small leeway for clock skew between issuer and gateway.
import {
  createHmac, createPublicKey, createSecretKey, timingSafeEqual, verify, type KeyObject,
} from "node:crypto";
import type { JwtVerifier } from "./gateway.js";
import type { Claims } from "./mapping.js";

export interface JwtVerifierOptions {
  /** PEM public keys (EdDSA/ES256/RS256), KeyObjects, or for HS256 a shared secret (string/Uint8Array, given as { secret }). */
  readonly keys: readonly (string | import("node:crypto").KeyObject | { readonly secret: string | Uint8Array })[];
  /** Accepted algorithms (default ["EdDSA", "ES256", "RS256"]; HS256 only when listed). "none" is never accepted. */
  readonly algorithms?: readonly ("EdDSA" | "ES256" | "RS256" | "HS256")[];
  readonly issuer?: string | readonly string[];
  readonly audience?: string | readonly string[];
  /** Seconds of leeway for exp/nbf (default 30). */
  readonly clockToleranceSec?: number;
  /** For tests: the current time in seconds. */
  readonly now?: () => number;
}

type Algorithm = "EdDSA" | "ES256" | "RS256" | "HS256";

/** A key, sorted by the one algorithm it may check. */
interface TypedKey {
  readonly alg: Algorithm;
  readonly key: KeyObject;
}

/** Tokens longer than this are refused unread: a bearer token is a few hundred bytes to a few KiB. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

const DEFAULT_ALGORITHMS: readonly Algorithm[] = ["EdDSA", "ES256", "RS256"];
const KNOWN_ALGORITHMS: ReadonlySet<string> = new Set<Algorithm>(["EdDSA", "ES256", "RS256", "HS256"]);
/** RFC 7518 §3.3: RS256 keys are 2048 bits or more. */
const MIN_RSA_BITS = 2048;
/** RFC 7518 §3.2: an HS256 secret is at least as long as the hash (32 bytes). */
const MIN_SECRET_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Builds a verifier for compact JWS tokens signed by one of `keys`. Throws (at start, never per
 * token) when a key cannot be used or the options contradict each other; the verifier it returns
 * answers the claims of a valid token, or undefined.
 */
export function jwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const algorithms = new Set<Algorithm>(options.algorithms ?? DEFAULT_ALGORITHMS);
  for (const alg of algorithms) {
    if (!KNOWN_ALGORITHMS.has(alg)) throw new Error(`jwtVerifier: unknown algorithm \`${String(alg)}\` (use EdDSA, ES256, RS256 or HS256)`);
  }
  const keys = options.keys.map(typedKey);
  if (keys.length === 0) throw new Error("jwtVerifier: give at least one key");
  for (const { alg } of keys) {
    if (!algorithms.has(alg)) {
      throw new Error(`jwtVerifier: a key is for ${alg} but ${alg} is not in \`algorithms\` (${[...algorithms].join(", ")})`);
    }
  }
  const tolerance = options.clockToleranceSec ?? 30;
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new Error("jwtVerifier: clockToleranceSec must be a finite number ≥ 0");
  const issuers = listOf(options.issuer);
  const audiences = listOf(options.audience);
  const now = options.now ?? (() => Date.now() / 1000);

  return (token: string): Claims | undefined => {
    try {
      const parts = splitToken(token);
      if (parts === undefined) return undefined;
      const header = parseJsonObject(parts.header);
      if (header === undefined || "crit" in header) return undefined;
      const alg = header.alg;
      if (typeof alg !== "string" || !algorithms.has(alg as Algorithm)) return undefined;
      const signingInput = Buffer.from(`${parts.header}.${parts.payload}`, "ascii");
      const signature = Buffer.from(parts.signature, "base64url");
      if (!keys.some((k) => k.alg === alg && signatureHolds(k, signingInput, signature))) return undefined;
      const claims = parseJsonObject(parts.payload);
      if (claims === undefined) return undefined;
      return claimsHold(claims, now(), tolerance, issuers, audiences) ? claims : undefined;
    } catch {
      return undefined;
    }
  };
}

/** Sorts a configured key by the algorithm it checks; throws on a key no algorithm here can use. */
function typedKey(input: JwtVerifierOptions["keys"][number]): TypedKey {
  if (typeof input === "object" && input !== null && "secret" in input) {
    const secret = typeof input.secret === "string" ? Buffer.from(input.secret, "utf8") : Buffer.from(input.secret);
    return hmacKey(createSecretKey(secret));
  }
  let key: KeyObject;
  if (typeof input === "string") {
    // a PEM private key also works here: createPublicKey derives its public half
    key = createPublicKey(input);
  } else if (input.type === "secret") {
    return hmacKey(input);
  } else {
    key = input.type === "private" ? createPublicKey(input) : input;
  }
  switch (key.asymmetricKeyType) {
    case "ed25519":
    case "ed448":
      return { alg: "EdDSA", key };
    case "ec":
      if (key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
        throw new Error(`jwtVerifier: ES256 needs a P-256 key, not ${key.asymmetricKeyDetails?.namedCurve ?? "an unknown curve"}`);
      }
      return { alg: "ES256", key };
    case "rsa":
      if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) throw new Error(`jwtVerifier: RS256 keys must have at least ${MIN_RSA_BITS} bits`);
      return { alg: "RS256", key };
    default:
      throw new Error(`jwtVerifier: a ${key.asymmetricKeyType ?? "?"} key cannot verify EdDSA, ES256 or RS256 tokens`);
  }
}

function hmacKey(key: KeyObject): TypedKey {
  if ((key.symmetricKeySize ?? 0) < MIN_SECRET_BYTES) throw new Error(`jwtVerifier: an HS256 secret must be at least ${MIN_SECRET_BYTES} bytes`);
  return { alg: "HS256", key };
}

/** The three base64url parts of a compact JWS, or undefined when it is not one (or not canonical). */
function splitToken(token: unknown): { header: string; payload: string; signature: string } | undefined {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  if (!isCanonicalBase64url(header) || !isCanonicalBase64url(payload) || !isCanonicalBase64url(signature)) return undefined;
  return { header, payload, signature };
}

/** Node decodes base64url leniently (skips junk, ignores stray bits); one token has one spelling. */
function isCanonicalBase64url(text: string): boolean {
  return BASE64URL.test(text) && Buffer.from(text, "base64url").toString("base64url") === text;
}

function parseJsonObject(part: string): Record<string, unknown> | undefined {
  const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function signatureHolds({ alg, key }: TypedKey, input: Buffer, signature: Buffer): boolean {
  switch (alg) {
    case "EdDSA":
      return verify(null, input, key, signature);
    case "ES256":
      // JWS carries ECDSA signatures as raw r||s (64 bytes), not DER
      return signature.length === 64 && verify("sha256", input, { key, dsaEncoding: "ieee-p1363" }, signature);
    case "RS256":
      return verify("sha256", input, key, signature);
    case "HS256": {
      const expected = createHmac("sha256", key).update(input).digest();
      return signature.length === expected.length && timingSafeEqual(signature, expected);
    }
  }
}

/** exp, nbf and iat (numbers when present) against the clock; iss and aud against the config. */
function claimsHold(
  claims: Record<string, unknown>, now: number, tolerance: number,
  issuers: readonly string[] | undefined, audiences: readonly string[] | undefined,
): boolean {
  const { exp, nbf, iat, iss, aud } = claims;
  if (exp !== undefined && (!isTime(exp) || now >= exp + tolerance)) return false;
  if (nbf !== undefined && (!isTime(nbf) || now + tolerance < nbf)) return false;
  if (iat !== undefined && (!isTime(iat) || now + tolerance < iat)) return false;
  if (issuers !== undefined && (typeof iss !== "string" || !issuers.includes(iss))) return false;
  if (audiences !== undefined) {
    const given = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
    if (!given.some((a) => typeof a === "string" && audiences.includes(a))) return false;
  }
  return true;
}

const isTime = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

function listOf(value: string | readonly string[] | undefined): readonly string[] | undefined {
  return value === undefined ? undefined : typeof value === "string" ? [value] : value;
}
