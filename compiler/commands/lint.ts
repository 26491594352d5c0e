// `iamc lint [MANIFEST|DIR] [--format human|json]`: the classic IAM traps in a workspace. The
// findings go to stdout (they are the command's output); a workspace that does not load is
// reported on stderr like `compile` does. Exit 0 when no finding is an error, 1 otherwise or when
// the workspace has errors, 2 on a usage error.
import { Option, type Command } from "commander";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import pc from "picocolors";
import type { Diagnostic } from "../diagnostics.js";
import { colorFor, displayPath, emit, EXIT, reportFailure, sourceReader, type CommandContext, type GlobalOptions } from "../cli-support.js";
import type { RegisterCommand } from "./index.js";

interface LintOptions {
  readonly format: "human" | "json";
}

/** Registers `iamc lint`; the linter loads only when the command runs. */
export const registerLint: RegisterCommand = (program, context) => {
  program
    .command("lint")
    .description("report the classic IAM traps in a workspace (findings IAMC6001-IAMC6010); exit 1 when one is an error")
    .argument("[manifest]", "the workspace manifest (.json, or .iam in the DSL), or a directory holding iamc.json or iamc.iam", "iamc.json")
    .addOption(new Option("--format <format>", "output format").choices(["human", "json"]).default("human"))
    .action(async (manifest: string, options: LintOptions, cmd: Command) => {
      context.state.exitCode = await lintCommand(context, manifest, options, context.globals(cmd));
    });
};

async function lintCommand(context: CommandContext, manifest: string, options: LintOptions, globals: GlobalOptions): Promise<number> {
  const { io, cwd } = context;
  const [{ lintWorkspace }, { loadWorkspace }, { diagnosticsToJson, renderDiagnostics, summaryLine }] = await Promise.all([
    import("../lint/index.js"),
    import("../load-workspace.js"),
    import("../render.js"),
  ]);
  // the default manifest is iamc.json, else a workspace written in the DSL (as `compile`)
  if (manifest === "iamc.json" && !existsSync(resolve(cwd, manifest)) && existsSync(resolve(cwd, "iamc.iam"))) manifest = "iamc.iam";
  const loaded = await loadWorkspace(resolve(cwd, manifest));
  const workspace = loaded.value;
  if (workspace === undefined) {
    if (options.format === "json") {
      await emit(io.stdout, JSON.stringify({ ok: false, ...diagnosticsToJson(loaded.diagnostics), findings: [] }) + "\n");
      return EXIT.invalidInput;
    }
    return reportFailure(io, cwd, globals, loaded.diagnostics, `\`${manifest}\` has errors; nothing linted`);
  }

  const findings = lintWorkspace(workspace);
  const failed = findings.some((d: Diagnostic) => d.severity === "error");
  if (options.format === "json") {
    const { errors, warnings, diagnostics } = diagnosticsToJson(findings);
    // the workspace's own warnings (IAMC3012) stay apart from the findings, under the key compile uses
    const loadDiagnostics = loaded.diagnostics.length === 0 ? {} : { diagnostics: diagnosticsToJson(loaded.diagnostics).diagnostics };
    await emit(io.stdout, JSON.stringify({ ok: !failed, errors, warnings, findings: diagnostics, ...loadDiagnostics }) + "\n");
    return failed ? EXIT.invalidInput : EXIT.ok;
  }
  const color = colorFor(io.stdout, io.env, globals.color);
  const c = pc.createColors(color);
  const shown = [...loaded.diagnostics, ...findings];
  let text = renderDiagnostics(shown, { color, readSource: sourceReader(cwd), displayPath: displayPath(cwd), summary: false });
  if (text !== "") text += "\n";
  text += `${summaryLine(shown, c)} in ${displayPath(cwd)(resolve(cwd, manifest))}\n`;
  await emit(io.stdout, text);
  return failed ? EXIT.invalidInput : EXIT.ok;
}
