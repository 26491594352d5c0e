// `iamc test`: run policy test files (requests and the decisions they must get) against a bundle
// or a workspace, optionally with statement coverage. The work lives in compiler/policy-tests/,
// imported when the command runs.
import { Option, type Command } from "commander";
import type { TestOptions } from "../policy-tests/command.js";
import type { RegisterCommand } from "./index.js";

/** Registers `iamc test [TARGET] TESTFILE... [--coverage] [--threshold N] [--format human|json]`. */
export const registerTest: RegisterCommand = (program, context) => {
  program
    .command("test")
    .usage("[options] [TARGET] TESTFILE...")
    .description(
      "run policy tests: each test is a request and the decision it must get; TARGET is a .iamc bundle or a workspace " +
        "(default: the test files' `workspace`); exit 1 when a test fails",
    )
    .argument("<paths...>", "[TARGET] then test files (.json or .iam)")
    .option("--coverage", "also list the statements no test exercised, and the percentage that were")
    .option("--threshold <percent>", "exit 1 when fewer than this percentage of statements were exercised (implies --coverage)")
    .addOption(new Option("--format <format>", "output format").choices(["human", "json"]).default("human"))
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  iamc test examples/company examples/company/tests.json --coverage",
        "  iamc test company.iamc tests.iam --threshold 90",
        "  iamc test examples/krutrim/tests.json            # the file names its workspace",
      ].join("\n"),
    )
    .action(async (paths: string[], options: TestOptions, cmd: Command) => {
      const { testCommand } = await import("../policy-tests/command.js");
      context.state.exitCode = await testCommand(context, paths, options, cmd);
    });
};
