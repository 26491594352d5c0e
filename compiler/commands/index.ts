// The commands that analyse policies and decision tables (diff, access, who, lint, test). Each
// module registers its subcommand; its work is imported lazily when it runs, so `iamc check`
// never loads the analysis code.
import type { Command } from "commander";
import type { CommandContext } from "../cli-support.js";

export type RegisterCommand = (program: Command, context: CommandContext) => void;

export const ANALYSIS_COMMANDS: readonly RegisterCommand[] = [];
