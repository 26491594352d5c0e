// Comparing bundles compiled from the same workspace written two ways (JSON and the DSL): the
// tables must be equal; the source digests and the places of statements may differ.
import { decodeBundle, decodeStatementSources, type BundlePayload } from "../../runtime/format.js";

/** A bundle's payload without what depends on how the workspace was written: sources and statement places. */
export function tableOf(bundle: Uint8Array): { table: Omit<BundlePayload, "sources">; sources: BundlePayload["sources"]; places: (string | null)[] } {
  const { sources, provenance, ...rest } = decodeBundle(bundle);
  const texts = decodeStatementSources(provenance.text, provenance.policy.length);
  const { text: _places, ...ids } = provenance;
  const table = { ...rest, provenance: { ...ids, statements: texts.map((s) => s.slice(0, 7)) } } as unknown as Omit<BundlePayload, "sources">;
  return { table, sources, places: texts.map((s) => s[7]) };
}
