// The runtime at Node's edge: reading bundle files, Node's native SHA-256 for the digest check,
// ed25519 signature checks with node:crypto, and hot reload (watchBundle). The only part of the
// runtime that touches node: modules; the core (index.ts and what it imports) runs anywhere.
import { createHash, createPublicKey, verify as verifySignature, type KeyObject } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { BundleError } from "./errors.js";
import { signatureKeyId, type BundleVerifier } from "./format.js";
import { loadBundle as loadPortable, type Authorizer, type Decision, type Explanation, type LoadOptions, type Request } from "./index.js";

/** A public key as PEM text (SPKI), or a node:crypto KeyObject. */
export type PublicKeyInput = string | KeyObject;

/**
 * A key's id: `ed25519:` and the first 16 hex digits of the SHA-256 of its public key (DER). Ids
 * come from the keys themselves, so a bundle names the key it was signed with and a gateway that
 * trusts several keys (during a rotation) finds the right one without any naming convention.
 */
export function keyIdOf(key: PublicKeyInput): string {
  const publicKey = typeof key === "string" ? createPublicKey(key) : key.type === "private" ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== "ed25519") throw new BundleError("IAMC5007", `bundle keys are ed25519; this one is ${publicKey.asymmetricKeyType ?? "not an asymmetric key"}`);
  const der = publicKey.export({ type: "spki", format: "der" });
  return `ed25519:${createHash("sha256").update(der).digest("hex").slice(0, 16)}`;
}

/** A verifier trusting these ed25519 public keys (PEM or KeyObject), by key id. */
export function ed25519Verifier(publicKeys: readonly PublicKeyInput[]): BundleVerifier {
  const trusted = new Map<string, KeyObject>();
  for (const key of publicKeys) {
    const publicKey = typeof key === "string" ? createPublicKey(key) : key;
    trusted.set(keyIdOf(publicKey), publicKey);
  }
  return (message, signature, keyId) => {
    const key = trusted.get(keyId);
    return key !== undefined && verifySignature(null, message, key, signature);
  };
}

/** Node's load options: also `publicKeys`, the ed25519 keys a bundle must be signed by. */
export interface NodeLoadOptions extends LoadOptions {
  readonly publicKeys?: readonly PublicKeyInput[];
}

/**
 * The largest bundle read from a file or URL by default: 1 GiB. A 100,000-statement workspace
 * makes ~30 MB; the limit is there so a wrong path or a hostile server cannot exhaust memory.
 */
export const MAX_BUNDLE_BYTES = 1024 * 1024 * 1024;

/** How big a bundle may be (default MAX_BUNDLE_BYTES). */
export interface ReadLimits {
  readonly maxBytes?: number;
}

function tooLarge(what: string, size: number, maxBytes: number): BundleError {
  return new BundleError("IAMC5010", `${what} is ${size} bytes, over the limit of ${maxBytes} (raise \`maxBytes\` if it is meant to be this big)`);
}

/** SHA-256 by node:crypto. */
export function nodeSha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

/**
 * Loads bundle bytes, checking the digest with Node's native SHA-256. With `publicKeys`, only a
 * bundle signed by one of them loads (IAMC5007 otherwise).
 */
export function loadBundle(bytes: Uint8Array, options: NodeLoadOptions = {}): Authorizer {
  return loadPortable(bytes, nodeOptions(options));
}

/** Node's options as the portable loader takes them: native SHA-256, keys as a verifier. */
export function nodeOptions(options: NodeLoadOptions): LoadOptions {
  const { publicKeys, ...rest } = options;
  return {
    sha256: nodeSha256,
    ...(publicKeys !== undefined && publicKeys.length > 0 ? { verify: ed25519Verifier(publicKeys) } : {}),
    ...rest,
  };
}

/** Reads a bundle file's bytes. Throws BundleError IAMC5001 when it cannot be read, IAMC5010 when it is too big. */
export function readBundleFile(path: string, limits: ReadLimits = {}): Uint8Array {
  const maxBytes = limits.maxBytes ?? MAX_BUNDLE_BYTES;
  try {
    const size = statSync(path).size;
    if (size > maxBytes) throw tooLarge(`bundle \`${path}\``, size, maxBytes);
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    if (error instanceof BundleError) throw error;
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new BundleError("IAMC5001", `cannot read bundle \`${path}\`: ${reason}`);
  }
}

/** Reads and loads a bundle file. */
export function loadBundleFile(path: string, options: NodeLoadOptions & ReadLimits = {}): Authorizer {
  const { maxBytes, ...loadOptions } = options;
  return loadBundle(readBundleFile(path, maxBytes === undefined ? {} : { maxBytes }), loadOptions);
}

// ---------------------------------------------------------------------------------------------
// Hot reload: watch a bundle file or HTTP(S) URL and swap in each new good bundle.
// Keep-last-good: a bundle that does not load (truncated, tampered, unsigned or wrongly signed
// when keys are set) or whose build revision is older than the one serving never replaces it.
// Requests are answered by whichever bundle is current; before the first good one, denied.

export interface WatchOptions extends NodeLoadOptions, ReadLimits {
  /** How often to look for a new bundle (default 1000 ms). */
  readonly intervalMs?: number;
  /** How long one download of a URL may take (default 30,000 ms); a slower one is rejected (IAMC5010). */
  readonly timeoutMs?: number;
}

/** What happened at a poll: a new bundle serves, or one was refused (the last good one still serves). */
export type WatchEvent =
  | { readonly type: "loaded"; readonly source: string; readonly revision?: number; readonly keyId?: string }
  | { readonly type: "rejected"; readonly source: string; readonly code: string; readonly message: string };

