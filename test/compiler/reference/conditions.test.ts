// The reference condition evaluator against docs/conditions.md ("spec") and the AWS IAM User
// Guide pages named in the comments. Each row pins one rule.
import { describe, expect, test } from "vitest";
import type {
  Condition, ConditionOperator, ContextValue, SetQualifier, Template, TemplatePart,
} from "../../../compiler/ir.js";
import { evaluateCondition, evaluateConditions, type ContextLookup } from "../../../compiler/reference/conditions.js";

// ---------------------------------------------------------------------------------------------
// helpers: a tiny template reader (what a front end lowers to) and a context

const ESCAPES: Record<string, string> = { "*": "*", "?": "?", $: "$" };

/** `a${key}b`, `${key, 'fallback'}`, `${*}` as IR template parts. */
function template(source: string): Template {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of source.matchAll(/\$\{([^}]*)\}/g)) {
    if (match.index > last) parts.push({ kind: "text", text: source.slice(last, match.index) });
    const body = match[1]!;
    const escape = ESCAPES[body];
    if (escape !== undefined) parts.push({ kind: "literal", text: escape });
    else {
      const fallback = /^\s*([^,]+?)\s*,\s*'(.*)'\s*$/.exec(body);
      parts.push(fallback ? { kind: "variable", key: fallback[1]!, fallback: fallback[2]! } : { kind: "variable", key: body.trim() });
    }
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push({ kind: "text", text: source.slice(last) });
  return { source, parts };
}

/** `ForAnyValue:StringEqualsIfExists` as operator, qualifier and ifExists. */
function condition(form: string, key: string, values: string | readonly string[]): Condition {
  const qualified = /^(ForAnyValue|ForAllValues):(.+)$/.exec(form);
  const qualifier: SetQualifier = qualified ? (qualified[1] as SetQualifier) : "none";
  let operator = qualified ? qualified[2]! : form;
  const ifExists = operator.endsWith("IfExists");
  if (ifExists) operator = operator.slice(0, -"IfExists".length);
  return { operator: operator as ConditionOperator, qualifier, ifExists, key, values: [values].flat().map(template) };
}

function context(entries: Readonly<Record<string, ContextValue | null>>): ContextLookup {
  const map = new Map(Object.entries(entries).map(([key, value]) => [key.toLowerCase(), value]));
  return (key) => map.get(key) as ContextValue | undefined;
}

const ABSENT = Symbol("absent");
type Request = ContextValue | null | typeof ABSENT;

/** Evaluates `form` on key `k` (written `K` in the context, so keys compare case-insensitively). */
function holds(form: string, values: string | readonly string[], request: Request, extra: Record<string, ContextValue | null> = {}): boolean {
  const entries = request === ABSENT ? extra : { ...extra, K: request };
  return evaluateCondition(condition(form, "k", values), context(entries));
}

type Row = readonly [form: string, values: string | readonly string[], request: Request, expected: boolean];
const show = (request: Request) => (request === ABSENT ? "absent" : JSON.stringify(request));
const cases = (rows: readonly Row[]) => rows.map(([form, values, request, expected]) => ({ form, values, request, expected, label: show(request) }));

function table(rows: readonly Row[]) {
  test.each(cases(rows))("$form $values vs $label -> $expected", ({ form, values, request, expected }) => {
    // test.each widens the unique symbol to `symbol`
    expect(holds(form, values, request as Request)).toBe(expected);
  });
}

// ---------------------------------------------------------------------------------------------

