import { describe, expect, test } from "vitest";
import { parseJsonSource } from "../../compiler/json-source.js";
import { checkModel } from "../../compiler/manifest-aws.js";
import { at, brief, codes, loadText, only } from "./front-end-helpers.js";

const doc = { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: "*" } };
const json = (value: unknown) => JSON.stringify(value, null, 2);

describe("model", () => {
  test("unknown model is IAMC2010 listing the known ones, with did-you-mean", () => {
    const text = json({ model: "awz", policies: [] });
    const d = only(loadText(text));
    expect(brief(d)).toEqual({ code: "IAMC2010", pointer: "/model", ...at(text, '"awz"') });
    expect(d.message).toBe("unknown model `awz`");
    expect(d.help).toBe("did you mean `aws`? known models: `aws`, `cloudalus`, `krutrim`");
  });

  test("model cloudalus is known and implemented (its manifests go through checkWorkspaceManifest)", () => {
    const source = parseJsonSource("iamc.json", json({ model: "cloudalus", principals: [] })).value!;
    expect(checkModel(source)).toEqual({ value: "cloudalus", diagnostics: [] });
  });

  test("missing model, non-string model, non-object manifest", () => {
    expect(brief(only(loadText('{\n  "policies": []\n}')))).toEqual({ code: "IAMC2002", pointer: "/model", line: 1, column: 1 });
    expect(only(loadText('{"model": 3}'))).toMatchObject({ code: "IAMC2001", message: "`model` must be a string, not a number" });
    expect(only(loadText("[]"))).toMatchObject({ code: "IAMC2001", pointer: "", message: "the manifest must be an object, not an array" });
  });
});

describe("manifest schema", () => {
  test("`$schema` is allowed; policies and entity lists are optional", () => {
    const result = loadText(json({ $schema: "./node_modules/iamc/schema/iamc.schema.json", model: "aws" }));
    expect(result.diagnostics).toEqual([]);
    expect(result.value).toMatchObject({ model: "aws", accounts: [], groups: [], principals: [], resources: [], sources: [] });
    expect(result.value!.policies.size).toBe(0);
  });

  test("a key written twice in the manifest is IAMC1005", () => {
    const text = '{\n  "model": "aws",\n  "model": "aws"\n}';
    expect(loadText(text).diagnostics.map(brief)).toEqual([{ code: "IAMC1005", pointer: "/model", line: 3, column: 3 }]);
  });

  test("unknown top-level field is IAMC2003 with did-you-mean", () => {
    const text = json({ model: "aws", principles: [] });
    const d = only(loadText(text));
    expect(brief(d)).toEqual({ code: "IAMC2003", pointer: "/principles", ...at(text, '"principles"') });
    expect(d.help).toBe("did you mean `principals`?");
  });

  test("every bad entry is reported, good entries still load", () => {
    const text = json({
      model: "aws",
      policies: [{ id: "P", document: doc }],
      accounts: [{ id: "123", scps: [["P"]] }, { id: "111111111111", scps: [[]], rcp: [] }, { id: "222222222222" }],
      groups: [{ id: "g" }, { id: "h", policies: ["P"] }],
      principals: [{ id: "u", policies: "P" }, { id: "v", tags: { team: 1 } }, { id: "w", policies: ["P"], groups: ["h"], sessionPolicies: [] }],
      resources: [{ id: "", policy: "P" }, { id: "r", acount: "111111111111" }],
    });
    const result = loadText(text);
    expect(result.value).toBeUndefined();
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2001", pointer: "/accounts/0/id", ...at(text, '"123"') },
      { code: "IAMC2001", pointer: "/accounts/1/scps/0", ...at(text, "[]") },
      { code: "IAMC2003", pointer: "/accounts/1/rcp", ...at(text, '"rcp"') },
      { code: "IAMC2002", pointer: "/groups/0/policies", ...at(text, '{\n      "id": "g"') },
      { code: "IAMC2001", pointer: "/principals/0/policies", line: at(text, '"policies": "P"').line, column: at(text, '"policies": "P"').column + 12 },
      { code: "IAMC2001", pointer: "/principals/1/tags/team", ...at(text, "1\n") },
      { code: "IAMC2001", pointer: "/resources/0/id", ...at(text, '""') },
      { code: "IAMC2003", pointer: "/resources/1/acount", ...at(text, '"acount"') },
    ]);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      "`id` must be a 12-digit account id, not `123`",
      "`scps[0]` must not be an empty array",
      "unknown field `rcp`",
      "missing required field `policies`",
      "`policies` must be an array, not a string",
      "`team` must be a string, not a number",
      "`id` must not be empty",
      "unknown field `acount`",
    ]);
    expect(result.diagnostics[2]!.help).toBe("did you mean `rcps`?");
    expect(result.diagnostics[7]!.help).toBe("did you mean `account`?");
  });

  test("a list that is not a list is IAMC2001", () => {
    const text = json({ model: "aws", policies: {}, principals: "u" });
    expect(loadText(text).diagnostics.map(brief)).toEqual([
      { code: "IAMC2001", pointer: "/policies", ...at(text, "{}") },
      { code: "IAMC2001", pointer: "/principals", ...at(text, '"u"') },
    ]);
  });
});

