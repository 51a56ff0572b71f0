// The CPU kind and OpenBLAS core lithe reads off /proc/cpuinfo flags (AVX-512, AVX2-only, neither), and
// `lithe doctor --json` reporting this machine's kind as its own flags give it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { cpuKindOf, openblasCoreFor, readCpuFlags } from "../../src/engine/blas-env.js";
import { lithe } from "../cli/run-cli.js";

const zen4 = new Set(["sse2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"]);
const haswell = new Set(["sse2", "avx", "avx2", "fma"]);
const sandybridge = new Set(["sse2", "avx"]);

it("names the CPU kind and OpenBLAS core from the flags", () => {
  assert.deepEqual(
    [zen4, haswell, sandybridge].map((f) => [cpuKindOf(f), openblasCoreFor(f)]),
    [
      ["AVX-512", "SkylakeX"],
      ["AVX2", "Haswell"],
      ["no AVX2", null],
    ],
  );
});

it("lithe doctor --json reports this machine's kind from /proc/cpuinfo", () => {
  const flags = readCpuFlags();
  assert.ok(flags.size > 0, "no flags read from /proc/cpuinfo");
  const line =
    readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("flags")) ?? "";
  const expected = / avx512f( |$)/.test(line) ? "AVX-512" : / avx2( |$)/.test(line) ? "AVX2" : "no AVX2";
  const r = lithe(["doctor", "--json", "--gemm-size", "64"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { cpuKind: string }).cpuKind, expected);
});