export interface BundleWatcher {
  /** The bundle serving now, or undefined before the first good one. */
  readonly current: Authorizer | undefined;
  /** The current bundle's decision; ImplicitDeny while there is none (fail closed). */
  check(request: Request): Decision;
  explain(request: Request): Explanation;
  /** Listens to loaded/rejected events; returns a function that stops listening. */
  on(listener: (event: WatchEvent) => void): () => void;
  /** Looks for a new bundle now. */
  poll(): Promise<void>;
  /** Resolves with the first good bundle. */
  ready(): Promise<Authorizer>;
  /** Stops polling. */
  close(): void;
}

const NO_BUNDLE: Explanation = {
  decision: "ImplicitDeny", principalClass: "", statements: [], layers: [], unmet: [], nearMisses: [],
  reason: "no bundle is loaded yet: every request is denied",
};

/** Watches `source` (a file path, or an http:// or https:// URL) and keeps the last good bundle serving. */
export function watchBundle(source: string, options: WatchOptions = {}): BundleWatcher {
  const { intervalMs = 1000, maxBytes = MAX_BUNDLE_BYTES, timeoutMs = 30_000, ...loadOptions } = options;
  const isUrl = /^https?:\/\//i.test(source);
  const listeners = new Set<(event: WatchEvent) => void>();
  let current: Authorizer | undefined;
  let currentBytes: Uint8Array | undefined;
  let etag: string | undefined;
  let fileStamp: string | undefined;
  let polling: Promise<void> | undefined;
  let resolveReady: (a: Authorizer) => void = () => {};
  const ready = new Promise<Authorizer>((resolve) => (resolveReady = resolve));
  const emit = (event: WatchEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // a listener's failure must not stop reloading
      }
    }
  };
  const reject = (code: string, message: string) => emit({ type: "rejected", source, code, message });

  /** The new bytes, or undefined when nothing changed (or they could not be fetched, reported). */
  const fetchBytes = async (): Promise<Uint8Array | undefined> => {
    if (isUrl) {
      const signal = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(source, { headers: etag === undefined ? {} : { "if-none-match": etag }, signal });
      } catch (error) {
        if (signal.aborted) throw new BundleError("IAMC5010", `the bundle's download took longer than ${timeoutMs} ms`);
        throw error;
      }
      if (response.status === 304) return undefined;
      if (!response.ok) {
        reject("IAMC5001", `fetching the bundle answered HTTP ${response.status}`);
        return undefined;
      }
      const bytes = await readBody(response, maxBytes, signal, timeoutMs);
      const tag = response.headers.get("etag");
      if (tag !== null) etag = tag;
      return bytes;
    }
    const info = await stat(source);
    const stamp = `${info.mtimeMs}:${info.size}:${info.ino}`;
    if (stamp === fileStamp) return undefined;
    if (info.size > maxBytes) {
      fileStamp = stamp; // refused once, not at every poll
      throw tooLarge("the bundle", info.size, maxBytes);
    }
    const bytes = new Uint8Array(await readFile(source));
    // stamped only once read: a read that failed (the file mid-replace) is tried again next poll
    fileStamp = stamp;
    return bytes;
  };

  const pollOnce = async (): Promise<void> => {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await fetchBytes();
    } catch (error) {
      if (error instanceof BundleError) reject(error.code, error.message);
      else reject("IAMC5001", `cannot read the bundle: ${(error as Error).message}`);
      return;
    }
    if (bytes === undefined || (currentBytes !== undefined && sameBytes(bytes, currentBytes))) return;
    let next: Authorizer;
    try {
      next = loadBundle(bytes, loadOptions);
    } catch (error) {
      if (error instanceof BundleError) reject(error.code, error.message);
      else reject("IAMC5005", `the bundle cannot be loaded: ${(error as Error).message}`);
      return;
    }
    const was = current?.info.build?.revision;
    const is = next.info.build?.revision;
    if (was !== undefined && (is === undefined || is < was)) {
      reject("IAMC5009", `the bundle's revision ${is ?? "(none)"} is older than the serving one's (${was}): kept the newer`);
      return;
    }
    // The swap is one assignment: a request sees the old table or the new one, never a mix.
    current = next;
    currentBytes = bytes;
    const keyId = signatureKeyId(bytes);
    emit({ type: "loaded", source, ...(is === undefined ? {} : { revision: is }), ...(keyId === undefined ? {} : { keyId }) });
    resolveReady(next);
  };

  const poll = (): Promise<void> => (polling ??= pollOnce().finally(() => (polling = undefined)));
  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref?.();
  void poll();

  return {
    get current() {
      return current;
    },
    check: (request) => (current === undefined ? "ImplicitDeny" : current.check(request)),
    explain: (request) => (current === undefined ? NO_BUNDLE : current.explain(request)),
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    poll,
    ready: () => ready,
    close: () => clearInterval(timer),
  };
}

/** A response body, refused (IAMC5010) as soon as it passes maxBytes or the download outlasts its time. */
async function readBody(response: Response, maxBytes: number, signal: AbortSignal, timeoutMs: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge("the bundle", declared, maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.length;
      // leaving the loop cancels the download
      if (size > maxBytes) throw tooLarge("the bundle", size, maxBytes);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof BundleError) throw error;
    if (signal.aborted) throw new BundleError("IAMC5010", `the bundle's download took longer than ${timeoutMs} ms`);
    throw error;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
