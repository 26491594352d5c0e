// Problems found by the grammar, as data: a code, a message, a help and the offsets they cover.
// The compiler turns them into located diagnostics (file, line:column); this folder imports
// nothing of the compiler, so the codes are repeated here and checked against its list there.

/** The codes of the DSL band (1101-1199); their meanings are listed in compiler/diagnostics.ts. */
export type GrammarCode =
  | "IAMC1101"
  | "IAMC1102"
  | "IAMC1103"
  | "IAMC1104"
  | "IAMC1105"
  | "IAMC1106"
  | "IAMC1107"
  | "IAMC1108"
  | "IAMC1110";

/** A problem in DSL text, located by half-open offsets into that text. */
export interface TextProblem {
  readonly code: GrammarCode;
  /** One line, lowercase, no final period; user input in backticks. */
  readonly message: string;
  readonly help: string;
  readonly offset: number;
  readonly endOffset: number;
}

/** A problem in a value (printing it), located by its path. */
export interface ValueProblem {
  readonly code: GrammarCode;
  readonly message: string;
  readonly help: string;
  readonly path: readonly (string | number)[];
}

/** `x` as it reads inside a message: backticks, shortened, no backticks inside. */
export function quote(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return `\`${short.replaceAll("`", "'").replaceAll(/[\r\n]/g, " ")}\``;
}
