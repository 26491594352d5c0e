// What every `iamc` command shares: the streams, exit codes, loading bundles and workspaces,
// reporting errors, colors and paths. cli.ts builds the program; commands/ holds the commands
// added since, each registering itself with `CommandContext`.
import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import pc from "picocolors";
import type { Diagnostic } from "./diagnostics.js";
import { renderDiagnostics, type RenderableDiagnostic } from "./render.js";

/** An output stream of the CLI: a Node writable, with the TTY facts of a terminal when it is one. */
export type CliStream = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };

/** What the CLI reads and writes; the bin passes the process's, tests pass their own. */
export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths resolve against (default: the process's). */
  readonly cwd?: string;
}

/** The exit codes of `iamc`. */
export const EXIT = { ok: 0, invalidInput: 1, usage: 2, internal: 70 } as const;


export interface GlobalOptions {
  readonly color: boolean;
}


export function usageError(cmd: Command, message: string): never {
  // with exitOverride, commander prints the message and throws a CommanderError
  cmd.error(`iamc: error: ${message}`, { exitCode: EXIT.usage, code: "iamc.usage" });
}


export type LoadedAuthorizer = Awaited<ReturnType<typeof import("../runtime/index.js").loadBundle>>;

/**
 * The PEM texts of ed25519 public key files (`--public-key`), each checked now, or the exit code
 * after reporting the first that cannot be read or is not an ed25519 public key (IAMC5008).
 */
export async function readPublicKeyFiles(io: CliIo, cwd: string, globals: GlobalOptions, files: readonly string[]): Promise<string[] | number> {
  if (files.length === 0) return [];
  const { keyIdOf } = await import("../runtime/node.js");
  const publicKeys: string[] = [];
  for (const file of files) {
    const path = resolve(cwd, file);
    try {
      const pem = readFileSync(path, "utf8");
      keyIdOf(pem);
      publicKeys.push(pem);
    } catch (error) {
      return fileError(io, globals, "IAMC5008", `cannot use public key \`${file}\`: ${describeError(error)}`, path, cwd);
    }
  }
  return publicKeys;
}

/** The bundle's authorizer, or the exit code after reporting why it cannot be loaded. */
export async function loadAuthorizer(
  io: CliIo,
  cwd: string,
  bundlePath: string,
  globals: GlobalOptions,
  publicKeyFiles: readonly string[] = [],
): Promise<LoadedAuthorizer | number> {
  const { readBundleFile, loadBundle } = await import("../runtime/node.js");
  const path = resolve(cwd, bundlePath);
  const publicKeys = await readPublicKeyFiles(io, cwd, globals, publicKeyFiles);
  if (typeof publicKeys === "number") return publicKeys;
  try {
    return loadBundle(readBundleFile(path), { publicKeys });
  } catch (err) {
    // a bad bundle is invalid input, reported by its stable code; anything else is a bug
    if (!isCodedError(err)) throw err;
    return fileError(io, globals, err.code, err.message, path, cwd);
  }
}

export function isCodedError(err: unknown): err is { code: string; message: string } {
  if (typeof err !== "object" || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return typeof code === "string" && /^IAMC\d{4}$/.test(code) && typeof message === "string";
}

export async function fileError(io: CliIo, globals: GlobalOptions, code: string, message: string, file: string, cwd: string): Promise<number> {
  const color = colorFor(io.stderr, io.env, globals.color);
  const text = renderDiagnostics([{ code, severity: "error", message, file }], { color, displayPath: displayPath(cwd), summary: false });
  await emit(io.stderr, text);
  return EXIT.invalidInput;
}


/** Renders the diagnostics of a failed run on stderr, with a closing line; exit 1. */
export async function reportFailure(
  io: CliIo,
  cwd: string,
  globals: GlobalOptions,
  diagnostics: readonly RenderableDiagnostic[],
  closing: string | undefined,
): Promise<number> {
  const color = colorFor(io.stderr, io.env, globals.color);
  const c = pc.createColors(color);
  let text = renderDiagnostics(diagnostics, { color, readSource: sourceReader(cwd), displayPath: displayPath(cwd) });
  if (closing !== undefined) text += `${c.red(closing)}\n`;
  await emit(io.stderr, text);
  return EXIT.invalidInput;
}


/** Colors when the stream is a terminal, unless `--no-color` or `NO_COLOR`; `FORCE_COLOR` forces them. */
export function colorFor(stream: CliStream, env: CliIo["env"], flag = true): boolean {
  if (!flag) return false;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

export function displayPath(cwd: string): (file: string) => string {
  return (file) => {
    if (!isAbsolute(file)) return file;
    const rel = relative(cwd, file);
    return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
  };
}

export function sourceReader(cwd: string): (file: string) => string | undefined {
  return (file) => {
    try {
      return readFileSync(resolve(cwd, file), "utf8");
    } catch {
      return undefined;
    }
  };
}

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no such file";
    if (code === "EACCES" || code === "EPERM") return "permission denied";
    if (code === "EISDIR") return "it is a directory";
    return err.message;
  }
  return String(err);
}

/** Writes and waits while the stream is full. */
export async function emit(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await drained(stream);
}

/** Resolves true when the stream drains, false when it closes or fails first. */
export function drained(stream: NodeJS.WritableStream): Promise<boolean> {
  if ((stream as { destroyed?: boolean }).destroyed) return Promise.resolve(false);
  return new Promise((resolveDrained) => {
    const settle = (ok: boolean) => () => {
      stream.removeListener("drain", onDrain);
      stream.removeListener("close", onClose);
      stream.removeListener("error", onClose);
      resolveDrained(ok);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    stream.on("drain", onDrain);
    stream.on("close", onClose);
    stream.on("error", onClose);
  });
}


/** What a command module gets to register itself and run. */
export interface CommandContext {
  readonly io: CliIo;
  readonly cwd: string;
  /** Set `exitCode` when the command finishes. */
  readonly state: { exitCode: number };
  readonly globals: (cmd: Command) => GlobalOptions;
}

/** Whether a path names a bundle (by its `.iamc` extension) rather than a workspace. */
export function isBundlePath(path: string): boolean {
  return /\.iamc$/i.test(path);
}

/**
 * The bundle bytes at `path`: read when it is a `.iamc` file, else compiled in memory from the
 * workspace there (a manifest, a `.iam` workspace or a directory holding one). On a bad bundle
 * or a workspace with errors, reports them and returns the exit code.
 */
export async function bundleOrWorkspace(io: CliIo, cwd: string, path: string, globals: GlobalOptions): Promise<Uint8Array | number> {
  const absolute = resolve(cwd, path);
  if (isBundlePath(path)) {
    const [{ readBundleFile }, { decodeBundle }] = await Promise.all([import("../runtime/node.js"), import("../runtime/format.js")]);
    try {
      const bytes = readBundleFile(absolute);
      decodeBundle(bytes); // a bad bundle is reported here, by its code, not deep inside a command
      return bytes;
    } catch (err) {
      if (!isCodedError(err)) throw err;
      return fileError(io, globals, err.code, err.message, absolute, cwd);
    }
  }
  const { compile } = await import("./compile.js");
  const result = await compile(absolute);
  if (result.bundle === undefined || result.diagnostics.some((d: Diagnostic) => d.severity === "error")) {
    return reportFailure(io, cwd, globals, result.diagnostics, `\`${path}\` has errors`);
  }
  return result.bundle;
}
