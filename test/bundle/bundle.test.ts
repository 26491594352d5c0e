// The bundle format: round trip, determinism, and rejection of anything that is not exactly a
// bundle iamc wrote.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Packr } from "msgpackr";
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { BundleError, FORMAT_VERSION, loadBundle } from "../../runtime/index.js";
import { MAGIC, assertPlainMsgpack, decodeBundle, type BundlePayload } from "../../runtime/format.js";
import { encodeBundle } from "../../compiler/encode-bundle.js";
import { sha256 } from "../../runtime/sha256.js";
import { compileWorkspace } from "../../compiler/compile.js";
import { workspaceFromJson } from "../support/workspace.js";

const EXAMPLE = fileURLToPath(new URL("../../examples/company/iamc.json", import.meta.url));
const CONFORMANCE = fileURLToPath(new URL("../corpus/conformance/aws/iamc.json", import.meta.url));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(BundleError);
    return (error as BundleError).code;
  }
}

describe("bundle", () => {
  let bundle: Uint8Array;
  beforeAll(async () => {
    const compiled = await compile(EXAMPLE);
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    bundle = compiled.bundle!;
  });

  it("starts with the magic and format version; the payload is followed by its SHA-256 and an empty signature block", () => {
    expect([...bundle.subarray(0, 4)]).toEqual([...MAGIC]);
    const view = new DataView(bundle.buffer, bundle.byteOffset);
    expect(view.getUint32(4, true)).toBe(FORMAT_VERSION);
    expect(view.getUint32(8, true)).toBe(bundle.length - 12 - 32 - 4);
    const signed = bundle.length - 4;
    expect([...bundle.subarray(signed - 32, signed)]).toEqual([...sha256(bundle.subarray(0, signed - 32))]);
    expect(view.getUint32(signed, true)).toBe(0); // unsigned
  });

  it("round-trips: decode then encode gives the same bytes", () => {
    expect(encodeBundle(decodeBundle(bundle))).toEqual(bundle);
  });

  it("is deterministic: the same workspace compiles to the same bytes", async () => {
    for (const manifest of [EXAMPLE, CONFORMANCE]) {
      const a = await compile(manifest);
      const b = await compile(manifest);
      expect(Buffer.from(a.bundle!).equals(Buffer.from(b.bundle!))).toBe(true);
    }
  });

  it("rejects every single-byte flip", () => {
    // A small workspace, so that every byte of its bundle can be flipped in a second or two.
    const small = compileWorkspace(workspaceFromJson({
      model: "aws",
      policies: [{ id: "Read", document: { Version: "2012-10-17", Statement: [
        { Sid: "Read", Effect: "Allow", Action: "s3:Get*", Resource: "arn:aws:s3:::app/*", Condition: { Bool: { "aws:SecureTransport": "true" } } },
      ] } }],
      principals: [{ id: "arn:aws:iam::111111111111:user/alice", account: "111111111111", policies: ["Read"] }],
    }).workspace!).bundle!;
    expect(small.length).toBeGreaterThan(500);
    const codes = new Map<string, number>();
    const bundle = small;
    for (let i = 0; i < bundle.length; i++) {
      const flipped = bundle.slice();
      flipped[i] = flipped[i]! ^ 0xff;
      const code = codeOf(() => loadBundle(flipped));
      if (code === undefined) throw new Error(`a flip at byte ${i} of ${bundle.length} was accepted`);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    // Header flips say what is wrong; everything else fails the digest.
    expect(codes.get("IAMC5002")).toBe(4);
    expect(codes.get("IAMC5003")).toBe(4);
    expect((codes.get("IAMC5004") ?? 0) + 4 + 4).toBe(bundle.length);
  });

  it("rejects truncation at every length and trailing bytes", () => {
    const step = Math.max(1, Math.floor(bundle.length / 500));
    for (let n = 0; n < bundle.length; n += step) {
      expect(codeOf(() => loadBundle(bundle.subarray(0, n)))).toMatch(/^IAMC500[24]$/);
    }
    expect(codeOf(() => loadBundle(new Uint8Array([...bundle, 0])))).toBe("IAMC5004");
  });

  it("rejects an unknown format version with a message that says what to do", () => {
    const future = bundle.slice();
    new DataView(future.buffer).setUint32(4, FORMAT_VERSION + 1, true);
    expect(() => loadBundle(future)).toThrow(new RegExp(`format version ${FORMAT_VERSION + 1} is not supported.*recompile`));
  });

  it("rejects non-bundles", () => {
    expect(codeOf(() => loadBundle(new Uint8Array()))).toBe("IAMC5002");
    expect(codeOf(() => loadBundle(new TextEncoder().encode('{"model":"aws"}')))).toBe("IAMC5002");
    expect(codeOf(() => loadBundle("IAMC" as unknown as Uint8Array))).toBe("IAMC5002");
  });

  it("never hands msgpack extension types (records, RegExp, ...) to the decoder", () => {
    const withRecords = new Packr({ useRecords: true }).pack([{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }]);
    expect(codeOf(() => assertPlainMsgpack(withRecords))).toBe("IAMC5004");
    const withRegExp = new Packr({ moreTypes: true }).pack({ r: /x/ });
    expect(codeOf(() => assertPlainMsgpack(withRegExp))).toBe("IAMC5004");
    expect(() => assertPlainMsgpack(new Packr({ useRecords: false }).pack({ a: [1, "x", true, null, 1.5, new Uint8Array(3)] }))).not.toThrow();
  });

  it("rejects a well-framed payload that is not a decision table", () => {
    const frame = (payload: unknown) => {
      const body = new Packr({ useRecords: false }).pack(payload);
      const out = new Uint8Array(12 + body.length + 32 + 4); // unsigned: a zero signature length
      out.set(MAGIC);
      new DataView(out.buffer).setUint32(4, FORMAT_VERSION, true);
      new DataView(out.buffer).setUint32(8, body.length, true);
      out.set(body, 12);
      out.set(sha256(out.subarray(0, 12 + body.length)), 12 + body.length);
      return out;
    };
    expect(codeOf(() => loadBundle(frame({ model: "gcp" })))).toBe("IAMC5005");
    expect(codeOf(() => loadBundle(frame({ model: "aws" })))).toBe("IAMC5005");
    // a decision table's shape with a wrong part, framed (and digested) as iamc would frame it
    const payload = decodeBundle(bundle);
    expect(codeOf(() => loadBundle(encodeBundle({ ...payload, stranger: 10_000 })))).toBe("IAMC5005");
    const unreadable = [[{ op: "StringEquals", q: "", ie: false, key: "k", vals: [[["x", "y"]]] }]] as unknown as BundlePayload["predicates"];
    expect(codeOf(() => loadBundle(encodeBundle({ ...payload, predicates: unreadable })))).toBe("IAMC5005");
    // the payload as a plain map, its tables not in one binary
    expect(codeOf(() => loadBundle(frame(payload)))).toBe("IAMC5005");
  });

  it("loads from the file the CLI writes, byte for byte what the library returns", async () => {
    const file = fileURLToPath(new URL("../../examples/company/company.iamc", import.meta.url));
    const { run } = await import("../cli/helpers.js");
    expect((await run(["compile", EXAMPLE, "-o", file])).code).toBe(0);
    expect(Buffer.from(readFileSync(file)).equals(Buffer.from(bundle))).toBe(true);
  });
});
