// encodeBundle writes the statement texts and the cold part itself (compiler/encode-bundle.ts
// PlainWriter), not through msgpackr: these tests hold it to the bytes msgpackr writes for the
// same values with the format's options, whatever the strings (every UTF-16 unit, lone
// surrogates included, on either side of msgpackr's 64-unit switch to Buffer) and lengths.
import fc from "fast-check";
import { Packr, Unpackr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import { encodeStatementSources } from "../../compiler/encode-bundle.js";
import { MSGPACK_OPTIONS, readPayload, type WireStatementSource } from "../../runtime/format.js";
import { workspaceFromJson } from "../support/workspace.js";

const packr = new Packr(MSGPACK_OPTIONS);
const unpackr = new Unpackr(MSGPACK_OPTIONS);

const encoded = (sources: readonly WireStatementSource[]) => encodeStatementSources(sources.length, (i) => sources[i]!);
/** Compared as bytes: a deep equality of megabytes takes seconds. */
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);

/** Strings of any UTF-16 units, mostly short, some past the str 8 and Buffer boundaries. */
const text = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.string({ unit: fc.constantFrom("a", "é", "€", "😀", "\ud800", "\udc00"), minLength: 20, maxLength: 300 }),
);
const texts = fc.array(text, { maxLength: 20 });
const source: fc.Arbitrary<WireStatementSource> = fc.tuple(texts, fc.boolean(), texts, fc.boolean(), fc.option(texts, { nil: null }), fc.boolean(), texts, fc.option(text, { nil: null }));

describe("statement texts", () => {
  it("are the bytes msgpackr writes", () => {
    fc.assert(
      fc.property(fc.array(source, { maxLength: 20 }), (sources) => {
        expect(same(encoded(sources), packr.pack(sources))).toBe(true);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it("are the bytes msgpackr writes at the header boundaries (array 16 and 32, str 16 and 32)", () => {
    const many = (n: number) => Array.from({ length: n }, (_, i): WireStatementSource => [[`s3:Get${i}`], false, [], true, null, false, [], null]);
    for (const sources of [many(15), many(16), many(65535), many(65536)]) expect(same(encoded(sources), packr.pack(sources))).toBe(true);
    for (const length of [255, 256, 65535, 65536, 70000]) {
      const sources: WireStatementSource[] = [[["a".repeat(length), "é".repeat(length / 2)], false, [], false, null, false, [], "\ud800".repeat(length)]];
      expect(same(encoded(sources), packr.pack(sources))).toBe(true);
    }
  });
});

describe("cold part", () => {
  it("is the bytes msgpackr writes for it", () => {
    const ALICE = "arn:aws:iam::111111111111:user/alice";
    const { workspace } = workspaceFromJson({
      model: "aws",
      policies: [
        { id: "P", document: { Version: "2012-10-17", Statement: [
          { Sid: "Read\u00e9\ud83d\ude00", Effect: "Allow", Action: Array.from({ length: 40 }, (_, i) => `s3:Get${i}`), Resource: "arn:aws:s3:::b/*" },
          { Sid: `Lone${"\ud800".repeat(70)}`, Effect: "Deny", Action: "s3:Delete*", Resource: "*", Condition: { StringEquals: { "aws:SourceVpc": "vpc-1" } } },
        ] } },
        { id: "Q", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:*", Resource: "*" }] } },
      ],
      principals: [{ id: ALICE, policies: ["P", "Q"] }],
    });
    const { cold } = readPayload(compileWorkspace(workspace!).bundle!);
    expect(same(cold, packr.pack(unpackr.unpack(cold)))).toBe(true);
  });
});
