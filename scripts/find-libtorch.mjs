#!/usr/bin/env node
// Locates libtorch for the native addon build (binding.gyp calls this), in the documented order:
// 1. the LIBTORCH environment variable (a folder with include/ and lib/),
// 2. an importable Python `torch` package (its include/ and lib/ folders),
// 3. the Debian locations (/usr/include/torch, /usr/lib/x86_64-linux-gnu/libtorch.so).
// Usage: --check (exit 1 with a short message if none is found), --include, --lib, --abi, --where,
// --gloo (the folder holding gloo/ headers, which c10d's ProcessGroupGloo.hpp includes: libtorch's own
// include/ when it ships them, else Debian's libgloo-dev in /usr/include), --openmp (the compiler flag for
// the addon's OpenMP pragmas: -fopenmp when libtorch runs on the system's libgomp, so at::parallel_for in
// the addon's own kernels shares libtorch's thread pool; else -fopenmp-simd, vector loops only, since a
// second OpenMP runtime, such as the one a pip wheel bundles, would bring a second pool).
// LIBTORCH_CXX11_ABI=0 selects the old libstdc++ ABI for a LIBTORCH folder built with it.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const HELP = [
  "lithe: libtorch was not found. Get it one of three ways:",
  "  1. Debian/Ubuntu: apt-get install libtorch-dev libopenblas0",
  "  2. a PyTorch install: pip install torch (lithe uses the include/ and lib/ folders inside the package)",
  "  3. a libtorch folder from pytorch.org: export LIBTORCH=/path/to/libtorch",
].join("\n");

function isLibtorchRoot(include, lib) {
  return existsSync(join(include, "ATen", "ATen.h")) && existsSync(join(lib, "libtorch_cpu.so"));
}

function fromEnv() {
  const root = process.env.LIBTORCH;
  if (!root) return null;
  const include = join(root, "include");
  const lib = join(root, "lib");
  if (!isLibtorchRoot(include, lib)) {
    console.error(`lithe: LIBTORCH=${root} has no include/ATen/ATen.h and lib/libtorch_cpu.so`);
    process.exit(1);
  }
  return { source: "LIBTORCH", include, lib, abi: process.env.LIBTORCH_CXX11_ABI ?? "1" };
}

function fromPython() {
  for (const python of ["python3", "/usr/bin/python3"]) {
    try {
      const dir = execFileSync(python, ["-c", "import os, torch; print(os.path.dirname(torch.__file__))"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
      const include = join(dir, "include");
      const lib = join(dir, "lib");
      if (isLibtorchRoot(include, lib))
        return { source: `python torch (${python})`, include, lib, abi: pythonAbi(python) };
    } catch {
      // this interpreter has no torch; try the next one
    }
  }
  return null;
}

// Wheels of torch < 2.7 were built with the pre-C++11 libstdc++ ABI; the addon must match.
function pythonAbi(python) {
  const out = execFileSync(python, ["-c", "import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))"], {
    encoding: "utf8",
  });
  return out.trim();
}

function fromDebian() {
  const include = "/usr/include";
  const lib = "/usr/lib/x86_64-linux-gnu";
  if (existsSync("/usr/include/torch") && isLibtorchRoot(include, lib))
    return { source: "debian", include, lib, abi: "1" };
  return null;
}

function openmpFlag(lib) {
  try {
    const linked = execFileSync("ldd", [join(lib, "libtorch_cpu.so")], { encoding: "utf8" });
    return /^\s*libgomp\.so\.1 =>/m.test(linked) ? "-fopenmp" : "-fopenmp-simd";
  } catch {
    return "-fopenmp-simd";
  }
}

function glooInclude(include) {
  for (const dir of [include, "/usr/include"]) if (existsSync(join(dir, "gloo", "algorithm.h"))) return dir;
  console.error("lithe: the Gloo headers were not found (c10d needs them): apt-get install libgloo-dev");
  process.exit(1);
}

const found = fromEnv() ?? fromPython() ?? fromDebian();
const mode = process.argv[2] ?? "--where";
if (!found) {
  console.error(HELP);
  process.exit(1);
}
if (mode === "--include") console.log(found.include);
else if (mode === "--lib") console.log(found.lib);
else if (mode === "--abi") console.log(found.abi);
else if (mode === "--openmp") console.log(openmpFlag(found.lib));
else if (mode === "--gloo") console.log(glooInclude(found.include));
else if (mode === "--where") console.log(`${found.source}: include ${found.include}, lib ${found.lib}`);
