// The runtime stands alone: walking its imports from runtime/index.ts reaches no compiler or
// grammar file, no node: module, and no package but msgpackr.
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm)]
    .map((m) => m[1] ?? m[2] ?? m[3]!);
}

function walk(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith(".")) visit(join(dirname(file), specifier.replace(/\.js$/, ".ts")));
      else packages.add(specifier);
    }
  };
  visit(join(ROOT, entry));
  return { files, packages };
}

describe("runtime boundary", () => {
  it("runtime/index.ts reaches only runtime/ files and msgpackr", () => {
    const { files, packages } = walk("runtime/index.ts");
    const outside = [...files].map((f) => relative(ROOT, f)).filter((f) => !f.startsWith("runtime/"));
    expect(outside).toEqual([]);
    expect([...packages]).toEqual(["msgpackr"]);
    expect(files.size).toBeGreaterThan(4);
  });

  it("only the Node edge, runtime/node.ts (files, native SHA-256, ed25519, hot reload), touches node: modules", () => {
    const { files, packages } = walk("runtime/node.ts");
    expect([...packages].sort()).toEqual(["msgpackr", "node:crypto", "node:fs", "node:fs/promises"]);
    const withNode = [...files].filter((f) => importsOf(f).some((s) => s.startsWith("node:"))).map((f) => relative(ROOT, f)).sort();
    expect(withNode).toEqual(["runtime/node.ts"]);
  });

  it("no runtime file uses eval or new Function", () => {
    for (const file of walk("runtime/index.ts").files) {
      const code = readFileSync(file, "utf8").replace(/\/\/.*$/gm, "");
      expect(code, relative(ROOT, file)).not.toMatch(/\beval\s*\(|new\s+Function\s*\(/);
    }
  });
});
