// The CPU kind and OpenBLAS core lithe reads off /proc/cpuinfo flags (AVX-512, AVX2-only, neither), and
// whether it is an x86 CPU without VNNI, and `lithe doctor --json` reporting both as this machine's flags give them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { cpuKindOf, openblasCoreFor, readCpuFlags, x86WithoutVnni } from "../../src/engine/blas-env.js";
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

it("knows an x86 CPU without VNNI (7-bit int8 weights by default there), and not other CPUs", () => {
  assert.deepEqual([zen4, haswell, sandybridge].map(x86WithoutVnni), [true, true, true]);
  assert.equal(x86WithoutVnni(new Set([...zen4, "avx512_vnni"])), false);
  assert.equal(x86WithoutVnni(new Set([...haswell, "avx_vnni"])), false);
  assert.equal(x86WithoutVnni(new Set(["fp", "asimd"])), false, "an ARM CPU");
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
  const report = JSON.parse(r.stdout) as { cpuKind: string; noVnni: boolean };
  assert.equal(report.cpuKind, expected);
  assert.equal(report.noVnni, / sse2( |$)/.test(line) && !/ avx(512)?_vnni( |$)/.test(line));
});
