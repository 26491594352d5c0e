import { describe, expect, test } from "vitest";
import { parseTemplate, plainTemplate } from "../../compiler/template.js";

const parts = (text: string) => {
  const result = parseTemplate(text);
  if (!result.ok) throw new Error(result.message);
  return result.template.parts;
};

describe("policy variables", () => {
  test("split text into text, variable and literal parts", () => {
    expect(parts("arn:aws:s3:::home/${aws:username}/*")).toEqual([
      { kind: "text", text: "arn:aws:s3:::home/" },
      { kind: "variable", key: "aws:username" },
      { kind: "text", text: "/*" },
    ]);
    expect(parts("${aws:PrincipalTag/team, 'none'}-x")).toEqual([
      { kind: "variable", key: "aws:PrincipalTag/team", fallback: "none" },
      { kind: "text", text: "-x" },
    ]);
    expect(parts("${ aws:username ,'' }")).toEqual([{ kind: "variable", key: "aws:username", fallback: "" }]);
    expect(parts("a${*}b${?}${$}")).toEqual([
      { kind: "text", text: "a" },
      { kind: "literal", text: "*" },
      { kind: "text", text: "b" },
      { kind: "literal", text: "?" },
      { kind: "literal", text: "$" },
    ]);
    expect(parts("no variables, $ and { alone")).toEqual([{ kind: "text", text: "no variables, $ and { alone" }]);
    expect(parseTemplate("x${a}").ok && parseTemplate("x${a}")).toMatchObject({ template: { source: "x${a}" } });
    expect(plainTemplate("${a}")).toEqual({ source: "${a}", parts: [{ kind: "text", text: "${a}" }] });
  });

  test.each([
    ["arn:${aws:username", "unterminated policy variable"],
    ["arn:${}", "empty policy variable `${}`"],
    ["arn:${  }", "empty policy variable"],
    ["${aws:username, default}", "malformed policy variable"],
    ["${aws:username, 'a', 'b'}", "malformed policy variable"],
    ["${a${b}", "malformed policy variable"],
  ])("`%s` is an error", (text, message) => {
    const result = parseTemplate(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });
});
