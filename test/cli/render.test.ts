import { describe, expect, it } from "vitest";
import { codeFrame, diagnosticsToJson, renderDiagnostics, type RenderableDiagnostic } from "../../compiler/render.js";

const POLICY = '{\n  "Version": "2012-10-17",\n  "Statement": [{ "Effect": "Permit" }]\n}\n';
const at = (source: string, needle: string) => source.indexOf(needle);

const effect: RenderableDiagnostic = {
  code: "IAMC2004",
  severity: "error",
  message: "`Permit` is not a valid Effect",
  file: "p.json",
  pointer: "/Statement/0/Effect",
  span: { file: "p.json", line: 3, column: 29, offset: at(POLICY, '"Permit"'), endOffset: at(POLICY, '"Permit"') + 8 },
  help: "use `Allow` or `Deny`",
};

const sources: Record<string, string> = { "p.json": POLICY };
const readSource = (file: string) => sources[file];
const ANSI = /\x1b\[/;

describe("renderDiagnostics", () => {
  it("renders location, severity, code, message, a code frame with carets, help and a summary", () => {
    expect(renderDiagnostics([effect], { color: false, readSource })).toBe(
      [
        "p.json:3:29 - error IAMC2004: `Permit` is not a valid Effect",
        '3 |   "Statement": [{ "Effect": "Permit" }]',
        "  |                             ^^^^^^^^",
        "  help: use `Allow` or `Deny`",
        "",
        "1 error, 0 warnings",
        "",
      ].join("\n"),
    );
  });

  it("falls back to FILE#/json/pointer without a span, and to FILE alone without either", () => {
    const text = renderDiagnostics(
      [
        { code: "IAMC3001", severity: "error", message: "policy `X` does not exist", file: "iamc.json", pointer: "/groups/0/policies/1" },
        { code: "IAMC5004", severity: "warning", message: "digest mismatch", file: "b.iamc" },
        { code: "IAMC2010", severity: "error", message: "no file at all" },
      ],
      { color: false },
    );
    expect(text).toBe(
      [
        "iamc.json#/groups/0/policies/1 - error IAMC3001: policy `X` does not exist",
        "",
        "b.iamc - warning IAMC5004: digest mismatch",
        "",
        "error IAMC2010: no file at all",
        "",
        "2 errors, 1 warning",
        "",
      ].join("\n"),
    );
  });

  it("renders a span without a code frame when the source cannot be read", () => {
    const text = renderDiagnostics([effect], { color: false, readSource: () => undefined, summary: false });
    expect(text).toBe("p.json:3:29 - error IAMC2004: `Permit` is not a valid Effect\n  help: use `Allow` or `Deny`\n");
  });

  it("colors only when asked", () => {
    expect(renderDiagnostics([effect], { color: true, readSource })).toMatch(ANSI);
    expect(renderDiagnostics([effect], { color: false, readSource })).not.toMatch(ANSI);
  });

  it("shows display paths and reads each source once", () => {
    let reads = 0;
    const text = renderDiagnostics([effect, { ...effect, severity: "warning" }], {
      color: false,
      readSource: (f) => (reads++, sources[f]),
      displayPath: (f) => `ws/${f}`,
    });
    expect(text).toContain("ws/p.json:3:29 - error");
    expect(text).toContain("ws/p.json:3:29 - warning");
    expect(text).toMatch(/1 error, 1 warning\n$/);
    expect(reads).toBe(1);
  });

  it("renders nothing for no diagnostics", () => {
    expect(renderDiagnostics([], { color: false })).toBe("");
  });
});

describe("codeFrame", () => {
  it("expands tabs and keeps carets under the span", () => {
    const source = '{\n\t"Effect": "Permit"\n}';
    const offset = at(source, '"Permit"');
    expect(codeFrame(source, { line: 2, column: 12, offset, endOffset: offset + 8 })).toEqual([
      '2 |     "Effect": "Permit"',
      "  |               ^^^^^^^^",
    ]);
  });

  it("handles CRLF and underlines inner lines of a multi-line span from their text", () => {
    const source = '{\r\n  "a": {\r\n    "b": 1\r\n  }\r\n}';
    const offset = at(source, "{\r\n    ");
    const endOffset = at(source, "  }") + 3;
    expect(codeFrame(source, { line: 2, column: 8, offset, endOffset })).toEqual([
      '2 |   "a": {',
      "  |        ^",
      '3 |     "b": 1',
      "  |     ^^^^^^",
      "4 |   }",
      "  |   ^",
    ]);
  });

  it("elides the middle of a long multi-line span", () => {
    const source = ["[", ...Array.from({ length: 10 }, (_, i) => `  ${i},`), "]"].join("\n");
    const frame = codeFrame(source, { line: 1, column: 1, offset: 0, endOffset: source.length });
    expect(frame.filter((l) => /^\s*\d+ \|/.test(l)).map((l) => l.trim().split(" ")[0])).toEqual(["1", "2", "3", "12"]);
    expect(frame).toContain("...");
  });

  it("puts one caret at an empty span, e.g. the end of the file", () => {
    const source = '{"a": 1,\n';
    expect(codeFrame(source, { line: 1, column: 9, offset: 8, endOffset: 8 })).toEqual(['1 | {"a": 1,', "  |         ^"]);
    expect(codeFrame(source, { line: 2, column: 1, offset: 9, endOffset: 9 })).toEqual(["2 | ", "  | ^"]);
  });

  it("cuts a long (minified) line to a window around the span", () => {
    const source = "{" + '"a": 1, '.repeat(40) + '"Effect": "Permit"' + ', "b": 2'.repeat(30) + "}";
    const offset = at(source, '"Permit"');
    const [line, carets] = codeFrame(source, { line: 1, column: offset + 1, offset, endOffset: offset + 8 });
    expect(line!.length).toBeLessThan(180);
    expect(line).toMatch(/^1 \| …/);
    expect(line).toMatch(/…$/);
    const caretAt = carets!.indexOf("^");
    expect(line!.slice(caretAt, caretAt + 8)).toBe('"Permit"');
    expect(carets!.match(/\^+/g)).toEqual(["^^^^^^^^"]);
  });

  it("trusts line and column when the offsets disagree with the line", () => {
    const source = "line one\nline two\nline three";
    expect(codeFrame(source, { line: 2, column: 6, offset: 999, endOffset: 1002 })).toEqual(["2 | line two", "  |      ^^^"]);
    expect(codeFrame(source, { line: 9, column: 1, offset: 999, endOffset: 1000 })).toEqual([]);
  });

  it("pads the gutter to the widest line number", () => {
    const source = Array.from({ length: 12 }, (_, i) => `l${i + 1}`).join("\n");
    const offset = at(source, "l9");
    const frame = codeFrame(source, { line: 9, column: 1, offset, endOffset: at(source, "l10") + 3 });
    expect(frame).toEqual([" 9 | l9", "   | ^^", "10 | l10", "   | ^^^"]);
  });
});

describe("diagnosticsToJson", () => {
  it("flattens span and pointer and counts errors and warnings", () => {
    const json = diagnosticsToJson([effect, { code: "IAMC3002", severity: "warning", message: "dup", file: "m.json", pointer: "/policies/1" }]);
    expect(json).toEqual({
      errors: 1,
      warnings: 1,
      diagnostics: [
        {
          code: "IAMC2004",
          severity: "error",
          message: "`Permit` is not a valid Effect",
          file: "p.json",
          line: 3,
          column: 29,
          offset: 57,
          endOffset: 65,
          pointer: "/Statement/0/Effect",
          help: "use `Allow` or `Deny`",
        },
        { code: "IAMC3002", severity: "warning", message: "dup", file: "m.json", pointer: "/policies/1" },
      ],
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});
