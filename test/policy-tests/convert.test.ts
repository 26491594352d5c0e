// `iamc convert` on policy test files: JSON to the DSL and back, the workspace path moved to the
// output's folder, and the converted file still runs the same tests.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EXIT } from "../../compiler/cli.js";
import { REPO, run, tempDir } from "../cli/helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(async () => cleanup());

it("converts a test file both ways, keeping its tests and its workspace", async () => {
  const iam = join(dir, "tests.iam");
  const json = join(dir, "tests.json");
  const there = await run(["convert", join(REPO, "examples/company/tests.json"), "-o", iam]);
  expect([there.code, there.stderr]).toEqual([EXIT.ok, expect.stringContaining("(policy tests)")]);
  const text = await readFile(iam, "utf8");
  const twin = await readFile(join(REPO, "examples/company/tests.iam"), "utf8");
  // the twin in the repository has a comment and names its workspace from its own folder
  const body = (t: string) => t.split("\n").filter((l) => !l.startsWith("#") && !l.startsWith("workspace ")).join("\n").trim();
  expect(body(text)).toBe(body(twin));
  expect(text).toMatch(/^workspace .*examples\/company$/m);
  expect((await run(["convert", iam, "-o", json])).code).toBe(EXIT.ok);
  const back = JSON.parse(await readFile(json, "utf8"));
  const original = JSON.parse(await readFile(join(REPO, "examples/company/tests.json"), "utf8"));
  expect(back.tests).toEqual(original.tests);
  const ran = await run(["test", json]);
  expect(ran.code).toBe(EXIT.ok);
  expect(ran.stdout).toMatch(/(\d+) passed, 0 failed/);
});
