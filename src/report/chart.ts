// The chart specification a report section produces and the page draws with Observable Plot: plain
// JSON (series of points as lines or dots), so that it can be embedded in the page as data.
export interface Point {
  x: number;
  y: number;
}

export interface Series {
  /** Observable Plot's mark: one path per line series, one circle per dot. */
  mark: "line" | "dot";
  name: string;
  points: Point[];
}

export interface Chart {
  title: string;
  x: string;
  y: string;
  series: Series[];
}

export interface Section {
  title: string;
  charts: Chart[];
}
