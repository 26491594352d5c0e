// Parsers for condition values, shared by compile-time validation (policy values) and the
// reference evaluator (request values), so both read a number, date, address the same way.
// Each rule is the one docs/conditions.md states; comments point at the line.
import type { ConditionOperator } from "./ir.js";

// ---------------------------------------------------------------------------------------------
// Numbers

// spec: "a decimal number (`-1`, `2.50`, `1e3` is **not** accepted)"
const DECIMAL = /^-?[0-9]+(?:\.[0-9]+)?$/;

/** The value of a decimal number (`-1`, `2.50`), or undefined for anything else (`1e3`, `0x1`, ` 1`). */
export function parseNumber(text: string): number | undefined {
  return DECIMAL.test(text) ? Number(text) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Dates

// The W3C profile of ISO 8601 that AWS names: YYYY-MM-DD, optionally THH:MM[:SS[.fraction]], then
// optionally Z or ±HH:MM (no zone = UTC). `T` and `Z` upper-case only, as the profile writes them.
const ISO_DATE =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$/;
const EPOCH_SECONDS = /^[0-9]+$/;

/** Days in `month` (1-12) of `year`, proleptic Gregorian. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Why `text` is not a date, or its instant in ms since the epoch. */
function readDate(text: string): number | string {
  // spec: "epoch seconds (number or digit string)", while the milliseconds are a safe integer
  if (EPOCH_SECONDS.test(text)) {
    const ms = Number(text) * 1000;
    return Number.isSafeInteger(ms) ? ms : "the epoch seconds are out of range";
  }
  const match = ISO_DATE.exec(text);
  if (match === null) {
    if (ISO_DATE.test(text.replace("t", "T").replace(/z$/, "Z"))) return "write `T` and `Z` in upper case";
    return "use ISO 8601 (`2024-03-15`, `2024-03-15T10:00:00Z`) or epoch seconds";
  }
  const [, y, mo, d, h = "00", mi = "00", s = "00", fraction = "", zone = "Z"] = match;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12) return `the month must be 01 to 12`;
  if (day < 1 || day > daysInMonth(year, month)) return `the day must be 01 to ${daysInMonth(year, month)}`;
  if (hour > 23) return "the hour must be 00 to 23";
  if (minute > 59) return "the minute must be 00 to 59";
  if (second > 59) return "the second must be 00 to 59";
  let offsetMinutes = 0;
  if (zone !== "Z") {
    const zoneHours = Number(zone.slice(1, 3)), zoneMinutes = Number(zone.slice(4, 6));
    if (zoneHours > 23 || zoneMinutes > 59) return "the zone offset must be at most +23:59";
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  }
  // spec: "millisecond precision": digits past the third are dropped
  const millis = Number(fraction.slice(0, 3).padEnd(3, "0"));
  // Date.UTC maps years 0-99 to 19xx; setUTCFullYear does not
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offsetMinutes * 60_000;
}

/**
 * The instant of an ISO 8601 date-time (`2024-03-15T10:00:00Z`, `2024-03-15T10:00:00.123+02:00`,
 * `2024-03-15` = midnight UTC, no zone = UTC) or of epoch seconds (a digit string), in ms since
 * the epoch; undefined for anything else.
 */
export function parseDate(text: string): number | undefined {
  const result = readDate(text);
  return typeof result === "number" ? result : undefined;
}

// ---------------------------------------------------------------------------------------------
// Booleans

