// `iamc diff`, `iamc access`, `iamc who`: exact questions on decision tables (compiler/analysis/).
// Registration only; the work is imported when a command runs.
import { Option, type Command } from "commander";
import type { CommandContext } from "../cli-support.js";
import type { RegisterCommand } from "./index.js";

export interface DiffOptions {
  readonly json?: boolean;
  readonly failOnNewAccess?: boolean;
}

export interface AccessOptions {
  readonly principal?: string;
  readonly anonymous?: boolean;
  readonly identity?: string;
  readonly via?: string;
  readonly json?: boolean;
}

export interface WhoOptions {
  readonly action: string;
  readonly resource: string;
  readonly json?: boolean;
}

const TARGET = "a .iamc bundle, or a workspace (manifest, .iam workspace or directory) to compile in memory";

export const registerDiff: RegisterCommand = (program: Command, context: CommandContext) => {
  program
    .command("diff")
    .description("the exact set of (principal, action, resource) regions whose decision changes between two bundles or workspaces")
    .argument("<old>", TARGET)
    .argument("<new>", TARGET)
    .option("--json", "print {added, removed, changed} as JSON")
    .option("--fail-on-new-access", "exit 1 when any access is added (a CI gate)")
    .action(async (before: string, after: string, options: DiffOptions, cmd: Command) => {
      const { diffCommand } = await import("./analysis-run.js");
      context.state.exitCode = await diffCommand(context, before, after, options, context.globals(cmd));
    });
};

export const registerAccess: RegisterCommand = (program: Command, context: CommandContext) => {
  program
    .command("access")
    .description("everything a principal may do, as action and resource regions, with the conditions that decide")
    .argument("<target>", TARGET)
    .option("--principal <principal>", "who, e.g. arn:aws:iam::111111111111:user/alice")
    .option("--anonymous", "the unauthenticated caller")
    .option("--identity <id>", "cloudalus: the identity the caller adopts")
    .option("--via <trusts>", "cloudalus: the trusts it relies on, comma-separated")
    .option("--json", "print JSON")
    .action(async (target: string, options: AccessOptions, cmd: Command) => {
      const { accessCommand } = await import("./analysis-run.js");
      context.state.exitCode = await accessCommand(context, target, options, context.globals(cmd), cmd);
    });
};

export const registerWho: RegisterCommand = (program: Command, context: CommandContext) => {
  program
    .command("who")
    .description("every principal (and kind of outside caller) that may do an action on a resource")
    .argument("<target>", TARGET)
    .addOption(new Option("--action <action>", "the action, e.g. s3:GetObject").makeOptionMandatory())
    .addOption(new Option("--resource <resource>", "the resource, e.g. arn:aws:s3:::acme-app-data/q1.csv").makeOptionMandatory())
    .option("--json", "print JSON")
    .action(async (target: string, options: WhoOptions, cmd: Command) => {
      const { whoCommand } = await import("./analysis-run.js");
      context.state.exitCode = await whoCommand(context, target, options, context.globals(cmd));
    });
};
