// Condition value parsers and compile-time validation, against docs/conditions.md ("spec",
// sections "Request values" and "Policy values") and the AWS IAM User Guide pages named.
import { describe, expect, test } from "vitest";
import {
  checkConditionValue, cidrContains, decodeBase64, parseBool, parseCidr, parseDate, parseIp, parseNumber,
} from "../../compiler/condition-values.js";
import { CONDITION_OPERATORS } from "../../compiler/ir.js";

describe("parseNumber", () => {
  test.each([
    ["0", 0], // spec: decimal number
    ["-1", -1], // spec: `-1` is accepted
    ["2.50", 2.5], // spec: `2.50` is accepted
    ["007", 7], // spec: a decimal number (leading zeros are still decimal)
    ["123456.789", 123456.789], // spec: decimal number with a fraction
  ] as const)("%s -> %d", (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });

  test.each([
    "1e3", // spec: `1e3` is **not** accepted
    "", // spec: a decimal number has digits
    "+1", // spec: examples are `-1`, `2.50`; no leading plus
    ".5", // spec: a decimal number has digits before the point
    "5.", // spec: a decimal number has digits after the point
    " 1", // spec: no surrounding spaces
    "1 ", // spec: no surrounding spaces
    "0x10", // spec: decimal, not hex
    "NaN", // spec: not a number
    "Infinity", // spec: not a decimal number
    "1,000", // spec: no digit grouping
    "--1", // spec: one sign at most
  ])("%j is not a number", (text) => {
    expect(parseNumber(text)).toBeUndefined();
  });
});

describe("parseDate", () => {
  test.each([
    ["2024-03-15T10:00:00Z", Date.UTC(2024, 2, 15, 10)], // spec: ISO 8601 date-time
    ["2024-03-15T10:00:00.123+02:00", Date.UTC(2024, 2, 15, 8, 0, 0, 123)], // spec: fraction and offset
    ["2024-03-15T10:00:00-05:30", Date.UTC(2024, 2, 15, 15, 30)], // spec: negative offsets
    ["2024-03-15", Date.UTC(2024, 2, 15)], // spec: `2024-03-15` as midnight UTC
    ["2024-03-15T10:00:00", Date.UTC(2024, 2, 15, 10)], // spec: no zone = UTC
    ["2024-03-15T10:00Z", Date.UTC(2024, 2, 15, 10)], // ISO 8601: seconds may be left out
    ["2024-03-15T10:00", Date.UTC(2024, 2, 15, 10)], // spec: W3C form without seconds, no zone = UTC
    ["2024-03-15T10:00+02:00", Date.UTC(2024, 2, 15, 8)], // spec: W3C form without seconds, with an offset
    ["9007199254740", 9007199254740000], // spec: epoch seconds while the milliseconds are a safe integer
    ["0000000001", 1000], // spec: epoch digit strings may have leading zeros
    ["2024-03-15T10:00:00.5Z", Date.UTC(2024, 2, 15, 10, 0, 0, 500)], // spec: millisecond precision (.5 = 500 ms)
    ["2024-03-15T10:00:00.1239Z", Date.UTC(2024, 2, 15, 10, 0, 0, 123)], // spec: millisecond precision, the rest dropped
    ["2024-02-29", Date.UTC(2024, 1, 29)], // leap day in a leap year
    ["2000-02-29", Date.UTC(2000, 1, 29)], // 2000 is a leap year (divisible by 400)
    ["0050-01-01", -60589296000000], // a 4-digit year below 100 is that year, not 19xx
    ["1710496800", 1710496800000], // spec: epoch seconds (digit string)
    ["0", 0], // spec: epoch seconds, the epoch
  ] as const)("%s -> %d", (text, ms) => {
    expect(parseDate(text)).toBe(ms);
  });

  test.each([
    "", // spec: ISO 8601 or epoch seconds
    "now", // spec: ISO 8601 or epoch seconds
    "2024-13-01", // ISO 8601: month 01-12
    "2024-00-10", // ISO 8601: month 01-12
    "2024-02-30", // ISO 8601: day within the month
    "2023-02-29", // 2023 is not a leap year
    "1900-02-29", // 1900 is not a leap year
    "2024-04-31", // April has 30 days
    "2024-03-15T24:00:00Z", // hour 00-23
    "2024-03-15T10:60:00Z", // minute 00-59
    "2024-03-15T10:00:60Z", // second 00-59
    "2024-03-15T10:00:00+24:00", // offset hours 00-23
    "2024/03/15", // ISO 8601 uses `-`
    "15-03-2024", // ISO 8601 is year first
    "2024-3-5", // ISO 8601 two-digit month and day
    "2024-03-15 10:00:00", // ISO 8601 `T` separator
    "2024-03-15T10:00:00+0200", // offset written `+02:00`
    "-1", // spec: epoch seconds are a digit string
    "1.5", // spec: epoch seconds are a digit string
    "99999999999999999999", // epoch seconds out of range
    "9007199254741", // spec: epoch seconds past a safe integer of milliseconds
    "2024-03-15t10:00:00Z", // spec: `T` upper-case, as the W3C profile writes it
    "2024-03-15T10:00:00z", // spec: `Z` upper-case, as the W3C profile writes it
    "2024-03-15T10:00.5Z", // spec: a fraction needs seconds
    "2024-03-15T10Z", // W3C profile: hours and minutes together
  ])("%j is not a date", (text) => {
    expect(parseDate(text)).toBeUndefined();
  });
});

