// A genotype: one searched network of a space as labelled choices, the form every search space
// (SPOS blocks and channel scales, pruning widths) and every search speaks: labels, never bare
// positional tuples (the official SPOS tuple of ints is an input format, src/arch/spaces/spos.ts).

/** Gene labels -> chosen values: SPOS block labels -> choice labels, mid and width labels -> scales. */
export type Genotype = Readonly<Record<string, string | number>>;
