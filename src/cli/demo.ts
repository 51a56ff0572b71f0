// `lithe demo`: trains a small CNN on Fashion-MNIST for a minute and prints its test accuracy.
import type { Command } from "commander";
import { FASHION_MNIST_DIR } from "../data/mnist.js";
import { positiveInt, positiveNumber } from "./args.js";
import { progressBar } from "./progress.js";

interface DemoFlags {
  data: string;
  trainImages: number;
  testImages: number;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  json?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("train a small CNN on Fashion-MNIST briefly and report test accuracy (an end-to-end check)")
    .option("--data <dir>", "folder with the four MNIST-format IDX files", FASHION_MNIST_DIR)
    .option("--train-images <n>", "training images used (at most the 60,000 of the set)", positiveInt, 60000)
    .option("--test-images <n>", "test images evaluated", positiveInt, 10000)
    .option("--epochs <n>", "passes over the training images", positiveInt, 1)
    .option("--batch-size <n>", "images per step", positiveInt, 64)
    .option("--lr <x>", "initial learning rate (linear decay to 0)", positiveNumber, 0.1)
    .option("--seed <n>", "random seed", positiveInt, 1)
    .option("--json", "print one JSON object instead of text")
    .action(async (o: DemoFlags) => {
      const bar = progressBar("demo", !o.json && process.stderr.isTTY === true);
      const { runDemo } = await import("../train/demo.js");
      const r = runDemo({
        dataDir: o.data,
        trainImages: o.trainImages,
        testImages: o.testImages,
        epochs: o.epochs,
        batchSize: o.batchSize,
        lr: o.lr,
        seed: o.seed,
        onStep: (step, total, loss) => bar.update(step, total, { loss: loss.toFixed(3) }),
      });
      bar.stop();
      if (o.json) console.log(JSON.stringify(r));
      else {
        console.log(
          `demo: ${r.steps} steps, final loss ${r.finalLoss.toFixed(3)}, test accuracy ${(100 * r.testAccuracy).toFixed(2)}% on ${r.testImages} images (${r.seconds.toFixed(1)} s)`,
        );
      }
    });
}
