// A log-log plot of check latency against statement count, one line per engine, as hand-written
// SVG (no plotting dependency). Solid lines and dots: median; dashed lines: p99.

export interface PlotPoint {
  readonly n: number;
  readonly median: number;
  readonly p99: number;
}

export interface PlotSeries {
  readonly name: string;
  readonly points: readonly PlotPoint[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `1 ns`, `10 µs`, `1 ms`… for a power of ten in nanoseconds. */
function nsLabel(ns: number): string {
  if (ns >= 1e9) return `${ns / 1e9} s`;
  if (ns >= 1e6) return `${ns / 1e6} ms`;
  if (ns >= 1e3) return `${ns / 1e3} µs`;
  return `${ns} ns`;
}

function countLabel(n: number): string {
  if (n >= 1e6) return `${n / 1e6}M`;
  if (n >= 1e3) return `${n / 1e3}k`;
  return String(n);
}

/** The plot; `sizes` (the N asked for) fix the x axis even where every engine was skipped. */
export function latencySvg(series: readonly PlotSeries[], sizes: readonly number[] = [], title = "iamc and peers: time per check vs statements (log-log)"): string {
  const width = 760;
  const height = 460;
  const left = 80;
  const right = 210;
  const top = 40;
  const bottom = 60;
  const plotW = width - left - right;
  const plotH = height - top - bottom;

  const points = series.flatMap((s) => s.points).filter((p) => p.n > 0 && p.median > 0);
  const ns = [...points.map((p) => p.n), ...sizes.filter((n) => n > 0)];
  const ys = points.flatMap((p) => [p.median, p.p99]).filter((y) => y > 0);
  const xMin = Math.floor(Math.log10(Math.min(...(ns.length > 0 ? ns : [10]))));
  const xMax = Math.max(xMin + 1, Math.ceil(Math.log10(Math.max(...(ns.length > 0 ? ns : [100000])))));
  const yMin = Math.floor(Math.log10(Math.min(...(ys.length > 0 ? ys : [100]))));
  const yMax = Math.max(yMin + 1, Math.ceil(Math.log10(Math.max(...(ys.length > 0 ? ys : [1e6])))));
  const x = (n: number) => left + ((Math.log10(n) - xMin) / (xMax - xMin)) * plotW;
  const y = (v: number) => top + plotH - ((Math.log10(v) - yMin) / (yMax - yMin)) * plotH;
  const f = (v: number) => v.toFixed(1);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${left + plotW / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`);
  // Grid and axes.
  for (let e = xMin; e <= xMax; e++) {
    const px = f(x(10 ** e));
    out.push(`<line x1="${px}" y1="${top}" x2="${px}" y2="${top + plotH}" stroke="#ddd"/>`);
    out.push(`<text x="${px}" y="${top + plotH + 18}" text-anchor="middle">${countLabel(10 ** e)}</text>`);
  }
  for (let e = yMin; e <= yMax; e++) {
    const py = f(y(10 ** e));
    out.push(`<line x1="${left}" y1="${py}" x2="${left + plotW}" y2="${py}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle">${nsLabel(10 ** e)}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${left + plotW / 2}" y="${height - 18}" text-anchor="middle">statements (N)</text>`);
  out.push(`<text transform="translate(20 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">time per check</text>`);
  // Series.
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = s.points.filter((p) => p.n > 0 && p.median > 0).slice().sort((a, b) => a.n - b.n);
    if (pts.length === 0) return;
    const median = pts.map((p) => `${f(x(p.n))},${f(y(p.median))}`).join(" ");
    const p99 = pts.filter((p) => p.p99 > 0).map((p) => `${f(x(p.n))},${f(y(p.p99))}`).join(" ");
    out.push(`<polyline points="${median}" fill="none" stroke="${color}" stroke-width="2"/>`);
    if (p99 !== "") out.push(`<polyline points="${p99}" fill="none" stroke="${color}" stroke-width="1" stroke-dasharray="4 3"/>`);
    for (const p of pts) out.push(`<circle cx="${f(x(p.n))}" cy="${f(y(p.median))}" r="3" fill="${color}"><title>${escapeXml(`${s.name}, N=${p.n}: median ${Math.round(p.median)} ns, p99 ${Math.round(p.p99)} ns`)}</title></circle>`);
    const ly = top + 10 + i * 20;
    out.push(`<line x1="${left + plotW + 14}" y1="${ly}" x2="${left + plotW + 38}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${left + plotW + 44}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  const ly = top + 10 + series.length * 20 + 6;
  out.push(`<line x1="${left + plotW + 14}" y1="${ly}" x2="${left + plotW + 38}" y2="${ly}" stroke="#555" stroke-width="1" stroke-dasharray="4 3"/>`);
  out.push(`<text x="${left + plotW + 44}" y="${ly}" dominant-baseline="middle">p99 (dashed)</text>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
