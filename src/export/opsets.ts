// The ONNX opsets the exporter writes (a leaf module, so `lithe export`'s flag parser can check an
// opset without loading the exporter). 13 is the lowest with Split's sizes as an input; HardSwish
// arrives in 14 (below it hswish is written as x * HardSigmoid(x)).
export const DEFAULT_OPSET = 13;
export const MIN_OPSET = 13;
export const MAX_OPSET = 21;
