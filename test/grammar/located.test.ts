// The DSL builds the same located JSON tree a JSON file gives, so every later stage (zod checks,
// linking, lowering) reports its errors on the DSL file's own line:column, with no code of its own.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { parseIamSource } from "../../compiler/iam-source.js";
import { nodeAt, pathToSpan, rawTextAt } from "../../compiler/json-source.js";
import { loadWorkspace } from "../../compiler/load-workspace.js";
import { checkManifest } from "../../compiler/manifest-aws.js";
import { buildAwsWorkspace, sortDiagnostics } from "../../compiler/workspace-aws.js";
import { tempDir } from "../cli/helpers.js";
import { at, brief, checkStyle } from "../compiler/front-end-helpers.js";

/** Runs the front end on a `.iam` workspace text, as `iamc compile ws.iam` does. */
function load(text: string) {
  const parsed = parseIamSource("ws.iam", text);
  if (parsed.value === undefined) return { diagnostics: parsed.diagnostics, workspace: undefined };
  const checked = checkManifest(parsed.value);
  if (checked.value === undefined) return { diagnostics: checked.diagnostics, workspace: undefined };
  const built = buildAwsWorkspace({ manifestSource: parsed.value, manifest: checked.value, files: [], sources: [] });
  const diagnostics = sortDiagnostics([...checked.diagnostics, ...built.diagnostics], ["ws.iam"]);
  diagnostics.forEach(checkStyle);
  return { diagnostics, workspace: built.value };
}

const where = (text: string, needle: string, occurrence = 0) => at(text, needle, occurrence);

describe("schema and link errors in a .iam workspace land on its line:column", () => {
  const text = [
    "model aws",
    "",
    "policy ReadAppData {",
    "  version 2012-10-17",
    '  "Allw" s3:GetObject on arn:aws:s3:::app-data/*',
    "  allow s3:GetObject on * when aws:SourceIp IpAdress 10.0.0.0/8",
    "  allow s3:GetObject on * when s3:max-keys NumericLessThan json(1e3)",
    "  allow s3Get on * by *",
    "}",
    "",
    "group devs in account 111111111111 { policies ReadAppDta }",
    "principal arn:aws:iam::111111111111:user/alice in account 1111 { groups devs  bogus x }",
    "",
  ].join("\n");
  const { diagnostics } = load(text);

  test("every error, with its code, pointer and DSL position", () => {
    expect(diagnostics.map(brief)).toEqual([
      { code: "IAMC2004", pointer: "/policies/0/document/Statement/0/Effect", ...where(text, '"Allw"') },
      { code: "IAMC2006", pointer: "/policies/0/document/Statement/1/Condition/IpAdress", ...where(text, "IpAdress") },
      { code: "IAMC2007", pointer: "/policies/0/document/Statement/2/Condition/NumericLessThan/s3:max-keys", ...where(text, "1e3") },
      { code: "IAMC2011", pointer: "/policies/0/document/Statement/3/Action", ...where(text, "s3Get") },
      { code: "IAMC3001", pointer: "/groups/0/policies/0", ...where(text, "ReadAppDta") },
      { code: "IAMC2001", pointer: "/principals/0/account", line: 12, column: 59 },
      { code: "IAMC2003", pointer: "/principals/0/bogus", ...where(text, "bogus") },
    ]);
  });

  test("the messages are the JSON front end's, with its did-you-means", () => {
    const byCode = Object.fromEntries(diagnostics.map((d) => [d.code, d]));
    expect(byCode.IAMC2004!.help).toBe("did you mean `Allow`? (values are case-sensitive)");
    expect(byCode.IAMC2006!.help).toContain("did you mean `IpAddress`?");
    expect(byCode.IAMC3001!.help).toBe("did you mean `ReadAppData`?");
  });
});

describe("the located tree", () => {
  const text = 'model aws\npolicy P {\n  allow s3:* on * when s3:max-keys NumericLessThan json(2.50) and aws:SecureTransport is json(true)\n}\n';
  const source = parseIamSource("ws.iam", text).value!;

  test("a number node spans the number as written, so rawTextAt reads `2.50`", () => {
    const path = ["policies", 0, "document", "Statement", 0, "Condition", "NumericLessThan", "s3:max-keys"];
    expect(rawTextAt(source, path)).toBe("2.50");
    expect(nodeAt(source, path)).toMatchObject({ type: "number", value: 2.5 });
    expect(rawTextAt(source, ["policies", 0, "document", "Statement", 0, "Condition", "Bool", "aws:SecureTransport"])).toBe("true");
  });

  test("a key node spans the DSL word that introduced it; a value node its text", () => {
    const statement = ["policies", 0, "document", "Statement", 0];
    expect(pathToSpan(source, [...statement, "Resource"], "key")).toMatchObject({ line: 3, column: 14, endOffset: text.indexOf(" *") });
    expect(pathToSpan(source, [...statement, "Resource"])).toMatchObject({ line: 3, column: 17 });
    expect(pathToSpan(source, [...statement, "Effect"])).toMatchObject({ line: 3, column: 3 });
    expect(pathToSpan(source, [...statement, "Condition"], "key")).toMatchObject({ line: 3, column: 19 });
    expect(pathToSpan(source, ["policies", 0, "id"])).toMatchObject({ line: 2, column: 8 });
    expect(pathToSpan(source, ["policies", 0, "id"], "key")).toMatchObject({ line: 2, column: 1 });
    expect(pathToSpan(source, ["model"])).toMatchObject({ line: 1, column: 7 });
  });

  test("nodes are linked to their parents as jsonc-parser links them", () => {
    const node = nodeAt(source, ["policies", 0, "id"])!;
    expect(node.parent?.type).toBe("property");
    expect(node.parent?.parent?.type).toBe("object");
  });
});

