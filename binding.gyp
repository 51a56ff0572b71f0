{
  "targets": [
    {
      "target_name": "lithe_native",
      "sources": ["native/addon.cc", "native/tensor.cc", "native/ops.cc", "native/nn.cc", "native/blas.cc", "native/quant.cc", "native/profile.cc", "native/fused.cc", "native/dist.cc", "native/depthwise.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node scripts/find-libtorch.mjs --include)",
        "<!(node scripts/find-libtorch.mjs --include)/torch/csrc/api/include",
        "<!(node scripts/find-libtorch.mjs --gloo)"
      ],
      "defines": [
        "NAPI_EXPERIMENTAL",
        "NAPI_CPP_EXCEPTIONS",
        "USE_C10D_GLOO",
        "_GLIBCXX_USE_CXX11_ABI=<!(node scripts/find-libtorch.mjs --abi)"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-frtti", "-Wno-unused-parameter", "-Wno-deprecated-declarations", "<!(node scripts/find-libtorch.mjs --openmp)"],
      "ldflags": ["<!(node scripts/find-libtorch.mjs --openmp)"],
      "libraries": [
        "-L<!(node scripts/find-libtorch.mjs --lib)",
        "-Wl,-rpath,<!(node scripts/find-libtorch.mjs --lib)",
        "-ltorch",
        "-ltorch_cpu",
        "-lc10",
        "-ldl"
      ]
    }
  ]
}