/** `true` / `false` in any case, or undefined. */
export function parseBool(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

// ---------------------------------------------------------------------------------------------
// IP addresses

export type IpFamily = 4 | 6;

/** An IPv4 or IPv6 address: its family and its bits as an unsigned integer (32 or 128 bits). */
export interface IpAddress {
  readonly family: IpFamily;
  readonly address: bigint;
}

/** A CIDR block. `address` keeps any host bits as written; matching ignores them. */
export interface Cidr extends IpAddress {
  /** 4 bytes for IPv4, 16 for IPv6, network order. */
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

const IPV4_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

function readIpv4(text: string): bigint | string {
  const octets = text.split(".");
  if (octets.length !== 4) return "an IPv4 address has four dot-separated parts";
  let value = 0n;
  for (const octet of octets) {
    // spec: leading zeros are refused (in policy and request values alike): some readers take them as octal
    if (/^0[0-9]+$/.test(octet)) return `\`${octet}\` has a leading zero, which some readers take for octal: write it without`;
    if (!IPV4_OCTET.test(octet) || Number(octet) > 255) return `\`${octet}\` is not an IPv4 part (0 to 255)`;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function readIpv6(text: string): bigint | string {
  const halves = text.split("::");
  if (halves.length > 2) return "`::` may appear only once";
  const compressed = halves.length === 2;
  const read = (half: string, last: boolean): bigint[] | string => {
    if (half === "") return [];
    const groups = half.split(":");
    const values: bigint[] = [];
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i]!;
      if (last && i === groups.length - 1 && group.includes(".")) {
        // an embedded IPv4 address (`::ffff:1.2.3.4`) stands for the last two groups
        const v4 = readIpv4(group);
        if (typeof v4 === "string") return v4;
        values.push(v4 >> 16n, v4 & 0xffffn);
      } else if (IPV6_GROUP.test(group)) values.push(BigInt(`0x${group}`));
      else return `\`${group}\` is not an IPv6 group (1 to 4 hex digits)`;
    }
    return values;
  };
  const head = read(halves[0]!, !compressed);
  if (typeof head === "string") return head;
  const tail = compressed ? read(halves[1]!, true) : [];
  if (typeof tail === "string") return tail;
  const written = head.length + tail.length;
  if (!compressed && written !== 8) return "an IPv6 address has eight groups unless `::` shortens it";
  if (compressed && written > 7) return "an IPv6 address with `::` has at most seven groups";
  const groups = [...head, ...new Array<bigint>(8 - written).fill(0n), ...tail];
  return groups.reduce((acc, group) => (acc << 16n) | group, 0n);
}

/** Why `text` is not an address, or the address. */
function readIp(text: string): IpAddress | string {
  if (text.includes(":")) {
    const address = readIpv6(text);
    return typeof address === "string" ? address : { family: 6, address };
  }
  const address = readIpv4(text);
  return typeof address === "string" ? address : { family: 4, address };
}

/** An IPv4 (`10.1.2.3`) or IPv6 (`2001:db8::1`, `::ffff:1.2.3.4`) address, or undefined. */
export function parseIp(text: string): IpAddress | undefined {
  const result = readIp(text);
  return typeof result === "string" ? undefined : result;
}

function toBytes(address: bigint, family: IpFamily): Uint8Array {
  const length = family === 4 ? 4 : 16;
  const bytes = new Uint8Array(length);
  for (let i = length - 1, rest = address; i >= 0; i--, rest >>= 8n) bytes[i] = Number(rest & 0xffn);
  return bytes;
}

/** Why `text` is not a CIDR, or the CIDR. */
function readCidr(text: string): Cidr | string {
  const slash = text.indexOf("/");
  const ip = readIp(slash === -1 ? text : text.slice(0, slash));
  if (typeof ip === "string") return ip;
  const max = ip.family === 4 ? 32 : 128;
  // spec: "a bare address (= /32 or /128)"
  let prefix = max;
  if (slash !== -1) {
    const written = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(written)) return "the prefix length must be a number";
    prefix = Number(written);
    if (prefix > max) return `the prefix length must be at most ${max}`;
  }
  return { ...ip, bytes: toBytes(ip.address, ip.family), prefix };
}

/**
 * A CIDR block (`10.0.0.0/8`, `2001:db8::/32`) or a bare address (= /32 or /128); host bits may
 * be set. Undefined when malformed or the prefix is out of range.
 */
export function parseCidr(text: string): Cidr | undefined {
  const result = readCidr(text);
  return typeof result === "string" ? undefined : result;
}

/** Whether `ip` lies in `cidr`; an address never lies in a block of the other family. */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) return false;
  const shift = BigInt((cidr.family === 4 ? 32 : 128) - cidr.prefix);
  return cidr.address >> shift === ip.address >> shift;
}

// ---------------------------------------------------------------------------------------------
// Base64

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Why `text` is not base64, or undefined when it is. */
function checkBase64(text: string): string | undefined {
  if (/[^A-Za-z0-9+/=]/.test(text)) return "it has characters outside `A-Z a-z 0-9 + / =`";
  if (text.length % 4 !== 0) return "its length must be a multiple of 4 (pad with `=`)";
  if (!BASE64.test(text)) return "`=` may only pad the end";
  return undefined;
}

/**
 * The bytes of standard padded base64 (RFC 4648 §4), or undefined when `text` is not that. The one
 * rule for policy and request values: unpadded text is refused; bits past the data are ignored.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (checkBase64(text) !== undefined) return undefined;
  return new Uint8Array(Buffer.from(text, "base64"));
}

// ---------------------------------------------------------------------------------------------
// Validation of policy values

/** Why `value` is not a valid policy value for `operator`, or undefined when it is. */
export function checkConditionValue(operator: ConditionOperator, value: string): string | undefined {
  switch (operator) {
    case "NumericEquals": case "NumericNotEquals": case "NumericLessThan": case "NumericLessThanEquals":
    case "NumericGreaterThan": case "NumericGreaterThanEquals":
      return parseNumber(value) === undefined
        ? `\`${value}\` is not a number: use a decimal number like \`-1\` or \`2.50\``
        : undefined;
    case "DateEquals": case "DateNotEquals": case "DateLessThan": case "DateLessThanEquals":
    case "DateGreaterThan": case "DateGreaterThanEquals": {
      const result = readDate(value);
      return typeof result === "string" ? `\`${value}\` is not a date: ${result}` : undefined;
    }
    case "Bool": case "Null":
      return parseBool(value) === undefined ? `\`${value}\` is not a boolean: use \`true\` or \`false\`` : undefined;
    case "IpAddress": case "NotIpAddress": {
      const result = readCidr(value);
      return typeof result === "string" ? `\`${value}\` is not a CIDR: ${result}` : undefined;
    }
    case "BinaryEquals": {
      const reason = checkBase64(value);
      return reason === undefined ? undefined : `\`${value}\` is not base64: ${reason}`;
    }
    case "StringEquals": case "StringNotEquals": case "StringEqualsIgnoreCase": case "StringNotEqualsIgnoreCase":
    case "StringLike": case "StringNotLike":
    case "ArnEquals": case "ArnLike": case "ArnNotEquals": case "ArnNotLike":
      // any text is a string; an ARN value with fewer than six fields simply matches nothing
      return undefined;
  }
}
