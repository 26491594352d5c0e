// The Cloudalus scenario corpus: one JSON file per topic under test/corpus/cloudalus/, each a
// manifest and either cases (a request, the wanted decision, and optionally every statement that
// matches, as `LAYER: Policy#index`) or the diagnostics the manifest must produce. The wanted
// decisions come from the Cloudalus IAM overview (000_b80ecac796a5e0a4.txt) and the contract's
// `identity`/`via` request fields, as docs/cloudalus.md numbers them, not from running iamc.
// Every case is checked through the reference evaluator and through the compiled bundle.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../compiler/diagnostics.js";
import type { Decision, Request } from "../../compiler/ir.js";
import { evaluateCloudalus, explainCloudalus } from "../../compiler/reference/evaluate-cloudalus.js";
import { compileWorkspace } from "../../compiler/compile.js";
import { loadBundle, type Authorizer } from "../../runtime/index.js";
import { cloudalusWorkspaceFromJson } from "../support/cloudalus-workspace.js";

interface CorpusCase {
  readonly name: string;
  /** What the seed (or iamc's documented choice) says: a short quote or paraphrase. */
  readonly rule: string;
  readonly request: Request;
  readonly decision: Decision;
  /** Every statement that matches, in evaluation order, as `trust t-ci: CiTrust#0` or `resource: P#1`. */
  readonly matched?: readonly string[];
}

interface WantedDiagnostic {
  readonly code: string;
  readonly severity?: string;
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

const DIR = fileURLToPath(new URL("./cloudalus/", import.meta.url));
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();
const DECISIONS: readonly string[] = ["Allow", "ExplicitDeny", "ImplicitDeny"];

function brief(d: Diagnostic, wanted: WantedDiagnostic): WantedDiagnostic {
  return {
    code: d.code,
    ...(wanted.severity === undefined ? {} : { severity: d.severity }),
    pointer: d.pointer ?? "",
    ...(wanted.line === undefined ? {} : { line: d.span?.line }),
    ...(wanted.column === undefined ? {} : { column: d.span?.column }),
    ...(wanted.help === undefined ? {} : { help: d.help }),
  } as WantedDiagnostic;
}

describe("corpus: cloudalus", () => {
  it("has the seed's rules and the errors", () => {
    expect(FILES).toEqual(expect.arrayContaining(["seed-rules.json", "errors.json"]));
  });

  for (const file of FILES) {
    const topic = file.replace(/\.json$/, "");
    const corpus = JSON.parse(readFileSync(join(DIR, file), "utf8")) as CorpusFile;
    const { workspace, diagnostics } = cloudalusWorkspaceFromJson(corpus.manifest);

    if (corpus.diagnostics !== undefined) {
      const wanted = corpus.diagnostics;
      it(`${topic} > reports every error, located`, () => {
        expect(corpus.cases).toBeUndefined();
        expect(workspace).toBeUndefined();
        expect(diagnostics.map((d, i) => brief(d, wanted[i] ?? { code: "", pointer: "" }))).toEqual(wanted);
      });
      continue;
    }

    it(`${topic} > is well-formed and loads with no diagnostics`, () => {
      expect(corpus.description.length).toBeGreaterThan(0);
      expect(diagnostics).toEqual([]);
      const names = (corpus.cases ?? []).map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      for (const c of corpus.cases ?? []) {
        expect(DECISIONS, c.name).toContain(c.decision);
        expect(c.rule.length, c.name).toBeGreaterThan(0);
      }
    });

    let compiled: Authorizer | undefined;
    for (const c of corpus.cases ?? []) {
      it(`${topic} > ${c.name}`, () => {
        if (workspace === undefined) throw new Error(`${file} did not load: ${JSON.stringify(diagnostics)}`);
        expect(evaluateCloudalus(workspace, c.request)).toBe(c.decision);
        compiled ??= loadBundle(compileWorkspace(workspace).bundle!);
        expect(compiled.check(c.request), "compiled bundle").toBe(c.decision);
        if (c.matched === undefined) return;
        expect(explainCloudalus(workspace, c.request).map((m) => `${m.layer}: ${m.policy}#${m.index}`)).toEqual(c.matched);
      });
    }
  }
});
