import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../runtime/sha256.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const nodeHex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("sha256", () => {
  it("matches the FIPS 180-4 vectors", () => {
    const enc = new TextEncoder();
    expect(hex(sha256(new Uint8Array(0)))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(hex(sha256(enc.encode("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hex(sha256(enc.encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("agrees with node:crypto for every length 0..300", () => {
    const data = randomBytes(300);
    for (let n = 0; n <= 300; n++) {
      const b = new Uint8Array(data.subarray(0, n));
      expect(hex(sha256(b)), `length ${n}`).toBe(nodeHex(b));
    }
  });

  it("agrees with node:crypto on large random inputs", () => {
    for (const n of [4096, 65_535, 65_536, 100_003, 1_000_000]) {
      const b = new Uint8Array(randomBytes(n));
      expect(hex(sha256(b)), `length ${n}`).toBe(nodeHex(b));
    }
  });

  it("hashes a subarray view by its own bytes, not the underlying buffer", () => {
    const buf = new Uint8Array(randomBytes(200));
    const view = buf.subarray(7, 150);
    expect(hex(sha256(view))).toBe(nodeHex(new Uint8Array(view)));
  });

  it("does not modify its input", () => {
    const b = new Uint8Array(randomBytes(130));
    const copy = b.slice();
    sha256(b);
    expect(b).toEqual(copy);
  });
});
