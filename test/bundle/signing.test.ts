// Signed bundles: ed25519 over everything up to the digest, key ids from the keys, rotation by
// trusting several keys, and refusal (IAMC5007) of unsigned, wrongly signed or tampered bundles
// whenever keys are configured; the runtime core takes any verify function.
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../compiler/cli.js";
import { compileWorkspace } from "../../compiler/compile.js";
import { ed25519Signer, generateSigningKey } from "../../compiler/signing.js";
import { BundleError, loadBundle as loadPortable, signatureKeyId } from "../../runtime/index.js";
import { ed25519Verifier, keyIdOf, loadBundle } from "../../runtime/node.js";
import { nodeSha256 } from "../../runtime/node.js";
import { run, tempDir } from "../cli/helpers.js";
import { workspaceFromJson } from "../support/workspace.js";

const ALICE = "arn:aws:iam::111111111111:user/alice";
const REQUEST = { principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::b/x" };

const { workspace } = workspaceFromJson({
  model: "aws",
  policies: [{ id: "P", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] } }],
  principals: [{ id: ALICE, policies: ["P"] }],
});

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (error) {
    return error instanceof BundleError ? error.code : `not a BundleError: ${String(error)}`;
  }
};

describe("signed bundles", () => {
  const key = generateSigningKey();
  const other = generateSigningKey();
  const signed = compileWorkspace(workspace!, { sign: ed25519Signer(key.privateKeyPem) }).bundle!;
  const unsigned = compileWorkspace(workspace!).bundle!;

  it("load with the key, decide as the unsigned bundle does, and name their key", () => {
    expect(loadBundle(signed, { publicKeys: [key.publicKeyPem] }).check(REQUEST)).toBe("Allow");
    expect(loadBundle(unsigned).check(REQUEST)).toBe("Allow");
    expect(signatureKeyId(signed)).toBe(key.keyId);
    expect(signatureKeyId(unsigned)).toBeUndefined();
    expect(key.keyId).toBe(keyIdOf(key.publicKeyPem));
    expect(key.keyId).toMatch(/^ed25519:[0-9a-f]{16}$/);
    // without keys configured a signature is not checked (and does not stop a load)
    expect(loadBundle(signed).check(REQUEST)).toBe("Allow");
  });

  it("are deterministic: the same workspace and key give the same bytes", () => {
    expect(compileWorkspace(workspace!, { sign: ed25519Signer(key.privateKeyPem) }).bundle).toEqual(signed);
  });

  it("with keys configured, refuse an unsigned bundle and one signed by another key", () => {
    expect(codeOf(() => loadBundle(unsigned, { publicKeys: [key.publicKeyPem] }))).toBe("IAMC5007");
    expect(codeOf(() => loadBundle(signed, { publicKeys: [other.publicKeyPem] }))).toBe("IAMC5007");
  });

  it("rotate: a gateway trusting the old and the new key takes bundles signed by either", () => {
    const rotated = compileWorkspace(workspace!, { sign: ed25519Signer(other.privateKeyPem) }).bundle!;
    for (const bundle of [signed, rotated]) {
      expect(loadBundle(bundle, { publicKeys: [key.publicKeyPem, other.publicKeyPem] }).check(REQUEST)).toBe("Allow");
    }
  });

  it("reject every single-byte flip when keys are configured", () => {
    const trusted = { publicKeys: [key.publicKeyPem] };
    let rejected = 0;
    for (let i = 0; i < signed.length; i++) {
      const tampered = signed.slice();
      tampered[i] = tampered[i]! ^ 0x01;
      const code = codeOf(() => loadBundle(tampered, trusted));
      expect(code, `byte ${i} flipped was accepted`).toMatch(/^IAMC500[2-7]$/);
      rejected++;
    }
    expect(rejected).toBe(signed.length);
  });

  it("the runtime core takes any verify function (engine-neutral)", () => {
    const seen: string[] = [];
    const verify = (message: Uint8Array, signature: Uint8Array, keyId: string) => {
      seen.push(keyId);
      return ed25519Verifier([key.publicKeyPem])(message, signature, keyId);
    };
    expect(loadPortable(signed, { sha256: nodeSha256, verify }).check(REQUEST)).toBe("Allow");
    expect(seen).toEqual([key.keyId]);
    expect(codeOf(() => loadPortable(signed, { verify: () => false }))).toBe("IAMC5007");
    expect(codeOf(() => loadPortable(signed, { verify: () => { throw new Error("engine failure"); } }))).toBe("IAMC5007");
  });
});

describe("iamc keygen, compile --sign, check --public-key", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await tempDir()));
  afterAll(async () => cleanup());

  it("signs with a generated key and checks against its public half", async () => {
    const keys = join(dir, "keys");
    const made = await run(["keygen", "-o", keys]);
    expect(made.code).toBe(EXIT.ok);
    const keyId = made.stdout.trim();
    const stem = keyId.replace("ed25519:", "");
    expect((await stat(join(keys, `${stem}.key`))).mode & 0o777).toBe(0o600);
    expect(keyIdOf(await readFile(join(keys, `${stem}.pub`), "utf8"))).toBe(keyId);

    const bundle = join(dir, "signed.iamc");
    expect((await run(["compile", "examples/company", "-o", bundle, "--sign", join(keys, `${stem}.key`)])).code).toBe(EXIT.ok);
    const args = ["--principal", ALICE, "--action", "s3:GetObject", "--resource", "x", "--json"];
    const ok = await run(["check", bundle, "--public-key", join(keys, `${stem}.pub`), ...args]);
    expect([ok.code, ok.stderr]).toEqual([EXIT.ok, ""]);

    const unsigned = join(dir, "unsigned.iamc");
    expect((await run(["compile", "examples/company", "-o", unsigned])).code).toBe(EXIT.ok);
    const refused = await run(["check", unsigned, "--public-key", join(keys, `${stem}.pub`), ...args]);
    expect(refused.code).toBe(EXIT.invalidInput);
    expect(refused.stderr).toContain("IAMC5007");
    expect(refused.stdout).toBe("");

    const missingKey = await run(["check", bundle, "--public-key", join(dir, "nope.pub"), ...args]);
    expect([missingKey.code, missingKey.stderr.includes("IAMC5008")]).toEqual([EXIT.invalidInput, true]);
  });

  it("a bad signing key is an error and writes nothing", async () => {
    const out = join(dir, "never.iamc");
    const r = await run(["compile", "examples/company", "-o", out, "--sign", "examples/company/iamc.json"]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stderr).toContain("IAMC4003");
    await expect(stat(out)).rejects.toThrow();
  });
});
