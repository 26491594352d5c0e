// The Krutrim scenario corpus: one JSON file per topic under test/corpus/krutrim/, each a manifest
// and either cases (a request, the wanted decision, the statements that decide it as
// `Policy#rule`, and optionally every grant with its role and group) or the diagnostics the
// manifest must produce. The wanted decisions come from the Krutrim policy document
// (004_58ffb2537fd3407e.txt), not from running iamc. Every case is checked through the reference
// evaluator and through the compiled bundle (runtime `check` and `explain`).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileWorkspace } from "../../compiler/compile.js";
import type { Diagnostic } from "../../compiler/diagnostics.js";
import type { KrutrimWorkspace, Request } from "../../compiler/ir.js";
import { evaluateKrutrim, explainKrutrimGrant, type KrutrimGrant } from "../../compiler/reference/evaluate-krutrim.js";
import { loadBundle, type Authorizer, type Decision } from "../../runtime/index.js";
import { krutrimWorkspaceFromJson } from "../support/krutrim-workspace.js";

interface CorpusCase {
  readonly name: string;
  /** What the seed (or iamc's documented choice) says: a short quote or paraphrase. */
  readonly rule: string;
  readonly request: Request;
  readonly decision: Decision;
  /** Statements that decide, as `PolicyId#rule` (rule index from 0). */
  readonly deciding?: readonly string[];
  /** Every matching statement with the role (and group) it came through, in evaluation order. */
  readonly grants?: readonly KrutrimGrant[];
}

interface WantedDiagnostic {
  readonly code: string;
  readonly pointer: string;
  readonly line?: number;
  readonly column?: number;
  readonly help?: string;
}

interface CorpusFile {
  readonly description: string;
  readonly manifest: unknown;
  readonly cases?: readonly CorpusCase[];
  readonly diagnostics?: readonly WantedDiagnostic[];
}

const DIR = fileURLToPath(new URL("./krutrim/", import.meta.url));
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();
const DECISIONS: readonly string[] = ["Allow", "ExplicitDeny", "ImplicitDeny"];

const ref = (policy: string, index: number) => `${policy}#${index}`;

function brief(d: Diagnostic, wanted: WantedDiagnostic): WantedDiagnostic {
  return {
    code: d.code,
    pointer: d.pointer ?? "",
    ...(wanted.line === undefined ? {} : { line: d.span?.line }),
    ...(wanted.column === undefined ? {} : { column: d.span?.column }),
    ...(wanted.help === undefined ? {} : { help: d.help }),
  } as WantedDiagnostic;
}

describe("corpus: krutrim", () => {
  it("has the seed's examples, the evaluation order and the errors", () => {
    expect(FILES).toEqual(expect.arrayContaining(["seed-examples.json", "evaluation.json", "errors.json"]));
  });

  for (const file of FILES) {
    const topic = file.replace(/\.json$/, "");
    const corpus = JSON.parse(readFileSync(join(DIR, file), "utf8")) as CorpusFile;
    const { workspace, diagnostics } = krutrimWorkspaceFromJson(corpus.manifest);

    if (corpus.diagnostics !== undefined) {
      const wanted = corpus.diagnostics;
      it(`${topic} > reports every error, located`, () => {
        expect(corpus.cases).toBeUndefined();
        expect(workspace).toBeUndefined();
        expect(diagnostics.map((d, i) => brief(d, wanted[i] ?? { code: "", pointer: "" }))).toEqual(wanted);
      });
      continue;
    }

    let compiled: { workspace: KrutrimWorkspace; authz: Authorizer } | undefined;
    it(`${topic} > is well-formed, loads with no diagnostics and compiles`, () => {
      expect(corpus.description.length).toBeGreaterThan(0);
      expect(diagnostics).toEqual([]);
      const names = (corpus.cases ?? []).map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      for (const c of corpus.cases ?? []) {
        expect(DECISIONS, c.name).toContain(c.decision);
        expect(c.rule.length, c.name).toBeGreaterThan(0);
        for (const d of c.deciding ?? []) expect(d, c.name).toMatch(/^[^#]+#\d+$/);
      }
    });

    const compileOnce = () => {
      if (compiled !== undefined) return compiled;
      if (workspace === undefined) throw new Error(`${file} did not load: ${JSON.stringify(diagnostics)}`);
      const { bundle, diagnostics: compileDiagnostics } = compileWorkspace(workspace);
      if (bundle === undefined) throw new Error(`${file} did not compile: ${JSON.stringify(compileDiagnostics)}`);
      compiled = { workspace, authz: loadBundle(bundle) };
      return compiled;
    };

    for (const c of corpus.cases ?? []) {
      it(`${topic} > ${c.name}`, () => {
        const { workspace: ws, authz } = compileOnce();
        expect({ reference: evaluateKrutrim(ws, c.request), runtime: authz.check(c.request) }).toEqual({ reference: c.decision, runtime: c.decision });
        const grants = explainKrutrimGrant(ws, c.request);
        if (c.grants !== undefined) expect(grants).toEqual(c.grants);
        if (c.deciding === undefined) return;
        const explained = authz.explain(c.request);
        expect(explained.decision).toBe(c.decision);
        const named = explained.statements.map((s) => ref(s.policy, s.index));
        const matched = grants.map((g) => ref(g.policy, g.rule));
        for (const statement of c.deciding) {
          expect(named, `explain names ${statement}`).toContain(statement);
          expect(matched, `the reference matched ${statement}`).toContain(statement);
        }
      });
    }
  }
});
