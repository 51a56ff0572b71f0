// The data budgets of SPOS scoring, scaled from the official ImageNet numbers to any dataset size
// (pure constants, so the CLI can show them in --help without loading the engine).

/** Share of the training images held out for scoring candidates: official 50,000 of 1.28M is 3.9%; 5% here. */
export const SEARCH_HOLDOUT_SHARE = 0.05;

/** Official tester: BN recalibrated on 200 x 128 = 25,600 of ImageNet's 1.28M training images, i.e. 2%. */
export const RECALIBRATION_SHARE = 0.02;