describe("parseBool", () => {
  test.each([
    ["true", true], // spec: `true`
    ["false", false], // spec: `false`
    ["TRUE", true], // spec: any case
    ["False", false], // spec: any case
  ] as const)("%s -> %s", (text, value) => {
    expect(parseBool(text)).toBe(value);
  });

  test.each(["yes", "1", "", " true", "t"])("%j is not a boolean", (text) => {
    // spec: Bool `true`/`false` (any case), nothing else
    expect(parseBool(text)).toBeUndefined();
  });
});

describe("parseIp and parseCidr", () => {
  test.each([
    ["1.2.3.4", 4, 0x01020304n], // IPv4 dotted quad
    ["0.0.0.0", 4, 0n], // IPv4 zero
    ["255.255.255.255", 4, 0xffffffffn], // IPv4 maximum
    ["::", 6, 0n], // IPv6 `::` = all zero
    ["::1", 6, 1n], // IPv6 loopback, compressed head
    ["1::", 6, 1n << 112n], // IPv6 compressed tail
    ["2001:db8::1", 6, 0x20010db8000000000000000000000001n], // IPv6 compressed middle
    ["2001:DB8:0:0:0:0:0:1", 6, 0x20010db8000000000000000000000001n], // IPv6 full form, hex any case
    ["1:2:3:4:5:6:7::", 6, 0x00010002000300040005000600070000n], // IPv6 `::` standing for one group
    ["::ffff:1.2.3.4", 6, 0xffff01020304n], // spec: embedded IPv4 like `::ffff:1.2.3.4`
    ["1:2:3:4:5:6:1.2.3.4", 6, 0x00010002000300040005000601020304n], // embedded IPv4 without `::`
  ] as const)("%s is IPv%d", (text, family, address) => {
    expect(parseIp(text)).toEqual({ family, address });
  });

  test.each([
    "1.2.3", // IPv4 has four parts
    "1.2.3.4.5", // IPv4 has four parts
    "256.0.0.1", // IPv4 parts are 0-255
    "01.2.3.4", // leading zeros are refused (octal ambiguity)
    "1.2.3.00", // spec: leading zeros are refused, `00` too
    "1.2.3.-4", // IPv4 parts are digits
    "1:2:3:4:5:6:7", // IPv6 needs eight groups without `::`
    "1:2:3:4:5:6:7:8:9", // IPv6 has at most eight groups
    "1::2::3", // `::` at most once
    "1:2:3:4:5:6:7:8::", // `::` must stand for at least one group
    "12345::", // a group is at most 4 hex digits
    "g::1", // a group is hex
    ":1:2:3:4:5:6:7", // a lone leading `:`
    "fe80::1%eth0", // zone ids are not addresses
    "1.2.3.4::", // an embedded IPv4 address only at the end
    "::1.2.3.4:5", // an embedded IPv4 address only at the end
    "", // empty
    "10.0.0.0/8", // an address, not a CIDR
  ])("%j is not an address", (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  test("a CIDR keeps family, address, bytes and prefix", () => {
    // spec: IpAddress a CIDR (`10.0.0.0/8`, `2001:db8::/32`)
    const v4 = parseCidr("10.1.2.3/8")!;
    expect([v4.family, v4.prefix, [...v4.bytes]]).toEqual([4, 8, [10, 1, 2, 3]]);
    const v6 = parseCidr("2001:db8::/32")!;
    expect([v6.family, v6.prefix, v6.bytes.length, v6.bytes[0], v6.bytes[3]]).toEqual([6, 32, 16, 0x20, 0xb8]);
  });

  test.each([
    ["10.1.2.3", 32], // spec: a bare address = /32
    ["2001:db8::1", 128], // spec: a bare address = /128
    ["0.0.0.0/0", 0], // spec: prefix within range (0 is the lowest)
    ["::/128", 128], // spec: prefix within range (128 for IPv6)
  ] as const)("%s has prefix /%d", (text, prefix) => {
    expect(parseCidr(text)?.prefix).toBe(prefix);
  });

  test("host bits are ignored when matching", () => {
    // spec: host bits may be set (ignored)
    expect(cidrContains(parseCidr("10.255.255.255/8")!, parseIp("10.0.0.1")!)).toBe(true);
    expect(cidrContains(parseCidr("2001:db8::ffff/32")!, parseIp("2001:db8:1::")!)).toBe(true);
  });

  test("families never mix", () => {
    // spec: an IPv4 value never matches an IPv6 CIDR, nor the reverse
    expect(cidrContains(parseCidr("::/0")!, parseIp("1.2.3.4")!)).toBe(false);
    expect(cidrContains(parseCidr("0.0.0.0/0")!, parseIp("::")!)).toBe(false);
  });
});

describe("decodeBase64", () => {
  test.each([
    ["", []], // base64 of no bytes
    ["QQ==", [65]], // RFC 4648 padding `==`
    ["QUI=", [65, 66]], // RFC 4648 padding `=`
    ["QUJD", [65, 66, 67]], // no padding needed
    ["+/+/", [0xfb, 0xff, 0xbf]], // standard alphabet `+` and `/`
  ] as const)("%j decodes", (text, bytes) => {
    expect([...decodeBase64(text)!]).toEqual(bytes);
  });

  test.each([
    "QQ=", // length a multiple of 4
    "QQ", // padding is required
    "Q===", // at most two `=`
    "QQ==QQ==", // `=` only at the end
    "=QQ=", // `=` only at the end
    "QU JD", // no spaces
    "QUJD\n", // no line breaks
    "QU-D", // base64url `-` is not standard base64
    "QU_D", // base64url `_` is not standard base64
    "QUI", // spec: padding is required for request values too
  ])("%j is not base64", (text) => {
    expect(decodeBase64(text)).toBeUndefined();
  });
});

describe("checkConditionValue", () => {
  test.each([
    ["NumericEquals", "-1"], // spec: Numeric values must be decimal numbers
    ["NumericLessThan", "2.50"], // spec: Numeric values must be decimal numbers
    ["DateLessThan", "2024-03-15T10:00:00Z"], // spec: Date values ISO 8601
    ["DateEquals", "1710496800"], // spec: Date values ... or epoch seconds
    ["DateEquals", "2024-03-15T10:00Z"], // spec: the W3C form without seconds
    ["Bool", "TRUE"], // spec: Bool `true`/`false` (any case)
    ["Null", "false"], // spec: Null `true`/`false`
    ["IpAddress", "10.0.0.0/8"], // spec: IpAddress a CIDR
    ["NotIpAddress", "2001:db8::/32"], // spec: IPv6 CIDR
    ["IpAddress", "10.0.0.1"], // spec: or a bare address
    ["IpAddress", "10.0.0.1/8"], // spec: host bits may be set
    ["BinaryEquals", "QmluYXJ5"], // spec: BinaryEquals valid base64
    ["StringEquals", "anything at all"], // spec: only Numeric, Date, Bool, Ip, Binary, Null values are checked
    ["StringLike", "*"], // spec: String values are any text
    ["ArnLike", "not-an-arn"], // spec: Arn values are not checked (fewer than six fields match nothing)
  ] as const)("%s accepts %j", (operator, value) => {
    expect(checkConditionValue(operator, value)).toBeUndefined();
  });

  test.each([
    ["NumericEquals", "1e3", "`1e3` is not a number: use a decimal number like `-1` or `2.50`"], // spec: `1e3` is not accepted
    ["NumericGreaterThan", "ten", "`ten` is not a number: use a decimal number like `-1` or `2.50`"], // spec: decimal numbers only
    ["DateEquals", "tomorrow", "`tomorrow` is not a date: use ISO 8601 (`2024-03-15`, `2024-03-15T10:00:00Z`) or epoch seconds"], // spec: ISO 8601 or epoch seconds
    ["DateLessThan", "2024-02-30", "`2024-02-30` is not a date: the day must be 01 to 29"], // ISO 8601 calendar date
    ["DateLessThan", "2024-13-01", "`2024-13-01` is not a date: the month must be 01 to 12"], // ISO 8601 calendar date
    ["DateGreaterThan", "2024-03-15T25:00:00Z", "`2024-03-15T25:00:00Z` is not a date: the hour must be 00 to 23"], // ISO 8601 time
    ["Bool", "yes", "`yes` is not a boolean: use `true` or `false`"], // spec: Bool `true`/`false`
    ["Null", "1", "`1` is not a boolean: use `true` or `false`"], // spec: Null `true`/`false`
    ["IpAddress", "10.0.0.0/33", "`10.0.0.0/33` is not a CIDR: the prefix length must be at most 32"], // spec: prefix within range
    ["IpAddress", "2001:db8::/129", "`2001:db8::/129` is not a CIDR: the prefix length must be at most 128"], // spec: prefix within range
    ["IpAddress", "10.0.0.0/", "`10.0.0.0/` is not a CIDR: the prefix length must be a number"], // spec: a CIDR
    ["IpAddress", "10.0.0.0/-1", "`10.0.0.0/-1` is not a CIDR: the prefix length must be a number"], // spec: a CIDR
    ["NotIpAddress", "300.0.0.0/8", "`300.0.0.0/8` is not a CIDR: `300` is not an IPv4 part (0 to 255)"], // spec: a CIDR
    ["IpAddress", "10.0.0/8", "`10.0.0/8` is not a CIDR: an IPv4 address has four dot-separated parts"], // spec: a CIDR
    ["IpAddress", "010.0.0.0/8", "`010.0.0.0/8` is not a CIDR: `010` has a leading zero, which some readers take for octal: write it without"], // spec: no leading zeros
    ["DateEquals", "2024-03-15t10:00:00z", "`2024-03-15t10:00:00z` is not a date: write `T` and `Z` in upper case"], // spec: `T`, `Z` upper-case
    ["DateEquals", "9007199254741", "`9007199254741` is not a date: the epoch seconds are out of range"], // spec: epoch range
    ["IpAddress", "1::2::3/64", "`1::2::3/64` is not a CIDR: `::` may appear only once"], // spec: an IPv6 CIDR
    ["IpAddress", "1:2:3/64", "`1:2:3/64` is not a CIDR: an IPv6 address has eight groups unless `::` shortens it"], // spec: an IPv6 CIDR
    ["IpAddress", "1:2:3:4:5:6:7:8::/64", "`1:2:3:4:5:6:7:8::/64` is not a CIDR: an IPv6 address with `::` has at most seven groups"], // spec: an IPv6 CIDR
    ["IpAddress", "2001:xyz::/32", "`2001:xyz::/32` is not a CIDR: `xyz` is not an IPv6 group (1 to 4 hex digits)"], // spec: an IPv6 CIDR
    ["BinaryEquals", "QQ=", "`QQ=` is not base64: its length must be a multiple of 4 (pad with `=`)"], // spec: valid base64
    ["BinaryEquals", "QU*D", "`QU*D` is not base64: it has characters outside `A-Z a-z 0-9 + / =`"], // spec: valid base64
    ["BinaryEquals", "QQ==QQ==", "`QQ==QQ==` is not base64: `=` may only pad the end"], // spec: valid base64
  ] as const)("%s rejects %j", (operator, value, message) => {
    expect(checkConditionValue(operator, value)).toBe(message);
  });

  test("messages are one lowercase line without a final period", () => {
    // STYLE.md: one line, lowercase, no final period, user input in backticks
    for (const operator of CONDITION_OPERATORS) {
      for (const value of ["x", "1e3", "10.0.0.0/33", "QQ=", "2024-02-30"]) {
        const message = checkConditionValue(operator, value);
        if (message === undefined) continue;
        expect(message).not.toMatch(/\n|\.$/);
        expect(message.startsWith(`\`${value}\``)).toBe(true);
      }
    }
  });
});
