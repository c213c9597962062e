/**
 * infra/function-bundle.mjs's cold-start measures, each checked for what it must keep: the
 * bundled code behaves as before, and the cost it avoids is gone from the import.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { compileModuleBodiesEagerly, FUNCTION_PLUGINS, FUNCTION_SETTINGS } from "../../infra/function-bundle.mjs";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "function-bundle-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `source` bundled as a function is, from the project root (so its packages resolve). */
async function bundle(source: string): Promise<string> {
  const result = await esbuild.build({
    ...FUNCTION_SETTINGS,
    stdin: { contents: source, resolveDir: process.cwd(), loader: "js" },
    plugins: FUNCTION_PLUGINS,
    write: false,
  });
  return result.outputFiles[0]!.text;
}

let counter = 0;
async function load<T>(code: string): Promise<T> {
  const file = join(dir, `bundle-${counter++}.mjs`);
  await writeFile(file, code);
  return (await import(pathToFileURL(file).href)) as T;
}

describe("compileModuleBodiesEagerly", () => {
  test("turns esbuild's module wrappers into parenthesized functions that run as before", async () => {
    // protobufjs is CommonJS: esbuild wraps each of its modules.
    const code = await bundle(`import protobuf from "protobufjs/minimal.js"; export const bytes = () => protobuf.Writer.create().uint32(300).finish();`);
    const { code: eager, rewritten } = compileModuleBodiesEagerly(code);
    expect(rewritten).toBeGreaterThan(5);
    expect(eager.split("(function(").length - 1).toBeGreaterThanOrEqual(rewritten);
    const { bytes } = await load<{ bytes: () => Uint8Array }>(eager);
    expect([...bytes()]).toEqual([0xac, 0x02]);
  });

  test("leaves a body that reads this or arguments an arrow, and code without wrappers alone", () => {
    const wrapper = "var E=(t,e)=>()=>{try{return e||t((e={exports:{}}).exports,e),e.exports}catch(r){throw e=0,r}};";
    const code = `${wrapper}var a=E((x,m)=>{m.exports=1});var b=E((x,m)=>{m.exports=this});var c=E((x,m)=>{m.exports=()=>arguments});`;
    const { code: eager, rewritten } = compileModuleBodiesEagerly(code);
    expect(rewritten).toBe(1);
    expect(eager).toContain("var a=E((function(x,m){m.exports=1}));");
    expect(eager).toContain("var b=E((x,m)=>{m.exports=this});");
    expect(compileModuleBodiesEagerly("export const x = 1;")).toEqual({ code: "export const x = 1;", rewritten: 0 });
  });
});

describe("long", () => {
  test("instantiates its WebAssembly on the first multiplication, not at import, and computes the same", async () => {
    const code = await bundle(`import Long from "long"; export const product = (a, b) => Long.fromString(a).mul(Long.fromString(b)).toString();`);
    // The project's lib has no WebAssembly types (ES2022, no DOM).
    const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (...args: unknown[]) => object } }).WebAssembly;
    const instances: unknown[] = [];
    const { Instance } = wasm;
    wasm.Instance = new Proxy(Instance, {
      construct(target, args: unknown[]) {
        instances.push(args[0]);
        return new target(...args);
      },
    });
    try {
      const { product } = await load<{ product: (a: string, b: string) => string }>(code);
      expect(instances).toHaveLength(0);
      expect(product("123456789012", "9876543")).toBe((123456789012n * 9876543n).toString());
      expect(instances).toHaveLength(1);
      expect(product("-9223372036854775807", "1")).toBe("-9223372036854775807");
      expect(instances).toHaveLength(1);
    } finally {
      wasm.Instance = Instance;
    }
  });
});

describe("@middy/core", () => {
  test("imports no stream or timers module: the ones only streamed responses use load on first use", async () => {
    const code = await bundle(`export { default } from "@middy/core";`);
    expect(code).not.toMatch(/from\s*"node:(stream|stream\/promises|stream\/web|timers)"/);
    const { default: middy } = await load<{ default: (handler: () => unknown) => (event: unknown, context: object) => Promise<unknown> }>(code);
    await expect(middy(() => "answer")({}, {})).resolves.toBe("answer");
  });
});
