// The self-contained report page: d3 and Observable Plot inlined, the sections' charts embedded as
// JSON, warnings shown on top; opens offline and makes no network request.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Section } from "./chart.js";

const require = createRequire(import.meta.url);
/** The packages' browser builds (their "umd" exports), found beside their resolved entry points. */
const library = (entry: string, ...rel: string[]) =>
  readFileSync(join(dirname(require.resolve(entry)), ...rel), "utf8");

/** JSON that can sit inside a <script> element: no "<" can close it. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);

/** Draws every chart of window.REPORT into its section with Observable Plot. */
const DRAW = `
for (const [i, section] of REPORT.sections.entries()) {
  const el = document.getElementById("section-" + i);
  for (const chart of section.charts) {
    const marks = chart.series.map((s) => {
      const data = s.points.map((p) => ({ ...p, series: s.color ?? s.name, z: s.name }));
      if (s.mark === "bar")
        return chart.groupBars
          ? Plot.barY(data, { fx: "x", x: "series", y: "y", fill: "series" })
          : Plot.barY(data, { x: "x", y: "y", fill: "series" });
      if (s.mark === "band") return Plot.areaY(data, { x: "x", y1: "y", y2: "y2", fill: "series", fillOpacity: 0.15 });
      if (s.mark === "interval") return Plot.ruleX(data, { x: "x", y1: "y", y2: "y2", stroke: "series", strokeWidth: 2 });
      if (s.mark === "cell") return Plot.cell(data, { x: "x", y: "y", fill: "y", inset: 1 });
      return s.mark === "dot"
        ? Plot.dot(data, { x: "x", y: "y", stroke: "series", tip: true })
        : Plot.line(data, { x: "x", y: "y", z: "z", stroke: "series", marker: data.length === 1 });
    });
    const categories = chart.xDomain ? { domain: chart.xDomain, tickRotate: -45 } : {};
    const x = chart.groupBars ? { axis: null } : { label: chart.x, ...categories };
    const fx = chart.groupBars ? { fx: { label: chart.x, ...categories } } : {};
    const figure = Plot.plot({ title: chart.title, caption: chart.caption, x, ...fx, y: { label: chart.y, grid: true }, marginBottom: 60,
      color: { legend: true }, marks, width: 720, height: 300 });
    figure.classList.add("chart");
    el.append(figure);
  }
}`;

export function renderPage(title: string, sections: readonly Section[], warnings: readonly string[]): string {
  const d3 = library("d3", "d3.min.js");
  const plot = library("@observablehq/plot", "..", "dist", "plot.umd.min.js");
  const warningList = warnings.length
    ? `<ul class="warnings">${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>`
    : "";
  const body = sections
    .map((s, i) => {
      const notes = (s.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join("");
      return `<section id="section-${i}"><h2>${escapeHtml(s.title)}</h2>${notes}</section>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:780px}.warnings{color:#a40000;background:#fff3f3;padding:.5em 2em}.chart{margin:1em 0}.note{color:#555}</style>
<script>${d3}</script>
<script>${plot}</script>
</head><body>
<h1>${escapeHtml(title)}</h1>
${warningList}
${body}
<script>const REPORT = ${scriptJson({ sections })};${DRAW}</script>
</body></html>
`;
}