describe("String", () => {
  table([
    ["StringEquals", "abc", "abc", true], // spec: StringEquals: v === p
    ["StringEquals", "abc", "ABC", false], // spec: StringEquals is case-sensitive (v === p)
    ["StringEquals", ["x", "abc"], "abc", true], // spec: policy values are alternatives (OR)
    ["StringEquals", "abc", ["x", "abc"], true], // spec: without a qualifier, positive = any value matches
    ["StringEquals", "1.1", 1.1, true], // spec: numbers seen as their JavaScript decimal form
    ["StringEquals", "1000", 1e3, true], // spec: JavaScript decimal form of 1e3 is "1000"
    ["StringEquals", "true", true, true], // spec: booleans seen as `true` / `false`
    ["StringEquals", "a*", "abc", false], // spec: wildcards only in StringLike; StringEquals compares text
    ["StringEquals", "a*", "a*", true], // spec: StringEquals v === p, `*` is a plain character
    ["StringEquals", "", "", true], // spec: the empty string is a value like any other
    ["StringEqualsIgnoreCase", "ABC", "abc", true], // spec: StringEqualsIgnoreCase: equal after lower-casing both
    ["StringEqualsIgnoreCase", "ABC", "abd", false], // spec: StringEqualsIgnoreCase still compares the whole text
    ["StringNotEqualsIgnoreCase", "ABC", "abc", false], // spec: negated = complement of the positive form
    ["StringNotEquals", "abc", "abd", true], // spec: negated holds when no policy value matches
    ["StringNotEquals", "abc", "abc", false], // spec: negated is the exact complement
    ["StringNotEquals", ["a", "b"], "b", false], // spec: negated holds when v matches none of P (NOR)
    ["StringNotEquals", ["a", "b"], "c", true], // spec: negated holds when v matches none of P
    ["StringNotEquals", "a", ["a", "c"], false], // spec: negated, no qualifier: no v in V with M(v)
    ["StringNotEquals", "a", ["b", "c"], true], // spec: negated, no qualifier: no v in V with M(v)
  ]);
});

describe("StringLike", () => {
  table([
    ["StringLike", "a*c", "abbc", true], // spec: `*` any run
    ["StringLike", "a*c", "ac", true], // spec: `*` any run (also empty)
    ["StringLike", "a?c", "abc", true], // spec: `?` exactly one character
    ["StringLike", "a?c", "ac", false], // spec: `?` exactly one character, not zero
    ["StringLike", "a?c", "abbc", false], // spec: `?` exactly one character, not two
    ["StringLike", "a*", "Abc", false], // spec: StringLike is case-sensitive
    ["StringLike", "abc", "xabcx", false], // spec: p is a glob over the whole of v
    ["StringLike", "*", "", true], // spec: `*` also matches the empty run
    ["StringLike", "?", "", false], // spec: `?` needs one character
    ["StringLike", "a*b*c", "a-b-x-c", true], // spec: several `*` each any run
    ["StringLike", "*:*", "a:b:c", true], // spec: StringLike `*` spans any character, `:` included
    ["StringLike", "?", "é", true], // spec: `?` exactly one character (not one byte)
    ["StringLike", ["x*", "y*"], "yes", true], // spec: policy values are alternatives (OR)
    ["StringLike", "marketing/*", 7, false], // spec: a number is seen as its decimal text "7"
    ["StringNotLike", "a*", "b", true], // spec: StringNotLike = complement of StringLike
    ["StringNotLike", "a*", "ab", false], // spec: StringNotLike = complement of StringLike
    ["StringNotLike", ["a*", "b*"], "bc", false], // spec: negated holds when no policy value matches
  ]);
});

describe("Numeric", () => {
  table([
    ["NumericEquals", "2.50", 2.5, true], // spec: Numeric* numeric comparison, `2.50` is 2.5
    ["NumericEquals", "2.5", "2.50", true], // spec: a string that is a decimal number is accepted
    ["NumericEquals", "-1", "-1", true], // spec: `-1` is a decimal number
    ["NumericEquals", "0", "-0", true], // spec: numeric comparison, not text: -0 equals 0
    ["NumericEquals", "0.1", 0.1, true], // spec: a JSON number is compared as a number
    ["NumericEquals", "1000", "1e3", false], // spec: `1e3` is not accepted; anything else does not match
    ["NumericNotEquals", "1000", "1e3", true], // spec: an unreadable value does not match, so a negated operator holds
    ["NumericEquals", "1", true, false], // spec: a boolean is not a number: does not match
    ["NumericEquals", "1", "abc", false], // spec: anything else does not match
    ["NumericEquals", "1", " 1", false], // spec: a string with spaces is not a decimal number
    ["NumericEquals", ["1", "2"], 2, true], // spec: policy values are alternatives
    ["NumericNotEquals", ["1", "2"], 2, false], // spec: negated: v matches none of P
    ["NumericLessThan", "10", 9, true], // spec: v OP p with OP = <
    ["NumericLessThan", "10", 10, false], // spec: strict <
    ["NumericLessThan", "10", -10.5, true], // spec: negative decimals compare numerically
    ["NumericLessThanEquals", "10", 10, true], // spec: v <= p
    ["NumericLessThanEquals", "10", 10.01, false], // spec: v <= p
    ["NumericGreaterThan", "10", 11, true], // spec: v > p
    ["NumericGreaterThan", "10", 10, false], // spec: strict >
    ["NumericGreaterThanEquals", "10", "10.0", true], // spec: v >= p, compared as numbers
    ["NumericGreaterThanEquals", "10", 9.999, false], // spec: v >= p
    ["NumericLessThan", "10", "9", true], // spec: numeric, not lexicographic ("9" > "10" as text)
    ["NumericEquals", "0.5", ".5", false], // spec: `.5` is not a decimal number (digits before the point)
    ["NumericEquals", "1", "+1", false], // spec: no sign but `-`
    ["NumericNotEquals", "1", "+1", true], // spec: not a number, so the negation holds
    ["NumericEquals", "5", "5.", false], // spec: digits after the point
  ]);
});

