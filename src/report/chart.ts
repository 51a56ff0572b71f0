// The chart specification a report section produces and the page draws with Observable Plot: plain
// JSON (series of points as lines or dots), so that it can be embedded in the page as data.
/** A point; strings are categories (a gene's label, a block's choice). */
export interface Point {
  x: number | string;
  y: number | string;
}

export interface Series {
  /** Observable Plot's mark: one path per line series, one circle per dot, one rect per cell or bar. */
  mark: "line" | "dot" | "cell" | "bar";
  name: string;
  points: Point[];
}

export interface Chart {
  title: string;
  x: string;
  y: string;
  /** The x categories in order (else Plot sorts them: block_10 before block_2). */
  xDomain?: string[];
  series: Series[];
}

export interface Section {
  title: string;
  charts: Chart[];
}
