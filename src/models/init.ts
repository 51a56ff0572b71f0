// Weight initialisation recipes of the official code (src/arch/family.ts names them per family).
import type { InitRecipe } from "../arch/family.js";
import { BatchNorm2d, Conv2d, init, Linear, type Module } from "../nn/index.js";

/** Initialises every conv, BN and linear layer of `model` in place as `recipe` prescribes. */
export function initialize(model: Module, recipe: InitRecipe): void {
  if (recipe === "torchvision-shufflenet") return; // torchvision keeps PyTorch's layer defaults
  for (const [name, m] of model.namedModules()) {
    if (m instanceof Conv2d) {
      if (recipe === "megvii") {
        // Megvii: N(0, 0.01) for the first conv and SE convs, else N(0, 1 / weight.shape[1]) (input channels per group)
        const small = name.includes("first") || name.includes("SE");
        init.normal_(m.weight, 0, small ? 0.01 : 1 / (m.weight.shape[1] as number));
      } else {
        init.kaimingNormal_(m.weight, "fanOut");
      }
      if (m.bias) init.constant_(m.bias, 0);
    } else if (m instanceof BatchNorm2d) {
      if (m.weight) init.constant_(m.weight, 1);
      if (m.bias) init.constant_(m.bias, recipe === "megvii" ? 1e-4 : 0);
    } else if (m instanceof Linear && recipe !== "torchvision-resnet") {
      init.normal_(m.weight, 0, 0.01);
      if (m.bias) init.constant_(m.bias, 0);
    }
  }
}
