import { describe, expect, test } from "vitest";
import {
  decodePointer,
  encodePointer,
  originAt,
  parseJsonSource,
  pointerToSpan,
  rawTextAt,
} from "../../compiler/json-source.js";
import { brief } from "./front-end-helpers.js";

const parse = (text: string) => parseJsonSource("f.json", text);

describe("pointers", () => {
  test("escape `~` and `/` as RFC 6901 says, and round-trip", () => {
    expect(encodePointer([])).toBe("");
    expect(encodePointer(["a/b", "c~d", 0, ""])).toBe("/a~1b/c~0d/0/");
    expect(decodePointer("/a~1b/c~0d/0/")).toEqual(["a/b", "c~d", "0", ""]);
    expect(decodePointer("/~01")).toEqual(["~1"]);
  });

  test("pointerToSpan gives 1-based line:col and half-open offsets of values, keys and members", () => {
    const text = '{\n  "a": [10, {"b/c": true}],\r\n  "d": "x"\n}';
    const source = parse(text).value!;
    expect(pointerToSpan(source, "")).toMatchObject({ line: 1, column: 1, offset: 0, endOffset: text.length });
    expect(pointerToSpan(source, "/a/0")).toMatchObject({ line: 2, column: 9, offset: 10, endOffset: 12 });
    expect(pointerToSpan(source, "/a/1/b~1c")).toMatchObject({ line: 2, column: 21 });
    expect(pointerToSpan(source, "/a/1/b~1c", "key")).toMatchObject({ line: 2, column: 14 });
    expect(pointerToSpan(source, "/d")).toMatchObject({ line: 3, column: 8 }); // after \r\n
    const member = pointerToSpan(source, "/d", "property")!;
    expect(text.slice(member.offset, member.endOffset)).toBe('"d": "x"');
    expect(pointerToSpan(source, "/nope")).toBeUndefined();
    expect(pointerToSpan(source, "/a/7")).toBeUndefined();
    expect(originAt(source, ["a", 0])).toEqual({ file: "f.json", pointer: "/a/0", span: expect.objectContaining({ line: 2, column: 9 }) });
  });

  test("rawTextAt keeps numbers as written", () => {
    const source = parse('{"n": 2.50, "e": 1e3}').value!;
    expect(rawTextAt(source, ["n"])).toBe("2.50");
    expect(rawTextAt(source, ["e"])).toBe("1e3");
  });

  test("a byte order mark is tolerated and does not shift columns", () => {
    const result = parse('\uFEFF{"a": 1}');
    expect(result.diagnostics).toEqual([]);
    expect(pointerToSpan(result.value!, "/a")).toMatchObject({ line: 1, column: 8 });
  });
});

describe("malformed JSON → IAMC1001 at the right line:col", () => {
  test.each([
    ["missing comma", '{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected `,` between entries"],
    ["trailing comma in object", '{\n  "a": 1,\n}', 3, 1, "expected a property name in double quotes"],
    ["trailing comma in array", '[1, 2,\n]', 2, 1, "expected a value"],
    ["single quotes", "{'a': 1}", 1, 2, "unexpected `'a'`"],
    ["comment", '{\n  // note\n  "a": 1\n}', 2, 3, "comments are not allowed in JSON"],
    ["unterminated string", '{"a": "xyz', 1, 7, "unterminated string"],
    ["empty file", "", 1, 1, "unexpected end of file, expected a value"],
    ["text after the value", '{"a": 1} {}', 1, 10, "unexpected text after the end of the JSON value"],
    ["missing colon", '{"a" 1}', 1, 6, "expected `:` after the property name"],
  ])("%s", (_, text, line, column, message) => {
    const result = parse(text);
    expect(result.value).toBeUndefined();
    expect(result.diagnostics[0]).toMatchObject({ code: "IAMC1001", severity: "error", file: "f.json", message, span: { line, column } });
  });

  test("every parse error of a file is reported", () => {
    const result = parse('{\n  "a": 1\n  "b": 2\n  "c": 3,\n}');
    expect(result.diagnostics.map(brief)).toEqual([
      { code: "IAMC1001", line: 3, column: 3 },
      { code: "IAMC1001", line: 4, column: 3 },
      { code: "IAMC1001", line: 5, column: 1 },
    ]);
    for (const d of result.diagnostics) expect(d.message).toMatch(/^[a-z]/);
  });

  test("a key written twice is IAMC1005 at the second one", () => {
    const result = parse('{\n  "Effect": "Allow",\n  "Effect": "Deny"\n}');
    expect(result.value).toBeUndefined();
    expect(result.diagnostics.map(brief)).toEqual([{ code: "IAMC1005", pointer: "/Effect", line: 3, column: 3 }]);
    expect(result.diagnostics[0]!.help).toContain("2:3");
  });
});