describe("Date", () => {
  table([
    ["DateEquals", "2024-03-15T10:00:00Z", "2024-03-15T12:00:00+02:00", true], // spec: compared as instants
    ["DateEquals", "2024-03-15", "2024-03-15T00:00:00Z", true], // spec: `2024-03-15` as midnight UTC
    ["DateEquals", "2024-03-15T10:00:00", "2024-03-15T10:00:00Z", true], // spec: no zone = UTC
    ["DateEquals", "1710496800", "2024-03-15T10:00:00Z", true], // spec: epoch seconds (digit string)
    ["DateEquals", "2024-03-15T10:00:00Z", 1710496800, true], // spec: epoch seconds (number)
    ["DateEquals", "2024-03-15T10:00:00Z", "1710496800", true], // spec: epoch seconds (digit string) in the request
    ["DateEquals", "2024-03-15T10:00:00.123Z", "2024-03-15T10:00:00.123Z", true], // spec: millisecond precision
    ["DateEquals", "2024-03-15T10:00:00.123Z", "2024-03-15T10:00:00.1239Z", true], // spec: millisecond precision (digits past ms dropped)
    ["DateLessThan", "2024-03-15T10:00:00.124Z", "2024-03-15T10:00:00.123Z", true], // spec: millisecond precision
    ["DateLessThan", "2024-03-15T10:00:00Z", "2024-03-15T10:00:00Z", false], // spec: v OP p, strict <
    ["DateLessThanEquals", "2024-03-15T10:00:00Z", "2024-03-15T11:00:00+01:00", true], // spec: same instant, <=
    ["DateGreaterThan", "2020-04-01T00:00:00Z", "2020-04-01T00:00:01Z", true], // AWS page: "Allow access based on date and time"
    ["DateGreaterThan", "2020-04-01T00:00:00Z", "2020-03-31T23:59:59-00:01", true], // spec: zone offsets move the instant
    ["DateGreaterThanEquals", "2024-03-15", "2024-03-14T23:59:59.999Z", false], // spec: v >= p as instants
    ["DateNotEquals", "2024-03-15", "yesterday", true], // spec: an unreadable value does not match; negated holds
    ["DateEquals", "2024-03-15", "yesterday", false], // spec: an unreadable value does not match
    ["DateEquals", "1710496800", true, false], // spec: a boolean is not a date
    ["DateEquals", "1710496800", 1710496800.5, false], // spec: epoch seconds are a digit string; 1710496800.5 is not
    ["DateEquals", "0", 0, true], // spec: epoch seconds, the epoch itself
    ["DateEquals", "2024-03-15T10:00Z", "2024-03-15T10:00:00Z", true], // spec: W3C form without seconds (AWS page "Condition operators")
    ["DateEquals", "2024-03-15T10:00:00Z", "2024-03-15T12:00+02:00", true], // spec: W3C form without seconds, with an offset
    ["DateEquals", "2024-03-15T10:00:00Z", "2024-03-15t10:00:00Z", false], // spec: `T` upper-case only
    ["DateNotEquals", "2024-03-15T10:00:00Z", "2024-03-15T10:00:00z", true], // spec: `Z` upper-case only: not a date, negation holds
    ["DateEquals", "2024-03-15T10:00Z", "2024-03-15T10:00.0Z", false], // spec: a fraction needs seconds
    ["DateEquals", "9007199254740", 9007199254740, true], // spec: epoch seconds up to 9007199254740
    ["DateGreaterThan", "0", "9007199254741", false], // spec: larger epochs are not dates
    ["DateGreaterThan", "0", 9007199254741, false], // spec: larger epochs are not dates (number)
    ["DateEquals", "1", "0000000001", true], // spec: epoch digit strings may have leading zeros
  ]);
});

