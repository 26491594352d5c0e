// One smoke test of the built bin: the shebang file under dist/ runs as a process. The build is
// done once by test/global-setup.ts.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { REPO } from "./helpers.js";

it("node dist/compiler/cli.js --version prints the package version and exits 0", () => {
  const bin = join(REPO, "dist", "compiler", "cli.js");
  expect(readFileSync(bin, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };
  const r = spawnSync(process.execPath, [bin, "--version"], { cwd: REPO, encoding: "utf8", timeout: 30_000 });
  expect(r.stderr).toBe("");
  expect(r.stdout).toBe(`${version}\n`);
  expect(r.status).toBe(0);
});
