// The commands that analyse policies and decision tables (diff, access, who, lint, test). Each
// module registers its subcommand; its work is imported lazily when it runs, so `iamc check`
// never loads the analysis code.
import type { Command } from "commander";
import type { CommandContext } from "../cli-support.js";
import { registerAccess, registerDiff, registerWho } from "./analysis.js";
import { registerLint } from "./lint.js";
import { registerServe } from "./serve.js";
import { registerTest } from "./test.js";

export type RegisterCommand = (program: Command, context: CommandContext) => void;

export const ANALYSIS_COMMANDS: readonly RegisterCommand[] = [registerDiff, registerAccess, registerWho, registerLint, registerTest, registerServe];
