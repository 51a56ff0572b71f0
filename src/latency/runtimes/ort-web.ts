// onnxruntime-web (WASM backend) inside headless Chromium, as web users run models. Chromium is
// Debian's /usr/bin/chromium driven by playwright-core, launched with flags that work offline. The
// page, onnxruntime-web's dist files, the model bytes and the input batch come from a small HTTP
// server on 127.0.0.1 (ephemeral port) that this runner owns: nothing touches the network. The server
// sends the cross-origin isolation headers (COOP same-origin, COEP require-corp), which WASM threads
// need (SharedArrayBuffer); if the page still ends up not isolated, one thread is used and `setup`
// says so. Timing happens inside the page (SelfTimedRunner), so the DevTools round trip of each call
// is not counted as inference time. One browser and one server per runner, closed by close().
// onnxruntime-web and playwright-core are optional peer dependencies of lithe: loaded only here, and a
// missing one makes the runtime unavailable with a one-line reason.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { Node, Shape } from "../../arch/plan.js";
import type { SelfTimedRunner } from "../harness.js";
import type { PrepareOptions } from "../types.js";
import { firstLine, inputData, inputDims, type ProbeRunner, type ProbeRuntime } from "./common.js";
import { packageVersion, planOnnx } from "./ort-node.js";

export const CHROMIUM = "/usr/bin/chromium";

/** The optional peer packages this runtime needs. */
export const ORT_WEB_PACKAGES: readonly string[] = ["onnxruntime-web", "playwright-core"];

/** Why `packages` cannot all be loaded from here (the first one missing, and how to install them), or null. */
export function missingPackage(packages: readonly string[] = ORT_WEB_PACKAGES): string | null {
  const require = createRequire(import.meta.url);
  for (const pkg of packages) {
    try {
      require.resolve(pkg);
    } catch {
      return `${pkg} is not installed; npm install ${ORT_WEB_PACKAGES.join(" ")} to use the ort-web runtime`;
    }
  }
  return null;
}

/** Flags for a headless Chromium that needs no network, no GPU and no user profile set-up. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** The page: loads onnxruntime-web's WASM build and exposes a small API as window.lithe. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>lithe ort-web</title>
<script type="module">
import * as ort from "/ort/ort.wasm.min.mjs";
const want = Number(new URLSearchParams(location.search).get("threads")) || 1;
ort.env.wasm.wasmPaths = "/ort/";
ort.env.wasm.proxy = false;
ort.env.wasm.numThreads = self.crossOriginIsolated ? want : 1;
let session, feeds;
const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
const once = async () => {
  const y = (await session.run(feeds)).logits;
  if (!y) throw new Error('the model has no output "logits"');
  return y;
};
window.lithe = {
  async load(dims) {
    const model = await bytes("/model.onnx");
    const input = new Float32Array((await bytes("/input.bin")).buffer);
    session = await ort.InferenceSession.create(model, {
      executionProviders: ["wasm"],
      graphOptimizationLevel: "all",
    });
    feeds = { input: new ort.Tensor("float32", input, dims) };
    return { threads: ort.env.wasm.numThreads, isolated: self.crossOriginIsolated };
  },
  async run() {
    (await once()).dispose();
  },
  async times(warmup, repeats) {
    for (let i = 0; i < warmup; i++) await this.run();
    const out = [];
    for (let i = 0; i < repeats; i++) {
      const start = performance.now();
      await this.run();
      out.push(performance.now() - start);
    }
    return out;
  },
  async output() {
    const y = await once();
    const out = { data: Array.from(y.data), dims: [...y.dims] };
    y.dispose();
    return out;
  },
  async close() {
    await session?.release();
  },
};
</script>
`;

/** The folder holding onnxruntime-web's browser files (ort.wasm.min.mjs, ort-wasm-simd-threaded.*). */
function ortWebDist(): string {
  return dirname(createRequire(import.meta.url).resolve("onnxruntime-web/ort-wasm-simd-threaded.wasm"));
}