describe("policy entries and ids", () => {
  test("id comes from the entry, else the document's Id", () => {
    const result = loadText(json({ model: "aws", policies: [{ id: "A", document: { ...doc, Id: "Ignored" } }, { document: { ...doc, Id: "B" } }] }));
    expect(result.diagnostics).toEqual([]);
    expect([...result.value!.policies.keys()]).toEqual(["A", "B"]);
    expect(result.value!.policies.get("B")!.statements[0]!.source.policy).toBe("B");
  });

  test("an inline policy without any id is IAMC2002", () => {
    const text = json({ model: "aws", policies: [{ document: doc }] });
    const d = only(loadText(text));
    expect(brief(d)).toEqual({ code: "IAMC2002", pointer: "/policies/0/id", ...at(text, '{\n      "document"') });
    expect(d.message).toBe("an inline policy needs an id");
  });

  test("both document and file is IAMC2013; neither is IAMC2002; a bad entry is reported", () => {
    const text = json({ model: "aws", policies: [{ id: "A", document: doc, file: "a.json" }, { id: "B" }, { id: "C", documnt: doc }, { id: 4, document: doc }, "D"] });
    const result = loadText(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC2013", pointer: "/policies/0/file", ...at(text, '"file"') },
      { code: "IAMC2002", pointer: "/policies/1/document", ...at(text, '{\n      "id": "B"') },
      { code: "IAMC2002", pointer: "/policies/2/document", ...at(text, '{\n      "id": "C"') },
      { code: "IAMC2001", pointer: "/policies/3/id", ...at(text, "4") },
      { code: "IAMC2001", pointer: "/policies/4", ...at(text, '"D"') },
    ]);
  });

  test("duplicate policy ids are IAMC3002 at the second, naming the first", () => {
    const text = json({ model: "aws", policies: [{ id: "A", document: doc }, { document: { ...doc, Id: "A" } }, { id: "A", document: doc }] });
    const result = loadText(text);
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC3002", pointer: "/policies/1/document/Id", ...at(text, '"A"', 1) },
      { code: "IAMC3002", pointer: "/policies/2/id", ...at(text, '"A"', 2) },
    ]);
    const first = at(text, '"A"');
    expect(result.diagnostics[0]!.message).toBe("duplicate policy id `A`");
    expect(result.diagnostics[0]!.help).toContain(`first defined at iamc.json:${first.line}:${first.column}`);
  });

  test("several errors in several policies are all reported, in text order", () => {
    const text = json({
      model: "aws",
      policies: [
        { id: "A", document: { Statement: [{ Effect: "Alow", Action: "s3:*", Resource: "*" }, { Effect: "Allow", Action: "s3", Resource: "*" }] } },
        { id: "B", document: { Statement: { Effect: "Allow", Action: "*", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "x" } } } } },
        { id: "C", document: { Statement: { Effect: "Deny", Action: "*", Resource: "*", Condition: { Boool: { k: "true" } } } } },
      ],
      principals: [{ id: "u", policies: ["A", "B", "C", "D"] }],
    });
    const result = loadText(text);
    expect(codes(result)).toEqual(["IAMC2004", "IAMC2011", "IAMC2007", "IAMC2006", "IAMC3001"]);
    const lines = result.diagnostics.map((d) => d.span!.line);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });
});
