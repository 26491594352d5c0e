// What `npm start` runs: compiles each example workspace (examples/company, AWS; examples/krutrim;
// examples/cloudalus) with the library, writes its bundle beside it, then decides each request of
// its requests.jsonl and shows why. Built to dist/examples/run.js; the workspaces are found from
// the repository root.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import { compile, writeFileAtomic } from "../compiler/index.js";
import { renderDiagnostics } from "../compiler/render.js";
import type { Decision, Request } from "../compiler/ir.js";
import { loadBundle, type Explanation } from "../runtime/index.js";

/** The examples, in the order they run: folder name and bundle name. */
const EXAMPLES: readonly (readonly [string, string])[] = [["company", "company.iamc"], ["krutrim", "krutrim.iamc"], ["cloudalus", "cloudalus.iamc"]];

/** The `examples` folder above this file (source tree or dist/). */
function findExamples(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "examples");
    if (existsSync(join(candidate, "company", "iamc.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("examples/company/iamc.json not found above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** `arn:aws:iam::111111111111:user/alice` -> `111111111111:user/alice`. */
function shortPrincipal(principal: string | null): string {
  if (principal === null) return "(unauthenticated)";
  const parts = principal.split(":");
  return parts.length >= 6 && parts[2] === "iam" ? `${parts[4]}:${parts.slice(5).join(":")}` : principal;
}

function paintDecision(decision: Decision): string {
  const padded = decision.padEnd(12);
  if (decision === "Allow") return pc.green(padded);
  return decision === "ExplicitDeny" ? pc.red(padded) : pc.yellow(padded);
}

/** `identity Allow`, colored by verdict; a required layer that did not allow is flagged. */
function describeLayer(l: Explanation["layers"][number]): string {
  const verdict = l.verdict === "Allow" ? pc.green(l.verdict) : l.verdict === "Deny" ? pc.red(l.verdict) : pc.dim(l.verdict);
  const flag = l.required && l.verdict !== "Allow" ? pc.yellow(" (required)") : "";
  return `${l.layer} ${verdict}${flag}`;
}

async function main(): Promise<number> {
  const examples = findExamples();
  for (const [name, bundleName] of EXAMPLES) {
    const workspace = join(examples, name);
    if (!existsSync(join(workspace, "iamc.json"))) continue;
    console.log(pc.bold(`=== examples/${name} ===\n`));
    const code = await runExample(workspace, bundleName);
    if (code !== 0) return code;
    console.log("");
  }
  return 0;
}

async function runExample(workspace: string, bundleName: string): Promise<number> {
  const root = dirname(dirname(workspace));
  const manifest = join(workspace, "iamc.json");
  const bundlePath = join(workspace, bundleName);

  const started = performance.now();
  const { bundle, diagnostics } = await compile(manifest);
  const readSource = (file: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
  };
  if (diagnostics.length > 0) {
    process.stderr.write(renderDiagnostics(diagnostics, { color: pc.isColorSupported, readSource, displayPath: (f) => relative(root, f) }));
  }
  if (!bundle) {
    process.stderr.write(`the example workspace ${relative(root, workspace)} did not compile\n`);
    return 1;
  }
  await writeFileAtomic(bundlePath, bundle);
  const ms = Math.round(performance.now() - started);
  console.log(`${pc.bold("compiled")} ${relative(root, manifest)} -> ${relative(root, bundlePath)} (${bundle.byteLength} bytes, ${ms} ms)\n`);

  const authz = loadBundle(bundle);
  const lines = readFileSync(join(workspace, "requests.jsonl"), "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  const tally: Record<Decision, number> = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0 };
  lines.forEach((line, i) => {
    const request = JSON.parse(line) as Request;
    const explanation = authz.explain(request);
    tally[explanation.decision]++;
    const n = String(i + 1).padStart(2);
    const adopting = request.identity === undefined ? "" : ` as ${request.identity}${request.via === undefined ? "" : ` via ${request.via.join(", ")}`}`;
    console.log(`${n}. ${paintDecision(explanation.decision)} ${shortPrincipal(request.principal)}${adopting}  ${pc.bold(request.action)}  ${request.resource}`);
    const pad = "                ";
    if (request.context) {
      const context = Object.entries(request.context).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      console.log(`${pad}${pc.dim("context")}  ${context.join("  ")}`);
    }
    console.log(`${pad}${pc.dim("why")}      ${explanation.reason}`);
    console.log(`${pad}${pc.dim("layers")}   ${explanation.layers.map(describeLayer).join("  ")}`);
    console.log("");
  });
  console.log(
    `${lines.length} requests: ${pc.green(`${tally.Allow} Allow`)}, ${pc.red(`${tally.ExplicitDeny} ExplicitDeny`)}, ` +
      `${pc.yellow(`${tally.ImplicitDeny} ImplicitDeny`)}`,
  );
  console.log(pc.dim(`\nmore: node dist/compiler/cli.js check ${relative(root, bundlePath)} --requests ${relative(root, join(workspace, "requests.jsonl"))} --explain`));
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`example run failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
