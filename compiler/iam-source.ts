// A `.iam` file as a JsonSource: the grammar builds a located JSON tree whose offsets point into
// the DSL text, so every later stage (zod checks, linking, lowering) reports on DSL line:column
// exactly as it does on JSON. This file adds what the pure grammar leaves out: file names,
// line tables and diagnostics.
import { parseIam, type CommentToken, type GrammarCode, type RawNumbers, type TextProblem, type ValueProblem } from "../grammar/index.js";
import type { Diagnostic, DiagnosticCode, Result } from "./diagnostics.js";
import { computeLineStarts, encodePointer, pathToSpan, spanAt, type JsonSource } from "./json-source.js";

/** A parsed `.iam` file: a JsonSource, plus what the printer needs to write it again. */
export interface IamSource extends JsonSource {
  /** The model its policies were read as. */
  readonly model: string;
  /** Whether the file has a `model` line. */
  readonly declaresModel: boolean;
  readonly rawNumbers: RawNumbers;
  readonly comments: readonly CommentToken[];
}

// every grammar code is a compiler code: this fails to type-check otherwise
const GRAMMAR_CODES_ARE_KNOWN: Record<GrammarCode, DiagnosticCode> = {
  IAMC1101: "IAMC1101",
  IAMC1102: "IAMC1102",
  IAMC1103: "IAMC1103",
  IAMC1104: "IAMC1104",
  IAMC1105: "IAMC1105",
  IAMC1106: "IAMC1106",
  IAMC1107: "IAMC1107",
  IAMC1108: "IAMC1108",
  IAMC1110: "IAMC1110",
};

export { isIamFile } from "./iam-file.js";

/**
 * Parses a `.iam` file. Every syntax error is reported with its line:column (several per run);
 * the source is returned only when there is none. `model` is how to read policies when the file
 * has no `model` line.
 */
export function parseIamSource(file: string, text: string, options: { readonly model?: string } = {}): Result<IamSource> {
  const parsed = parseIam(text, options);
  const lineStarts = computeLineStarts(text);
  if (parsed.tree === undefined) {
    return { value: undefined, diagnostics: parsed.problems.map((p) => textDiagnostic({ file, lineStarts }, p)) };
  }
  const source: IamSource = {
    file,
    text,
    tree: parsed.tree,
    value: parsed.value,
    lineStarts,
    model: parsed.model,
    declaresModel: parsed.declaresModel,
    rawNumbers: parsed.rawNumbers,
    comments: parsed.comments,
  };
  return { value: source, diagnostics: [] };
}

/** A grammar problem in a file's text, as a located diagnostic. */
export function textDiagnostic(source: { readonly file: string; readonly lineStarts: readonly number[] }, problem: TextProblem): Diagnostic {
  return {
    code: GRAMMAR_CODES_ARE_KNOWN[problem.code],
    severity: "error",
    message: problem.message,
    file: source.file,
    span: spanAt(source, problem.offset, problem.endOffset),
    help: problem.help,
  };
}

/** A problem with a value (e.g. one the DSL cannot write), located in the source it came from when known. */
export function valueDiagnostic(file: string, problem: ValueProblem, source?: JsonSource): Diagnostic {
  // a field is named by its key; a list item by itself
  const span = source === undefined ? undefined : pathToSpan(source, problem.path, "key");
  return {
    code: GRAMMAR_CODES_ARE_KNOWN[problem.code],
    severity: "error",
    message: problem.message,
    file,
    pointer: encodePointer(problem.path),
    ...(span === undefined ? {} : { span }),
    help: problem.help,
  };
}
