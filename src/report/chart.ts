// The chart specification a report section produces and the page draws with Observable Plot: plain
// JSON (series of points as lines or dots), so that it can be embedded in the page as data.
/** A point; strings are categories (a gene's label, a block's choice). */
export interface Point {
  x: number | string;
  y: number | string;
  /** The upper end of a band or an interval (whose lower end is y). */
  y2?: number;
}

export interface Series {
  /**
   * Observable Plot's mark: one path per line series, one circle per dot, one rect per cell or bar,
   * one filled path per band (y to y2 along x), one vertical rule per interval point (y to y2 at x).
   */
  mark: "line" | "dot" | "cell" | "bar" | "band" | "interval";
  name: string;
  /** The legend entry the series is coloured by (default: its name); lines that share one stay apart. */
  color?: string;
  points: Point[];
}

export interface Chart {
  title: string;
  /** A line under the chart (what the paper expects, how a figure was computed). */
  caption?: string;
  x: string;
  y: string;
  /** The x categories in order (else Plot sorts them: block_10 before block_2). */
  xDomain?: string[];
  /** Bars side by side in one group per x (else a chart's bar series stack). */
  groupBars?: boolean;
  series: Series[];
}

export interface Section {
  title: string;
  /** Lines of text shown under the title (what a chart could not be drawn from, and why). */
  notes?: string[];
  charts: Chart[];
}