const TYPES: Record<string, string> = {
  ".mjs": "text/javascript",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".html": "text/html; charset=utf-8",
};

/** Serves the page, ORT's files, the model and the input on 127.0.0.1 at an ephemeral port. */
async function serve(model: Uint8Array, input: Float32Array): Promise<{ url: string; server: Server }> {
  const dist = ortWebDist();
  const fixed: Record<string, [Uint8Array | string, string]> = {
    "/": [PAGE, TYPES[".html"] as string],
    "/model.onnx": [model, "application/octet-stream"],
    "/input.bin": [
      new Uint8Array(input.buffer, input.byteOffset, input.byteLength),
      "application/octet-stream",
    ],
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    let body: [Uint8Array | string, string] | undefined = fixed[path];
    const file = /^\/ort\/([\w.-]+\.(m?js|wasm))$/.exec(path);
    if (!body && file?.[1] && existsSync(join(dist, file[1]))) {
      body = [readFileSync(join(dist, file[1])), TYPES[`.${file[2]}`] as string];
    }
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      "Content-Type": body[1],
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cross-Origin-Resource-Policy": "same-origin",
      "Cache-Control": "no-store",
    });
    res.end(body[0]);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

let chromiumVersion: Promise<string> | null = null;

export const ortWebRuntime: ProbeRuntime = {
  name: "ort-web",

  async unavailable() {
    if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
    return missingPackage();
  },

  async version() {
    chromiumVersion ??= promisify(execFile)(CHROMIUM, ["--version"]).then(
      (r) => r.stdout.trim().split("\n")[0] ?? "Chromium",
      () => "Chromium (version unknown)",
    );
    return `onnxruntime-web ${packageVersion("onnxruntime-web")} (WASM) in ${await chromiumVersion}`;
  },

  async prepare(plan: Node, input: Shape, o: PrepareOptions): Promise<ProbeRunner & SelfTimedRunner> {
    const reason = await this.unavailable();
    if (reason) throw new Error(reason);
    const dims = inputDims(o.batch, input);
    const { url, server } = await serve(
      await planOnnx(plan, input, o),
      inputData(dims.reduce((a, b) => a * b, 1)),
    );
    const { chromium } = await import("playwright-core");
    let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;
    const closeAll = async () => {
      await browser?.close().catch(() => undefined);
      await new Promise((resolve) => server.close(resolve));
    };
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(firstLine(e)));
      await page.goto(`${url}/?threads=${o.threads}`);
      await page
        .waitForFunction("window.lithe !== undefined", undefined, { timeout: 30_000 })
        .catch((error: unknown) => {
          throw new Error(`the page did not load onnxruntime-web: ${errors[0] ?? firstLine(error)}`);
        });
      const call = async <T>(expr: string): Promise<T> => {
        try {
          return (await page.evaluate(expr)) as T;
        } catch (error) {
          throw new Error(`onnxruntime-web: ${firstLine(error).replace(/^page\.evaluate: (Error: )?/, "")}`);
        }
      };
      const loaded = await call<{ threads: number; isolated: boolean }>(
        `window.lithe.load(${JSON.stringify(dims)})`,
      );
      const setup =
        `${loaded.threads} WASM thread${loaded.threads === 1 ? "" : "s"}` +
        (loaded.isolated ? "" : " (the page is not cross-origin isolated)") +
        `, graph optimisation "all", BN folded${o.int8 ? ", int8 QDQ" : ""}`;
      return {
        setup,
        async run() {
          await call("window.lithe.run()");
        },
        async times(warmup: number, repeats: number) {
          return call<number[]>(`window.lithe.times(${warmup}, ${repeats})`);
        },
        async output() {
          const r = await call<{ data: number[]; dims: number[] }>("window.lithe.output()");
          return { data: Float32Array.from(r.data), dims: r.dims };
        },
        async close() {
          await call("window.lithe.close()").catch(() => undefined);
          await closeAll();
        },
      };
    } catch (error) {
      await closeAll();
      throw error;
    }
  },
};
