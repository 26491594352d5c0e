// The runtime's table plumbing: integer tables of any width read back exactly, the node edge's
// native digest agrees with the portable one, and the exact-spelling cache of actions gives
// the same decisions as walking the automata.
import { describe, expect, it } from "vitest";
import { BundleError, loadBundle as loadPortable } from "../../runtime/index.js";
import { bytesInt32, int32Bytes } from "../../runtime/format.js";
import { loadBundle, nodeSha256 } from "../../runtime/node.js";
import { sha256 } from "../../runtime/sha256.js";
import { compileWorkspace } from "../../compiler/compile.js";
import { workspaceFromJson } from "../support/workspace.js";

describe("integer tables", () => {
  const cases: [number[], number][] = [
    [[], 1],
    [[0, 1, -1, 127, -128], 1],
    [[128], 2],
    [[-129, 32767, -32768], 2],
    [[32768], 4],
    [[-32769, 2147483647, -2147483648], 4],
  ];
  it.each(cases)("%j takes the narrowest width and reads back exactly", (values, width) => {
    const bytes = int32Bytes(values);
    expect(bytes[0]).toBe(width);
    expect(bytes.length).toBe(1 + width * values.length);
    expect([...bytesInt32(bytes)]).toEqual(values);
  });

  it("reads a table that starts at any offset of the bundle", () => {
    const bytes = int32Bytes([1, -70000, 3]);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect([...bytesInt32(shifted.subarray(3))]).toEqual([1, -70000, 3]);
  });

  it.each([
    ["no width byte", new Uint8Array([])],
    ["an unknown width", new Uint8Array([3, 0, 0, 0])],
    ["a length that is not a multiple of the width", new Uint8Array([4, 0, 0, 0])],
  ])("rejects %s with IAMC5004", (_, bytes) => {
    expect(() => bytesInt32(bytes)).toThrowError(BundleError);
    try {
      bytesInt32(bytes);
    } catch (error) {
      expect((error as BundleError).code).toBe("IAMC5004");
    }
  });
});

const MANIFEST = {
  model: "aws",
  policies: [
    {
      id: "P",
      document: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:GetObject", "S3:PutObject", "kms:*"], Resource: "arn:aws:s3:::b/*" },
          { Effect: "Deny", Action: "s3:get*", Resource: "arn:aws:s3:::b/secret/*" },
        ],
      },
    },
  ],
  principals: [{ id: "arn:aws:iam::111111111111:user/u", account: "111111111111", policies: ["P"] }],
};

function bundleOf(manifest: unknown): Uint8Array {
  const { workspace, diagnostics } = workspaceFromJson(manifest);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const { bundle } = compileWorkspace(workspace!);
  return bundle!;
}

describe("the runtime at Node's edge", () => {
  it("checks the digest with node:crypto, to the same bytes as the portable SHA-256", () => {
    const data = new TextEncoder().encode("iamc".repeat(1000));
    expect([...nodeSha256(data)]).toEqual([...sha256(data)]);
  });

  it("loads what the portable loader loads, and refuses a flipped byte alike", () => {
    const bytes = bundleOf(MANIFEST);
    const request = { principal: "arn:aws:iam::111111111111:user/u", action: "s3:GetObject", resource: "arn:aws:s3:::b/x" };
    expect(loadBundle(bytes).check(request)).toBe("Allow");
    expect(loadPortable(bytes).check(request)).toBe("Allow");
    const tampered = bytes.slice();
    tampered[20] = tampered[20]! ^ 1;
    for (const load of [loadBundle, loadPortable]) {
      try {
        load(tampered);
        expect.unreachable("a tampered bundle loaded");
      } catch (error) {
        expect((error as BundleError).code).toBe("IAMC5004");
      }
    }
  });
});

describe("actions found by exact spelling", () => {
  const authz = loadBundle(bundleOf(MANIFEST));
  const check = (action: string, resource: string) =>
    authz.check({ principal: "arn:aws:iam::111111111111:user/u", action, resource });

  it.each([
    // as written in the policy (the cache), and in other cases (the walk): same answers
    ["s3:GetObject", "arn:aws:s3:::b/x", "Allow"],
    ["S3:GETOBJECT", "arn:aws:s3:::b/x", "Allow"],
    ["s3:getobject", "arn:aws:s3:::b/x", "Allow"],
    ["S3:PutObject", "arn:aws:s3:::b/x", "Allow"],
    ["s3:putobject", "arn:aws:s3:::b/x", "Allow"],
    // a spelling in the cache still meets the wildcard deny it falls under
    ["s3:GetObject", "arn:aws:s3:::b/secret/k", "ExplicitDeny"],
    ["s3:GETOBJECT", "arn:aws:s3:::b/secret/k", "ExplicitDeny"],
    ["S3:PutObject", "arn:aws:s3:::b/secret/k", "Allow"],
    // not in the cache: only the prefix pattern can match
    ["kms:Decrypt", "arn:aws:s3:::b/x", "Allow"],
    ["s3:GetObjectAcl", "arn:aws:s3:::b/x", "ImplicitDeny"],
    ["s3:GetObjec", "arn:aws:s3:::b/x", "ImplicitDeny"],
  ])("%s on %s: %s", (action, resource, decision) => {
    expect(check(action, resource)).toBe(decision);
  });
});
