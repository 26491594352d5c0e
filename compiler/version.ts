// The compiler's name and version as recorded in bundles. Kept in sync with package.json by a test.
export const COMPILER_VERSION = "0.1.0";
export const COMPILER_ID = `iamc ${COMPILER_VERSION}`;
