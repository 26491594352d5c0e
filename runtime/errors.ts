// Errors of bundle reading. The runtime cannot import the compiler's code list, so its codes
// (band 5xxx) are listed here, once, with their meaning.

export const BUNDLE_ERROR_CODES = {
  IAMC5001: "the bundle file cannot be read",
  IAMC5002: "the bytes are not an iamc bundle (no magic number)",
  IAMC5003: "the bundle's format version is not one this runtime reads",
  IAMC5004: "the bundle is truncated, has trailing bytes, or its digest does not match",
  IAMC5005: "the bundle's payload is not a well-formed decision table",
  IAMC5006: "a request is not well-formed (it is denied)",
  IAMC5007: "the bundle is unsigned, or not signed by a trusted key, while keys are configured",
  IAMC5008: "a public key file cannot be read or is not an ed25519 public key",
  IAMC5009: "hot reload kept the serving bundle: the new one's revision is older",
  IAMC5010: "the bundle is larger than the reader's limit (`maxBytes`), or its download took too long",
} as const;

export type BundleErrorCode = keyof typeof BUNDLE_ERROR_CODES;

/** A bundle that cannot be loaded. `code` is stable; `message` says what is wrong. */
export class BundleError extends Error {
  override name = "BundleError";
  constructor(readonly code: BundleErrorCode, message: string) {
    super(message);
  }
}
