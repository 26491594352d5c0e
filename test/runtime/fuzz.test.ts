// Fuzzing the readers (fast-check, fixed seeds): manifests and policy documents of any JSON
// shape, mangled JSON text, mangled DSL text and mangled bundle bytes. Each reader returns coded
// diagnostics (or throws a BundleError with a code) and never throws anything else.
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import { DIAGNOSTIC_CODES, type Diagnostic } from "../../compiler/diagnostics.js";
import { parseIamSource } from "../../compiler/iam-source.js";
import { parseJsonSource } from "../../compiler/json-source.js";
import { loadWorkspace } from "../../compiler/load-workspace.js";
import { BundleError, loadBundle } from "../../runtime/index.js";
import { sha256 } from "../../runtime/sha256.js";
import { workspaceFromJson } from "../support/workspace.js";

const coded = (diagnostics: readonly Diagnostic[]) => {
  for (const d of diagnostics) expect(Object.hasOwn(DIAGNOSTIC_CODES, d.code), `uncoded diagnostic ${d.code}: ${d.message}`).toBe(true);
};

/** A string with a few characters replaced, inserted or deleted. */
const mangled = (text: string) =>
  fc.array(fc.tuple(fc.nat(text.length), fc.constantFrom("", "{", "}", "[", "]", '"', ",", ":", "\\", "*", "$", "\n", "\u0000", "é", "policy", "allow", "null"), fc.boolean()), { minLength: 1, maxLength: 6 })
    .map((edits) => edits.reduce((t, [at, insert, replace]) => t.slice(0, at) + insert + t.slice(at + (replace ? 1 : 0)), text));

const SAMPLE_MANIFEST = readFileSync("examples/cloudalus/iamc.json", "utf8");
const SAMPLE_DSL = readFileSync("examples/company/iamc.iam", "utf8");

describe("fuzzed readers", () => {
  it("manifests of any JSON shape, through the loader (model dispatch and all): coded diagnostics, never a throw", async () => {
    const shapes = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({ model: fc.constantFrom("aws", "krutrim", "cloudalus", "gcp"), policies: fc.jsonValue({ maxDepth: 3 }), principals: fc.jsonValue({ maxDepth: 3 }) }),
      fc.record({ model: fc.constantFrom("aws", "krutrim", "cloudalus"), policies: fc.array(fc.record({ id: fc.string(), document: fc.jsonValue({ maxDepth: 4 }) }), { maxLength: 3 }) }),
    );
    const dir = await mkdtemp(join(tmpdir(), "iamc-fuzz-"));
    try {
      await fc.assert(
        fc.asyncProperty(shapes, async (manifest) => {
          await writeFile(join(dir, "iamc.json"), JSON.stringify(manifest));
          const loaded = await loadWorkspace(dir);
          coded(loaded.diagnostics);
          // whatever loads, compiles
          if (loaded.value !== undefined && !loaded.diagnostics.some((d) => d.severity === "error")) {
            expect(compileWorkspace(loaded.value).bundle).toBeInstanceOf(Uint8Array);
          }
        }),
        { numRuns: 300, seed: 101 },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("mangled JSON text: coded diagnostics with positions, never a throw", () => {
    fc.assert(
      fc.property(mangled(SAMPLE_MANIFEST), (text) => {
        const parsed = parseJsonSource("iamc.json", text);
        coded(parsed.diagnostics);
        for (const d of parsed.diagnostics) expect(d.span?.line ?? d.pointer).toBeDefined();
      }),
      { numRuns: 300, seed: 102 },
    );
  });

  it("mangled DSL text: coded diagnostics, never a throw", () => {
    fc.assert(
      fc.property(mangled(SAMPLE_DSL), (text) => {
        coded(parseIamSource("iamc.iam", text).diagnostics);
      }),
      { numRuns: 200, seed: 103 },
    );
  });

  it("mangled bundle bytes: a BundleError with a code, or a table that decides without throwing", () => {
    const { workspace } = workspaceFromJson({
      model: "aws",
      policies: [{ id: "P", document: { Version: "2012-10-17", Statement: [
        { Effect: "Allow", Action: "s3:Get*", Resource: "arn:aws:s3:::b/*", Condition: { Bool: { "aws:SecureTransport": "true" } } },
        { Effect: "Deny", Action: "*", Resource: "arn:aws:*:::*/secret/*" },
      ] } }],
      principals: [{ id: "p", policies: ["P"] }],
    });
    const bundle = compileWorkspace(workspace!).bundle!;
    const edits = fc.array(fc.tuple(fc.nat(bundle.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(edits, fc.boolean(), (changes, cut) => {
        let bytes = bundle.slice();
        for (const [at, value] of changes) bytes[at] = value;
        if (cut) bytes = bytes.subarray(0, changes[0]![0]);
        try {
          const authz = loadBundle(bytes);
          expect(["Allow", "ExplicitDeny", "ImplicitDeny"]).toContain(authz.check({ principal: "p", action: "s3:GetObject", resource: "x" }));
        } catch (error) {
          expect(error).toBeInstanceOf(BundleError);
          expect((error as BundleError).code).toMatch(/^IAMC500\d$/);
        }
      }),
      { numRuns: 500, seed: 104 },
    );
    // the same edits inside the payload with the digest made to match: the structural checks
    // (msgpack types, table lengths, index ranges) are what stands between them and the tables
    const length = new DataView(bundle.buffer, bundle.byteOffset).getUint32(8, true);
    const inPayload = fc.array(fc.tuple(fc.integer({ min: 12, max: 12 + length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 });
    let loaded = 0;
    fc.assert(
      fc.property(inPayload, (changes) => {
        const bytes = bundle.slice();
        for (const [at, value] of changes) bytes[at] = value;
        bytes.set(sha256(bytes.subarray(0, 12 + length)), 12 + length);
        try {
          const authz = loadBundle(bytes);
          loaded++;
          for (const request of [{ principal: "p", action: "s3:GetObject", resource: "arn:aws:s3:::b/x", context: { "aws:SecureTransport": true } }, { principal: null, action: "", resource: "" }]) {
            expect(["Allow", "ExplicitDeny", "ImplicitDeny"]).toContain(authz.check(request));
            expect(["Allow", "ExplicitDeny", "ImplicitDeny"]).toContain(authz.explain(request).decision);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(BundleError);
          expect((error as BundleError).code).toMatch(/^IAMC500\d$/);
        }
      }),
      { numRuns: 1000, seed: 105 },
    );
    // some edits (a string's letter, say) still make a well-formed table, which must decide too
    expect(loaded).toBeGreaterThan(0);
  });
});
