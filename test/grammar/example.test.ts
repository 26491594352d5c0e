// examples/company/iamc.iam is the DSL twin of examples/company/iamc.json and its policy files:
// both must compile to the same decision table (the same bundle but for the source digests), so
// the same decisions on every request of requests.jsonl.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import { loadWorkspace } from "../../compiler/load-workspace.js";
import { formatIam } from "../../grammar/index.js";
import { tableOf } from "../support/bundles.js";
import { loadBundle, type Request } from "../../runtime/index.js";
import { REPO } from "../cli/helpers.js";

const COMPANY = join(REPO, "examples", "company");
const requests = readFileSync(join(COMPANY, "requests.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Request);

let json: Uint8Array;
let dsl: Uint8Array;

beforeAll(async () => {
  const [fromJson, fromDsl] = await Promise.all([loadWorkspace(join(COMPANY, "iamc.json")), loadWorkspace(join(COMPANY, "iamc.iam"))]);
  expect(fromJson.diagnostics).toEqual([]);
  expect(fromDsl.diagnostics).toEqual([]);
  json = compileWorkspace(fromJson.value!).bundle!;
  dsl = compileWorkspace(fromDsl.value!).bundle!;
});

describe("examples/company in the DSL", () => {
  test("decides every request of requests.jsonl as the JSON workspace does, with the same explanations", () => {
    const [a, b] = [loadBundle(json), loadBundle(dsl)];
    expect(requests.length).toBe(16);
    for (const request of requests) {
      expect(b.check(request)).toBe(a.check(request));
      expect(b.explain(request)).toEqual(a.explain(request));
    }
  });

  test("compiles to the same table: the bundles differ only in their source digests and statement places", () => {
    const { sources: jsonSources, table: jsonTable, places: jsonPlaces } = tableOf(json);
    const { sources: dslSources, table: dslTable, places: dslPlaces } = tableOf(dsl);
    expect(dslTable).toEqual(jsonTable);
    expect(dslPlaces.every((p) => p?.startsWith("iamc.iam:"))).toBe(true);
    expect(jsonPlaces.every((p) => p?.startsWith("policies/"))).toBe(true);
    expect(dslSources.map(([file]) => file)).toEqual(["iamc.iam"]);
    expect(jsonSources.length).toBe(14);
  });

  test("is written in the canonical form (`iamc fmt --check` passes)", () => {
    const text = readFileSync(join(COMPANY, "iamc.iam"), "utf8");
    expect(formatIam(text).text).toBe(text);
  });
});