describe("Bool", () => {
  table([
    ["Bool", "true", true, true], // spec: Bool: boolean equality
    ["Bool", "true", false, false], // spec: Bool: boolean equality
    ["Bool", "true", "TRUE", true], // spec: the strings `"true"` / `"false"` in any case
    ["Bool", "False", false, true], // spec: policy Bool values `true`/`false` any case
    ["Bool", "false", "fAlSe", true], // spec: strings in any case
    ["Bool", "true", "yes", false], // spec: only true/false are booleans
    ["Bool", "true", 1, false], // spec: a number is not a boolean
    ["Bool", ["true", "false"], false, true], // spec: policy values are alternatives
    ["BoolIfExists", "false", ABSENT, true], // AWS page "Condition operators": IfExists true when the key is absent
  ]);
});

describe("Binary", () => {
  table([
    ["BinaryEquals", "QmluYXJ5VmFsdWU=", "QmluYXJ5VmFsdWU=", true], // spec: equal bytes match
    ["BinaryEquals", "QQ==", "QR==", true], // spec: compares after decoding: "QR==" decodes to the same byte as "QQ=="
    ["BinaryEquals", "QUJD", "QUJE", false], // spec: different bytes do not match
    ["BinaryEquals", "QUJD", "QUJDRA==", false], // spec: byte equality includes length
    ["BinaryEquals", "QUJD", "!!!!", false], // spec: request text that is not base64 does not match
    ["BinaryEquals", "QUJD", "QUJD===", false], // spec: request must be valid base64
    ["BinaryEquals", "MQ==", 1, false], // spec: a number is not base64 text
    ["BinaryEquals", "QQ==", "QQ", false], // spec: request values must be padded base64, as policy values
    ["BinaryEquals", "QUI=", "QUI", false], // spec: request values must be padded base64
  ]);
});

describe("IpAddress", () => {
  table([
    ["IpAddress", "10.0.0.0/8", "10.1.2.3", true], // spec: v lies in the CIDR p
    ["IpAddress", "10.0.0.0/8", "11.0.0.1", false], // spec: v lies in the CIDR p
    ["IpAddress", "10.1.2.3/8", "10.200.0.1", true], // spec: host bits may be set (ignored)
    ["IpAddress", "10.1.2.3", "10.1.2.3", true], // spec: a bare address = /32
    ["IpAddress", "10.1.2.3", "10.1.2.4", false], // spec: a bare address = /32
    ["IpAddress", "192.168.0.0/31", "192.168.0.1", true], // spec: v lies in the CIDR p (/31 holds two)
    ["IpAddress", "192.168.0.0/31", "192.168.0.2", false], // spec: v lies in the CIDR p
    ["IpAddress", "0.0.0.0/0", "255.255.255.255", true], // spec: /0 holds every IPv4 address
    ["IpAddress", ["10.0.0.0/8", "172.16.0.0/12"], "172.31.255.255", true], // spec: policy values are alternatives
    ["IpAddress", "2001:db8::/32", "2001:db8:ffff::1", true], // spec: IPv6 CIDR
    ["IpAddress", "2001:db8::/32", "2001:db9::1", false], // spec: IPv6 CIDR
    ["IpAddress", "2001:db8::1", "2001:0DB8:0:0:0:0:0:1", true], // spec: bare IPv6 = /128; `::` compression and hex case
    ["IpAddress", "2001:db8::/127", "2001:db8::1", true], // spec: IPv6 prefix within the last group
    ["IpAddress", "::ffff:0:0/96", "::ffff:1.2.3.4", true], // spec: IPv6 with an embedded IPv4 address
    ["IpAddress", "0.0.0.0/0", "::1", false], // spec: an IPv6 value never matches an IPv4 CIDR
    ["IpAddress", "::/0", "1.2.3.4", false], // spec: an IPv4 value never matches an IPv6 CIDR
    ["IpAddress", "::ffff:0:0/96", "1.2.3.4", false], // spec: an IPv4 value never matches an IPv6 CIDR (even IPv4-mapped)
    ["IpAddress", "0.0.0.0/0", "::ffff:1.2.3.4", false], // spec: an IPv4-mapped IPv6 value is still IPv6
    ["IpAddress", "10.0.0.0/8", "10.0.0.1/32", false], // spec: the request value is an address, not a CIDR
    ["IpAddress", "10.0.0.0/8", "not-an-ip", false], // spec: IpAddress accepts an IPv4 or IPv6 address string
    ["IpAddress", "10.0.0.0/8", "010.0.0.1", false], // spec: an address string (leading zeros are not)
    ["NotIpAddress", "10.0.0.0/8", "10.0.0.01", true], // spec: no leading zero in an IPv4 part: not an address, negation holds
    ["NotIpAddress", "10.0.0.0/8", "192.168.0.1", true], // spec: NotIpAddress = complement of IpAddress
    ["NotIpAddress", "10.0.0.0/8", "10.0.0.1", false], // spec: NotIpAddress = complement of IpAddress
    ["NotIpAddress", "10.0.0.0/8", "::1", true], // spec: other family never matches, so the negation holds
    ["NotIpAddress", ["10.0.0.0/8", "2001:db8::/32"], "2001:db8::5", false], // spec: negated holds when no p matches
  ]);
});