describe("a .iam policy file listed in a JSON manifest", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    await mkdir(join(dir, "policies"));
  });
  afterEach(() => cleanup());

  const manifest = (policies: unknown[], rest: Record<string, unknown> = {}) =>
    JSON.stringify({ model: "aws", policies, principals: [{ id: "arn:aws:iam::111111111111:user/alice", policies: ["Read", "Write", "admin"] }], ...rest }, null, 2);

  test("contributes its policies, named by `policy NAME`, else their `id`, else the file's stem", async () => {
    await writeFile(join(dir, "policies", "rw.iam"), "policy Read {\n  allow s3:GetObject on *\n}\npolicy Write {\n  allow s3:PutObject on *\n}\n");
    await writeFile(join(dir, "policies", "admin.iam"), "policy {\n  allow * on *\n}\n");
    await writeFile(join(dir, "iamc.json"), manifest([{ file: "policies/*.iam" }]));
    const result = await loadWorkspace(dir);
    expect(result.diagnostics).toEqual([]);
    expect([...result.value!.policies.keys()]).toEqual(["admin", "Read", "Write"]);
    expect(result.value!.sources.map((s) => s.file)).toEqual(["iamc.json", "policies/admin.iam", "policies/rw.iam"]);
    expect(result.value!.policies.get("Write")!.statements[0]!.source.origin).toMatchObject({ file: join(dir, "policies", "rw.iam"), span: { line: 5, column: 3 } });
  });

  test("a model, entities or file includes in it are IAMC1104 at their place; its schema errors are located in it", async () => {
    const file = join(dir, "policies", "bad.iam");
    const text = "model aws\npolicy Read {\n  allow s3:GetObject on * by *\n}\npolicy Odd {\n  deny s3:Put on * when k Nul true\n}\nprincipal p\npolicy Other from x.json\n";
    await writeFile(file, text);
    await writeFile(join(dir, "iamc.json"), manifest([{ file: "policies/bad.iam" }]));
    const result = await loadWorkspace(dir);
    expect(result.value).toBeUndefined();
    const inFile = result.diagnostics.filter((d) => d.file === file).map(brief);
    expect(inFile).toEqual([
      { code: "IAMC1104", pointer: "/model", ...at(text, "model") },
      { code: "IAMC3006", pointer: "/policies/0/document/Statement/0/Principal", ...at(text, "by") },
      { code: "IAMC2006", pointer: "/policies/1/document/Statement/0/Condition/Nul", ...at(text, "Nul") },
      { code: "IAMC1104", pointer: "/principals", ...at(text, "principal") },
      { code: "IAMC1104", pointer: "/policies/2/file", ...at(text, "from") },
    ]);
    result.diagnostics.forEach(checkStyle);
  });

  test("a syntax error in it is reported, and its policies are not reported again as unknown", async () => {
    const file = join(dir, "policies", "broken.iam");
    await writeFile(file, "policy Read {\n  allow s3:GetObject onn *\n}\n");
    await writeFile(join(dir, "iamc.json"), manifest([{ file: "policies/broken.iam" }]));
    const result = await loadWorkspace(dir);
    expect(result.diagnostics.map((d) => ({ ...brief(d), file: d.file }))).toEqual([
      { code: "IAMC3001", pointer: "/principals/0/policies/1", ...at(manifest([{ file: "policies/broken.iam" }]), '"Write"'), file: join(dir, "iamc.json") },
      { code: "IAMC3001", pointer: "/principals/0/policies/2", ...at(manifest([{ file: "policies/broken.iam" }]), '"admin"'), file: join(dir, "iamc.json") },
      { code: "IAMC1102", line: 2, column: 22, file },
    ]);
  });
});

describe("a .iam workspace", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  test("is found in a folder without iamc.json, and its `from` files are read", async () => {
    await writeFile(join(dir, "read.json"), JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }));
    await writeFile(join(dir, "iamc.iam"), "model aws\npolicy Read from read.json\nprincipal arn:aws:iam::111111111111:user/alice { policies Read }\n");
    const result = await loadWorkspace(dir);
    expect(result.diagnostics).toEqual([]);
    expect([...result.value!.policies.keys()]).toEqual(["Read"]);
    expect(result.value!.sources.map((s) => s.file)).toEqual(["iamc.iam", "read.json"]);
  });

  test("of another model is read as that model (cloudalus)", async () => {
    const text = "model cloudalus\n\nprincipal user/ana { kind user }\n";
    await writeFile(join(dir, "iamc.iam"), text);
    const result = await loadWorkspace(join(dir, "iamc.iam"));
    expect(result.diagnostics).toEqual([]);
    expect(result.value).toMatchObject({ model: "cloudalus", principals: [{ id: "user/ana", kind: "user" }] });
  });

  test("without a model line reports the missing model at its first word", async () => {
    await writeFile(join(dir, "iamc.iam"), "\npolicy P {\n  allow * on *\n}\n");
    const result = await loadWorkspace(join(dir, "iamc.iam"));
    expect(result.diagnostics.map(brief)).toEqual([{ code: "IAMC2002", pointer: "/model", line: 2, column: 1 }]);
  });
});
