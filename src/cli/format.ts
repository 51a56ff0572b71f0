// Human-readable numbers and fixed-width tables for command output (JSON output stays raw numbers).
import type { LayerCount } from "../arch/index.js";
export function si(n: number): string {
  if (Math.abs(n) >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (Math.abs(n) >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

/** Left-aligns the first column and right-aligns the rest. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

/** The per-op table of a count (lithe count --per-layer, lithe bench counter). */
export function layerTable(layers: readonly LayerCount[]): string {
  return table(
    ["layer", "op", "input", "output", "FLOPs", "params", "full ops", "MAC"],
    layers.map((l) => [l.name, l.op, l.input, l.output, si(l.flops), si(l.params), si(l.ops), si(l.mac)]),
  );
}
