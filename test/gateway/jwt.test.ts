// jwtVerifier: every algorithm it accepts, and every way a token must fail (wrong key, tampering,
// alg none, algorithm confusion, clock, issuer, audience, malformed shapes) without ever throwing.
import { createHmac, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jwtVerifier, MAX_TOKEN_LENGTH, type JwtVerifierOptions } from "../../gateway/jwt.js";

const NOW = 1_800_000_000;
const at = (seconds = NOW) => () => seconds;

const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

type Signer = (input: Buffer) => Buffer;

/** A compact JWS of `header` and `payload`, signed by `signer`. */
function token(header: Record<string, unknown>, payload: unknown, signer: Signer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${signer(Buffer.from(input)).toString("base64url")}`;
}

const ed = generateKeyPairSync("ed25519");
const edOther = generateKeyPairSync("ed25519");
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const SECRET = "a shared secret of more than thirty-two bytes";

const pem = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();
const signers = {
  EdDSA: (key: KeyObject = ed.privateKey): Signer => (input) => sign(null, input, key),
  ES256: (key: KeyObject = ec.privateKey): Signer => (input) => sign("sha256", input, { key, dsaEncoding: "ieee-p1363" }),
  RS256: (key: KeyObject = rsa.privateKey): Signer => (input) => sign("sha256", input, key),
  HS256: (secret: string | Buffer = SECRET): Signer => (input) => createHmac("sha256", secret).update(input).digest(),
};

const CLAIMS = { sub: "alice", iss: "https://issuer.example", aud: "iamc", iat: NOW - 60, nbf: NOW - 60, exp: NOW + 600 };
const ALL_KEYS: JwtVerifierOptions["keys"] = [pem(ed.publicKey), pem(ec.publicKey), pem(rsa.publicKey), { secret: SECRET }];
const ALL_ALGS: JwtVerifierOptions["algorithms"] = ["EdDSA", "ES256", "RS256", "HS256"];
const verifier = (options: Partial<JwtVerifierOptions> = {}) =>
  jwtVerifier({ keys: ALL_KEYS, algorithms: ALL_ALGS, now: at(), ...options });

describe("jwtVerifier: valid tokens", () => {
  it.each([
    ["EdDSA", signers.EdDSA()],
    ["ES256", signers.ES256()],
    ["RS256", signers.RS256()],
    ["HS256", signers.HS256()],
  ] as const)("accepts %s and answers the claims", (alg, signer) => {
    expect(verifier()(token({ alg, typ: "JWT" }, CLAIMS, signer))).toEqual(CLAIMS);
  });

  it("takes PEM text, public and private KeyObjects, secret KeyObjects and byte secrets", () => {
    const claims = { sub: "bob" };
    expect(jwtVerifier({ keys: [ed.publicKey], now: at() })(token({ alg: "EdDSA" }, claims, signers.EdDSA()))).toEqual(claims);
    expect(jwtVerifier({ keys: [ed.privateKey], now: at() })(token({ alg: "EdDSA" }, claims, signers.EdDSA()))).toEqual(claims);
    const privatePem = rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(jwtVerifier({ keys: [privatePem], now: at() })(token({ alg: "RS256" }, claims, signers.RS256()))).toEqual(claims);
    const bytes = new TextEncoder().encode(SECRET);
    expect(jwtVerifier({ keys: [{ secret: bytes }], algorithms: ["HS256"] })(token({ alg: "HS256" }, claims, signers.HS256()))).toEqual(claims);
  });

  it("tries every key of the token's kind, whatever its kid says", () => {
    const verify = jwtVerifier({ keys: [pem(edOther.publicKey), pem(ed.publicKey)], now: at() });
    expect(verify(token({ alg: "EdDSA", kid: "not-a-known-id" }, CLAIMS, signers.EdDSA()))).toEqual(CLAIMS);
    expect(verify(token({ alg: "EdDSA" }, CLAIMS, signers.EdDSA(edOther.privateKey)))).toEqual(CLAIMS);
  });

  it("accepts a token without exp, nbf, iat, iss or aud when none is configured", () => {
    expect(verifier()(token({ alg: "EdDSA" }, { sub: "x" }, signers.EdDSA()))).toEqual({ sub: "x" });
  });
});

describe("jwtVerifier: refused tokens", () => {
  const good = token({ alg: "EdDSA" }, CLAIMS, signers.EdDSA());
  const [h, p, s] = good.split(".") as [string, string, string];

  it("refuses a token signed by a key it does not trust", () => {
    expect(verifier()(token({ alg: "EdDSA" }, CLAIMS, signers.EdDSA(edOther.privateKey)))).toBeUndefined();
    const otherEc = generateKeyPairSync("ec", { namedCurve: "P-256" });
    expect(verifier()(token({ alg: "ES256" }, CLAIMS, signers.ES256(otherEc.privateKey)))).toBeUndefined();
    expect(verifier()(token({ alg: "HS256" }, CLAIMS, signers.HS256("another secret of more than thirty-two bytes")))).toBeUndefined();
  });

  it("refuses a tampered payload, header or signature", () => {
    expect(verifier()(`${h}.${b64({ ...CLAIMS, sub: "mallory" })}.${s}`)).toBeUndefined();
    expect(verifier()(`${b64({ alg: "EdDSA", typ: "JWT" })}.${p}.${s}`)).toBeUndefined();
    const flipped = Buffer.from(s, "base64url");
    flipped[10]! ^= 1;
    expect(verifier()(`${h}.${p}.${flipped.toString("base64url")}`)).toBeUndefined();
    expect(verifier()(`${h}.${p}.${s.slice(0, -4)}`)).toBeUndefined();
  });

  it('refuses alg "none" (with or without a signature), and a list naming it is an error', () => {
    expect(verifier()(`${b64({ alg: "none" })}.${p}.`)).toBeUndefined();
    expect(verifier()(`${b64({ alg: "none" })}.${p}.${s}`)).toBeUndefined();
    expect(verifier()(`${b64({ alg: "None" })}.${p}.${s}`)).toBeUndefined();
    expect(() => jwtVerifier({ keys: ALL_KEYS, algorithms: ["none" as "HS256"] })).toThrow(/unknown algorithm/);
  });

  it("never lets an RS256 public key verify an HS256 token (algorithm confusion)", () => {
    const publicPem = pem(rsa.publicKey);
    const forged = (secret: string | Buffer) => token({ alg: "HS256" }, { sub: "admin" }, signers.HS256(secret));
    const der = rsa.publicKey.export({ type: "spki", format: "der" });
    // the default list has no HS256 at all
    const rsaOnly = jwtVerifier({ keys: [publicPem], now: at() });
    for (const secret of [publicPem, der]) expect(rsaOnly(forged(secret))).toBeUndefined();
    // with HS256 allowed, only the configured secret is an HMAC key, never the RSA key
    const mixed = jwtVerifier({ keys: [publicPem, { secret: SECRET }], algorithms: ["RS256", "HS256"], now: at() });
    for (const secret of [publicPem, der]) expect(mixed(forged(secret))).toBeUndefined();
    expect(mixed(forged(SECRET))).toEqual({ sub: "admin" });
    // and the other way: an RS256 token is never checked against the secret
    expect(mixed(token({ alg: "RS256" }, { sub: "admin" }, signers.HS256(SECRET)))).toBeUndefined();
  });

  it("refuses an algorithm the config does not list, even with a key that would verify it", () => {
    const verify = jwtVerifier({ keys: [pem(ed.publicKey), pem(rsa.publicKey)], algorithms: ["EdDSA", "RS256"], now: at() });
    expect(verify(token({ alg: "ES256" }, CLAIMS, signers.ES256()))).toBeUndefined();
    expect(verify(token({ alg: "EdDSA" }, CLAIMS, signers.EdDSA()))).toEqual(CLAIMS);
    // a key of one kind presented under another alg name
    expect(verify(token({ alg: "RS256" }, CLAIMS, signers.EdDSA()))).toBeUndefined();
  });

  it("refuses ES256 signatures in DER form (JWS wants raw r||s)", () => {
    const der: Signer = (input) => sign("sha256", input, ec.privateKey);
    expect(verifier()(token({ alg: "ES256" }, CLAIMS, der))).toBeUndefined();
  });

  it("refuses a header with crit (extensions it does not implement)", () => {
    expect(verifier()(token({ alg: "EdDSA", crit: ["b64"], b64: false }, CLAIMS, signers.EdDSA()))).toBeUndefined();
  });

  it("refuses non-canonical base64url (padding, standard alphabet, stray bits)", () => {
    expect(verifier()(`${h}.${p}.${s}=`)).toBeUndefined();
    expect(verifier()(`${h}=.${p}.${s}`)).toBeUndefined();
    expect(verifier()(`${h}.${p}.${Buffer.from(s, "base64url").toString("base64")}`)).toBeUndefined();
    // the last character of an 86-character signature carries 2 spare bits: a different spelling of the same bytes
    const last = s.at(-1)!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(Buffer.from(s.slice(0, -1) + sibling, "base64url").equals(Buffer.from(s, "base64url"))).toBe(true);
    expect(verifier()(`${h}.${p}.${s.slice(0, -1)}${sibling}`)).toBeUndefined();
  });

  it(`refuses a token over ${MAX_TOKEN_LENGTH} characters unread`, () => {
    const big = token({ alg: "EdDSA" }, { sub: "x", pad: "y".repeat(MAX_TOKEN_LENGTH) }, signers.EdDSA());
    expect(big.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
    expect(verifier()(big)).toBeUndefined();
  });

  it("refuses a payload or header that is not a JSON object", () => {
    for (const payload of [[1, 2], "text", 42, null]) {
      const input = `${b64({ alg: "EdDSA" })}.${b64(JSON.stringify(payload))}`;
      expect(verifier()(`${input}.${signers.EdDSA()(Buffer.from(input)).toString("base64url")}`)).toBeUndefined();
    }
    const input = `${b64("not json")}.${p}`;
    expect(verifier()(`${input}.${signers.EdDSA()(Buffer.from(input)).toString("base64url")}`)).toBeUndefined();
  });
});

describe("jwtVerifier: time, issuer and audience", () => {
  const withClaims = (claims: Record<string, unknown>, options: Partial<JwtVerifierOptions> = {}) =>
    verifier(options)(token({ alg: "EdDSA" }, claims, signers.EdDSA()));

  it("applies exp with the leeway (default 30 s)", () => {
    expect(withClaims({ exp: NOW - 29 })).toBeDefined();
    expect(withClaims({ exp: NOW - 30 })).toBeUndefined();
    expect(withClaims({ exp: NOW + 1 }, { clockToleranceSec: 0 })).toBeDefined();
    expect(withClaims({ exp: NOW }, { clockToleranceSec: 0 })).toBeUndefined();
    expect(withClaims({ exp: NOW - 100 }, { clockToleranceSec: 120 })).toBeDefined();
  });

  it("applies nbf and iat with the leeway", () => {
    expect(withClaims({ nbf: NOW + 30 })).toBeDefined();
    expect(withClaims({ nbf: NOW + 31 })).toBeUndefined();
    expect(withClaims({ iat: NOW + 30 })).toBeDefined();
    expect(withClaims({ iat: NOW + 31 })).toBeUndefined();
    expect(withClaims({ nbf: NOW + 1 }, { clockToleranceSec: 0 })).toBeUndefined();
  });

  it("refuses time claims that are not numbers", () => {
    for (const bad of [String(NOW + 600), null, true, [NOW + 600], { at: NOW }]) {
      expect(withClaims({ exp: bad })).toBeUndefined();
      expect(withClaims({ nbf: bad })).toBeUndefined();
      expect(withClaims({ iat: bad })).toBeUndefined();
    }
  });

  it("reads the real clock when no now is given", () => {
    const verify = jwtVerifier({ keys: [pem(ed.publicKey)] });
    const seconds = Math.floor(Date.now() / 1000);
    expect(verify(token({ alg: "EdDSA" }, { exp: seconds + 60 }, signers.EdDSA()))).toBeDefined();
    expect(verify(token({ alg: "EdDSA" }, { exp: seconds - 60 }, signers.EdDSA()))).toBeUndefined();
  });

  it("checks the issuer against one or several", () => {
    expect(withClaims({ iss: "https://issuer.example" }, { issuer: "https://issuer.example" })).toBeDefined();
    expect(withClaims({ iss: "https://b.example" }, { issuer: ["https://a.example", "https://b.example"] })).toBeDefined();
    expect(withClaims({ iss: "https://evil.example" }, { issuer: ["https://a.example", "https://b.example"] })).toBeUndefined();
    expect(withClaims({}, { issuer: "https://issuer.example" })).toBeUndefined();
    expect(withClaims({ iss: ["https://issuer.example"] }, { issuer: "https://issuer.example" })).toBeUndefined();
  });

  it("checks the audience, either side a string or a list", () => {
    expect(withClaims({ aud: "iamc" }, { audience: "iamc" })).toBeDefined();
    expect(withClaims({ aud: ["other", "iamc"] }, { audience: "iamc" })).toBeDefined();
    expect(withClaims({ aud: ["other", "gateway"] }, { audience: ["iamc", "gateway"] })).toBeDefined();
    expect(withClaims({ aud: ["other", "another"] }, { audience: ["iamc", "gateway"] })).toBeUndefined();
    expect(withClaims({ aud: "IAMC" }, { audience: "iamc" })).toBeUndefined();
    expect(withClaims({}, { audience: "iamc" })).toBeUndefined();
    expect(withClaims({ aud: [1, null, { iamc: true }] }, { audience: "iamc" })).toBeUndefined();
  });
});

describe("jwtVerifier: configuration errors show at start", () => {
  it("refuses a secret unless HS256 is listed, and a short secret", () => {
    expect(() => jwtVerifier({ keys: [{ secret: SECRET }] })).toThrow(/HS256 is not in `algorithms`/);
    expect(() => jwtVerifier({ keys: [{ secret: "short" }], algorithms: ["HS256"] })).toThrow(/at least 32 bytes/);
  });

  it("refuses keys no listed algorithm can use", () => {
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
    expect(() => jwtVerifier({ keys: [pem(p384.publicKey)] })).toThrow(/P-256/);
    const small = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(() => jwtVerifier({ keys: [pem(small.publicKey)] })).toThrow(/2048 bits/);
    expect(() => jwtVerifier({ keys: [pem(ed.publicKey)], algorithms: ["RS256"] })).toThrow(/EdDSA is not in `algorithms`/);
    expect(() => jwtVerifier({ keys: [] })).toThrow(/at least one key/);
    expect(() => jwtVerifier({ keys: ["not a pem"] })).toThrow();
    expect(() => jwtVerifier({ keys: [pem(ed.publicKey)], clockToleranceSec: -1 })).toThrow(/clockToleranceSec/);
  });
});

describe("jwtVerifier: malformed tokens (fast-check)", () => {
  const verify = verifier();
  const good = token({ alg: "EdDSA" }, CLAIMS, signers.EdDSA());
  const b64Chars = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.".split(""));
  const b64Text = fc.string({ unit: b64Chars, maxLength: 120 });

  it("answers undefined, never throws, for arbitrary strings and dotted base64url-ish shapes", () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), b64Text,
      fc.tuple(b64Text, b64Text, b64Text).map((parts) => parts.join(".")),
      fc.array(b64Text, { maxLength: 6 }).map((parts) => parts.join("."))), (text) => {
      expect(verify(text)).toBeUndefined();
    }), { numRuns: 2000 });
  });

  it("answers undefined for JSON of any shape in header and payload, signed or not", () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), fc.boolean(), (header, payload, signed) => {
      const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
      const signature = signed ? signers.EdDSA()(Buffer.from(input)) : Buffer.from("x".repeat(64));
      const result = verify(`${input}.${signature.toString("base64url")}`);
      // a well-formed header naming EdDSA over an object payload is the one way to succeed
      const canSucceed = signed && typeof header === "object" && header !== null && !Array.isArray(header)
        && (header as Record<string, unknown>).alg === "EdDSA" && !("crit" in header)
        && typeof payload === "object" && payload !== null && !Array.isArray(payload);
      if (!canSucceed) expect(result).toBeUndefined();
    }), { numRuns: 500 });
  });

  it("refuses every one-character change of a valid token", () => {
    fc.assert(fc.property(fc.nat({ max: good.length - 1 }), b64Chars, (index, char) => {
      fc.pre(good[index] !== char);
      expect(verify(good.slice(0, index) + char + good.slice(index + 1))).toBeUndefined();
    }), { numRuns: 1000 });
  });

  it("answers undefined for non-strings handed in from untyped code", () => {
    for (const value of [undefined, null, 42, {}, [], Buffer.from(good)]) expect(verify(value as unknown as string)).toBeUndefined();
  });
});
