// The AWS scenario corpus: one JSON file per topic under test/corpus/aws/, each a small manifest
// and cases whose wanted decisions come from AWS's documentation, not from running iamc. Every
// case is checked through the compiled bundle (runtime `check`) and the reference evaluator.
// A case marked `knownIssue` is one where iamc disagrees with the documentation: it runs as
// `it.fails`, so the suite stays green while the disagreement stays visible, and it turns red
// the day iamc starts agreeing (then drop the mark).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import type { Diagnostic } from "../../compiler/diagnostics.js";
import type { AwsWorkspace, Request } from "../../compiler/ir.js";
import { evaluateIrDetailed } from "../../compiler/reference/evaluate.js";
import { loadBundle, type Authorizer, type Decision } from "../../runtime/index.js";
import { workspaceFromJson } from "../support/workspace.js";

interface CorpusCase {
  readonly name: string;
  /** The AWS documentation rule the case pins: page title and a short quote or paraphrase. */
  readonly rule: string;
  readonly request: Request;
  readonly decision: Decision;
  /** Statements `explain` must name, as `PolicyId#index` (index from 0). */
  readonly deciding?: readonly string[];
  /** Why iamc disagrees with the documented decision; the case then runs as `it.fails`. */
  readonly knownIssue?: string;
}

interface CorpusFile {
  readonly description: string;
  readonly manifest: unknown;
  readonly cases: readonly CorpusCase[];
}

const DIR = fileURLToPath(new URL("./aws/", import.meta.url));
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();
const DECISIONS: readonly string[] = ["Allow", "ExplicitDeny", "ImplicitDeny"];
const TOPICS = [
  "basics", "wildcards", "not-elements", "scp", "rcp", "boundary", "session",
  "cross-account", "resource-policy", "kms", "outsiders", "conditions", "variables",
] as const;

interface Compiled {
  readonly workspace: AwsWorkspace;
  readonly authz: Authorizer;
}

/** Loads and compiles a manifest once; the diagnostics say why when it could not. */
function compileManifest(manifest: unknown): { compiled?: Compiled; diagnostics: readonly Diagnostic[] } {
  const { workspace, diagnostics } = workspaceFromJson(manifest);
  if (workspace === undefined) return { diagnostics };
  const { bundle, diagnostics: compileDiagnostics } = compileWorkspace(workspace);
  const all = [...diagnostics, ...compileDiagnostics];
  if (bundle === undefined) return { diagnostics: all };
  return { compiled: { workspace, authz: loadBundle(bundle) }, diagnostics: all };
}

const ref = (policy: string, index: number) => `${policy}#${index}`;

describe("corpus: aws", () => {
  it("has a file per topic", () => {
    expect(FILES.map((f) => f.replace(/\.json$/, ""))).toEqual(expect.arrayContaining([...TOPICS]));
  });

  for (const file of FILES) {
    const topic = file.replace(/\.json$/, "");
    const corpus = JSON.parse(readFileSync(join(DIR, file), "utf8")) as CorpusFile;
    const { compiled, diagnostics } = compileManifest(corpus.manifest);

    it(`${topic} > is well-formed and loads with no diagnostics`, () => {
      expect(corpus.description.length).toBeGreaterThan(0);
      expect(diagnostics).toEqual([]);
      expect(compiled).toBeDefined();
      const names = corpus.cases.map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      for (const c of corpus.cases) {
        expect(DECISIONS, c.name).toContain(c.decision);
        expect(c.rule.length, c.name).toBeGreaterThan(0);
        for (const d of c.deciding ?? []) expect(d, c.name).toMatch(/^[^#]+#\d+$/);
      }
    });

    for (const c of corpus.cases) {
      const run = c.knownIssue === undefined ? it : it.fails;
      run(`${topic} > ${c.name}`, () => {
        if (compiled === undefined) throw new Error(`${file} did not compile: ${JSON.stringify(diagnostics)}`);
        const { workspace, authz } = compiled;
        const reference = evaluateIrDetailed(workspace, c.request);
        expect({ runtime: authz.check(c.request), reference: reference.decision }).toEqual({ runtime: c.decision, reference: c.decision });
        if (c.deciding === undefined) return;
        const explained = authz.explain(c.request);
        expect(explained.decision).toBe(c.decision);
        const named = explained.statements.map((s) => ref(s.policy, s.index));
        const matched = reference.matched.map((m) => ref(m.statement.source.policy, m.statement.source.index));
        for (const statement of c.deciding) {
          expect(named, `explain names ${statement}`).toContain(statement);
          expect(matched, `the reference matched ${statement}`).toContain(statement);
        }
      });
    }
  }
});
