// Vitest global setup: build dist/ once before the suite, for the tests that run the built bin.
// Type errors do not stop the suite (tsc still emits, and `npm run typecheck` reports them);
// a build that produces nothing does.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const root = fileURLToPath(new URL("../", import.meta.url));
  try {
    execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "pipe", encoding: "utf8" });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    if (!existsSync(`${root}dist/compiler/cli.js`)) throw error;
    console.warn(`global-setup: tsc -p tsconfig.build.json reported errors (dist/ was still built):\n${stdout ?? ""}${stderr ?? ""}`);
  }
}