describe("Arn", () => {
  const bob = "arn:aws:iam::123456789012:user/Bob";
  const stream = "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s";
  table([
    ["ArnEquals", bob, bob, true], // spec: each field of p matches the same field of v
    ["ArnEquals", "arn:aws:iam::123456789012:user/bob", bob, false], // spec: case-sensitive
    ["ArnLike", "arn:aws:iam::*:user/*", bob, true], // spec: each field of p is a glob over the same field of v
    ["ArnLike", "arn:aws:iam::12345678901?:user/Bob", bob, true], // AWS page "Condition operators": `?` single-character wildcard
    ["ArnEquals", "arn:aws:iam::*:user/*", bob, true], // spec: ArnEquals / ArnLike are identical (wildcards in both)
    ["ArnLike", "arn:aws:*:user/Bob", bob, false], // spec: split into six fields; `*` never spans `:`
    ["StringLike", "arn:aws:*:user/Bob", bob, true], // spec: contrast: StringLike's `*` does span `:`
    ["ArnLike", "arn:*:iam::123456789012:user/Bob", bob, true], // spec: `*` within one field
    ["ArnLike", "arn:aws:s3:*:*:bucket", "arn:aws:s3:::bucket", true], // spec: `*` matches an empty field
    ["ArnLike", "*", bob, false], // spec: p is split into six fields; a lone `*` has one
    ["ArnLike", "arn:*:*:*:*:*", "arn:aws:s3", false], // spec: v with fewer than six fields does not match
    ["ArnNotLike", "arn:*:*:*:*:*", "arn:aws:s3", true], // spec: v does not match, so the negation holds
    ["ArnEquals", stream, stream, true], // spec: the sixth field takes the rest (it may contain `:`)
    ["ArnLike", "arn:aws:logs:*:*:log-group:*:log-stream:*", stream, true], // spec: sixth field glob, `:` literal
    ["ArnLike", "arn:aws:logs:*:*:log-group:*", stream, true], // spec: "in the sixth a `*` spans `:` too" (AWS: Resource element, wildcards in ARNs)
    ["ArnLike", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b", true], // spec: the sixth field is the rest; its `*` spans `:`
    ["ArnLike", "arn:aws:s3:::bucket/?:b", "arn:aws:s3:::bucket/a:b", true], // spec: `?` is exactly one character
    ["ArnLike", "arn:aws:s3:::a?b", "arn:aws:s3:::a:b", true], // spec: in the sixth field a `?` matches `:` too
    ["ArnLike", "arn:aws?s3:::a", "arn:aws:s3:::a", false], // spec: in the first five a `?` never matches the `:` between fields
    ["ArnNotEquals", "arn:aws:iam::1:user/A", "arn:aws:iam::1:user/B", true], // spec: ArnNotEquals = complement
    ["ArnNotLike", "arn:aws:iam::*:user/*", bob, false], // spec: ArnNotLike = complement
    ["ArnLike", "arn:aws:iam::*:user/*", 42, false], // spec: a number's text "42" has fewer than six fields
  ]);
});

describe("Null", () => {
  table([
    ["Null", "true", ABSENT, true], // spec: Null `true` matches when the key is absent
    ["Null", "true", null, true], // spec: a null value is absent
    ["Null", "true", [], true], // spec: Null `true` matches an empty array
    ["Null", "true", "x", false], // spec: `false` matches when the key has a value
    ["Null", "true", "", false], // spec: the empty string is a value (the key is present)
    ["Null", "false", "x", true], // spec: `false` (the key is present with a value)
    ["Null", "false", ABSENT, false], // spec: `false` does not match an absent key
    ["Null", "false", [], false], // spec: `false` does not match an empty array
    ["Null", "false", ["a", "b"], true], // spec: present with values
    ["Null", "TRUE", ABSENT, true], // spec: Null takes `true`/`false` (any case)
    ["Null", ["true", "false"], "x", true], // spec: several values are alternatives
    ["Null", ["true", "false"], ABSENT, true], // spec: several values are alternatives
    ["NullIfExists", "false", ABSENT, false], // spec: IfExists on Null is meaningless and ignored
    ["ForAnyValue:Null", "true", ABSENT, true], // spec: set qualifiers on Null are ignored
    ["ForAnyValue:Null", "false", ABSENT, false], // spec: set qualifiers on Null are ignored
    ["ForAllValues:Null", "false", ABSENT, false], // spec: set qualifiers on Null are ignored (not "absent -> true")
    ["ForAllValues:Null", "true", ["a", "b"], false], // spec: Null tests the key, not its values
    ["ForAnyValue:Null", "false", ["a", "b"], true], // spec: Null tests the key, not its values
  ]);
});

describe("IfExists", () => {
  table([
    ["StringEqualsIfExists", "a", ABSENT, true], // spec: ...IfExists: key absent -> true
    ["StringEqualsIfExists", "a", null, true], // spec: a null value is absent
    ["StringEqualsIfExists", "a", "b", false], // spec: present -> as the operator without IfExists
    ["StringEqualsIfExists", "a", "a", true], // spec: present -> as the operator without IfExists
    ["StringEqualsIfExists", "a", [], false], // spec: V empty -> "as above" (positive: false)
    ["StringNotEqualsIfExists", "a", ABSENT, true], // spec: ...IfExists: key absent -> true
    ["StringNotEqualsIfExists", "a", "a", false], // spec: present -> as the negated operator
    ["NumericLessThanIfExists", "5", "five", false], // spec: present but unreadable does not match
    ["IpAddressIfExists", "10.0.0.0/8", ABSENT, true], // spec: ...IfExists: key absent -> true
    ["ForAnyValue:StringEqualsIfExists", "a", ABSENT, true], // spec: IfExists (any of the above) absent -> true
    ["ForAnyValue:StringEqualsIfExists", "a", [], false], // spec: V empty -> as ForAnyValue positive (false)
    ["ForAllValues:StringEqualsIfExists", "a", ["a", "b"], false], // spec: otherwise as ForAllValues
  ]);
});

describe("ForAnyValue / ForAllValues", () => {
  const P = ["a", "b"];
  table([
    // spec table row: positive, no qualifier | false | false | some v
    ["StringEquals", P, ABSENT, false],
    ["StringEquals", P, [], false],
    ["StringEquals", P, ["c", "a"], true],
    ["StringEquals", P, ["c", "d"], false],
    // spec table row: negated, no qualifier | true | true | no v
    ["StringNotEquals", P, ABSENT, true],
    ["StringNotEquals", P, [], true],
    ["StringNotEquals", P, ["c", "a"], false],
    ["StringNotEquals", P, ["c", "d"], true],
    // spec table row: ForAnyValue positive | false | false | some v with M(v)
    ["ForAnyValue:StringEquals", P, ABSENT, false],
    ["ForAnyValue:StringEquals", P, [], false],
    ["ForAnyValue:StringEquals", P, ["c", "a"], true],
    ["ForAnyValue:StringEquals", P, ["c"], false],
    ["ForAnyValue:StringEquals", P, "a", true], // spec: a scalar is a one-element set
    // spec table row: ForAnyValue negated | false | false | some v with not M(v)
    ["ForAnyValue:StringNotEquals", P, ABSENT, false],
    ["ForAnyValue:StringNotEquals", P, [], false],
    ["ForAnyValue:StringNotEquals", P, ["a", "c"], true],
    ["ForAnyValue:StringNotEquals", P, ["a", "b"], false],
    // spec table row: ForAllValues positive | true | true | every v with M(v)
    ["ForAllValues:StringEquals", P, ABSENT, true],
    ["ForAllValues:StringEquals", P, [], true],
    ["ForAllValues:StringEquals", P, ["a", "b"], true],
    ["ForAllValues:StringEquals", P, ["a", "c"], false],
    ["ForAllValues:StringEquals", P, null, true], // spec: a null value is absent
    // spec table row: ForAllValues negated | true | true | every v with not M(v)
    ["ForAllValues:StringNotEquals", P, ABSENT, true],
    ["ForAllValues:StringNotEquals", P, [], true],
    ["ForAllValues:StringNotEquals", P, ["c", "d"], true],
    ["ForAllValues:StringNotEquals", P, ["a", "c"], false],
    // AWS page "Multivalued context keys examples": ForAllValues:StringNotLike aws:TagKeys "key1*"
    ["ForAllValues:StringNotLike", "key1*", ["key1:legal"], false],
    ["ForAllValues:StringNotLike", "key1*", ["key2:audit"], true],
    ["ForAllValues:StringLike", ["Owner:*", "State:??"], ["Owner:Legal", "State:NY"], true], // spec: every v matches some p
    ["ForAllValues:StringLike", ["Owner:*", "State:??"], ["Owner:Legal", "State:NYC"], false], // spec: every v must match
    ["ForAnyValue:NumericGreaterThan", "10", [1, 20], true], // spec: qualifiers apply to every operator family
    ["ForAllValues:IpAddress", "10.0.0.0/8", ["10.0.0.1", "10.9.9.9"], true], // spec: qualifiers apply to every family
    ["ForAllValues:IpAddress", "10.0.0.0/8", ["10.0.0.1", "::1"], false], // spec: every v must lie in a p
  ]);
});

describe("negated operators are the exact complement", () => {
  const pairs: readonly (readonly [string, string, string | readonly string[], ContextValue])[] = [
    ["StringEquals", "StringNotEquals", ["a", "b"], "b"],
    ["StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "A", "a"],
    ["StringLike", "StringNotLike", "a*", "zz"],
    ["NumericEquals", "NumericNotEquals", "3", "x"],
    ["DateEquals", "DateNotEquals", "2024-03-15", "2024-03-15T00:00:00Z"],
    ["IpAddress", "NotIpAddress", "10.0.0.0/8", "10.1.1.1"],
    ["ArnEquals", "ArnNotEquals", "arn:aws:s3:::b", "arn:aws:s3:::c"],
    ["ArnLike", "ArnNotLike", "arn:aws:s3:::*", "arn:aws:s3:::b"],
  ];
  // spec: "A negated operator ... is the exact complement of its positive form on the same values"
  test.each(pairs.map(([positive, negated, values, request]) => ({ positive, negated, values, request })))(
    "$negated = not $positive",
    ({ positive, negated, values, request }) => {
      expect(holds(negated, values, request)).toBe(!holds(positive, values, request));
    },
  );
});

describe("variables", () => {
  const vars = {
    "aws:username": "bob", n: 42, tag: "a*", multi: ["a", "b"], one: ["bob"], none: [], nothing: null,
    "aws:principalaccount": "123456789012",
  };
  const check = (form: string, values: string | readonly string[], request: Request) => holds(form, values, request, vars);
  test.each([
    ["StringEquals", "${aws:username}", "bob", true], // spec: `${key}` is replaced by the key's value
    ["StringEquals", "${AWS:UserName}", "bob", true], // spec: condition keys are case-insensitive (variables too)
    ["StringLike", "home/${aws:username}/*", "home/bob/x", true], // AWS page "IAM policy elements: Variables and tags"
    ["StringLike", "home/${aws:username}/*", "home/alice/x", false], // spec: the variable's value, not a wildcard
    ["StringLike", "${tag}", "abc", false], // spec: substituted text is literal: `*` in a value is not a wildcard
    ["StringLike", "${tag}", "a*", true], // spec: substituted text is literal
    ["StringEquals", "${n}", "42", true], // spec: numbers seen as their decimal form
    ["StringEquals", "${missing, 'nobody'}", "nobody", true], // spec: the fallback is used when the key is absent
    ["StringEquals", "${nothing, 'nobody'}", "nobody", true], // spec: a null value is absent, so the fallback is used
    ["StringEquals", "${aws:username, 'nobody'}", "nobody", false], // spec: the fallback only when the key is absent
    ["StringEquals", "${missing}", "", false], // spec: an absent key with no fallback makes that value match nothing
    ["StringEquals", ["${missing}", "x"], "x", true], // spec: only that value is dropped from P
    ["StringNotEquals", "${missing}", "anything", true], // spec: for a negated one it cannot cause a match
    ["StringNotEquals", ["${missing}", "x"], "x", false], // spec: the other values still count
    ["StringEquals", "${multi}", "a", false], // spec: a key with several values makes that value match nothing
    ["StringEquals", "${multi, 'a'}", "a", false], // spec: the fallback is only for an absent key, not a multi-valued one
    ["StringNotLike", "${multi}", "a", true], // spec: unresolvable value cannot cause a match for a negated operator
    ["StringEquals", "${one}", "bob", false], // spec: an array of one is still multivalued (AWS: no multivalued key as a variable)
    ["StringNotEquals", "${one}", "bob", true], // spec: an array of one cannot cause a match for a negated operator
    ["StringEquals", "${none, 'bob'}", "bob", false], // spec: an empty array is present: no fallback, matches nothing
    ["StringEquals", "${$}{x}", "${x}", true], // spec: `${$}` is the literal `$`
    ["StringLike", "a${*}", "a*", true], // spec: `${*}` is the literal `*`
    ["StringLike", "a${*}", "ab", false], // spec: `${*}` is not a wildcard
    ["StringLike", "${?}", "a", false], // spec: `${?}` is the literal `?`
    ["StringEqualsIgnoreCase", "${aws:username}", "BOB", true], // spec: IgnoreCase lower-cases after substitution
    ["ArnLike", "arn:aws:iam::${aws:PrincipalAccount}:user/*", "arn:aws:iam::123456789012:user/x", true], // spec: variables in Arn values
    ["ArnLike", "arn:aws:iam::${missing}:user/*", "arn:aws:iam::1:user/x", false], // spec: unresolvable -> matches nothing
    ["ArnNotLike", "arn:aws:iam::${missing}:user/*", "arn:aws:iam::1:user/x", true], // spec: negated: it cannot cause a match
    ["ForAllValues:StringEquals", "${missing}", ["a"], false], // spec: P empty after dropping: no v matches
  ] as const)("%s %j vs %j -> %s", (form, values, request, expected) => {
    expect(check(form, values, request)).toBe(expected);
  });

  test("other operators take values as plain text", () => {
    // spec: Other operators (Numeric, Date, Bool, Ip, Binary, Null) take their values as plain text
    const numeric: Condition = { ...condition("NumericEquals", "k", "5"), values: [{ source: "5", parts: [{ kind: "variable", key: "n" }] }] };
    expect(evaluateCondition(numeric, context({ k: 5, n: 7 }))).toBe(true);
  });
});

describe("keys and conjunction", () => {
  test("condition keys compare case-insensitively", () => {
    // spec: Condition **keys** are case-insensitive
    const ip = condition("IpAddress", "AWS:SourceIp", "10.0.0.0/8");
    expect(evaluateCondition(ip, context({ "aws:sourceip": "10.1.1.1" }))).toBe(true);
  });

  test("all conditions must hold (AND)", () => {
    // spec: all conditions of a statement must hold (AND)
    const lookup = context({ a: "x", b: 5 });
    const a = condition("StringEquals", "a", "x");
    const b = condition("NumericLessThan", "b", "10");
    const c = condition("NumericGreaterThan", "b", "10");
    expect(evaluateConditions([a, b], lookup)).toBe(true);
    expect(evaluateConditions([a, b, c], lookup)).toBe(false);
  });

  test("no conditions hold trivially", () => {
    // spec: all conditions must hold; none means nothing to fail
    expect(evaluateConditions([], context({}))).toBe(true);
  });
});
