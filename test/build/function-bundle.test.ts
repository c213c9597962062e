/**
 * infra/function-bundle.mjs's cold-start measures, each checked for what it must keep: the
 * bundled code behaves as before, and the cost it avoids is gone from the import.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  compileModuleBodiesEagerly,
  FUNCTION_CHUNKS,
  FUNCTION_PLUGINS,
  FUNCTION_SETTINGS,
  FUNCTION_SOURCE_MAPS,
} from "../../infra/function-bundle.mjs";

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

/** `source`/entry.mjs bundled as a function is, split into chunks in `out`, with `extra` settings; nothing written. */
function bundleWithChunks(source: string, out: string, extra: esbuild.BuildOptions = {}): Promise<esbuild.BuildResult<{ write: false }>> {
  return esbuild.build({
    ...FUNCTION_SETTINGS,
    ...FUNCTION_CHUNKS,
    ...extra,
    entryPoints: { index: join(source, "entry.mjs") },
    outdir: out,
    nodePaths: [join(process.cwd(), "node_modules")],
    plugins: FUNCTION_PLUGINS,
    write: false,
  });
}

let counter = 0;
async function load<T>(code: string): Promise<T> {
  const file = join(dir, `bundle-${counter++}.mjs`);
  await writeFile(file, code);
  return (await import(pathToFileURL(file).href)) as T;
}

/** One file's eager compilation, for output that is a single file. */
function compileOne(code: string): { code: string; rewritten: number } {
  const [file] = compileModuleBodiesEagerly([{ path: "/out/index.mjs", code }]);
  return { code: file!.code, rewritten: file!.rewritten };
}

const COMMONJS_HELPER = "(t,e)=>()=>{try{return e||t((e={exports:{}}).exports,e),e.exports}catch(r){throw e=0,r}};";

describe("compileModuleBodiesEagerly", () => {
  test("turns esbuild's module wrappers into parenthesized functions that run as before", async () => {
    // protobufjs is CommonJS: esbuild wraps each of its modules.
    const code = await bundle(`import protobuf from "protobufjs/minimal.js"; export const bytes = () => protobuf.Writer.create().uint32(300).finish();`);
    const { code: eager, rewritten } = compileOne(code);
    expect(rewritten).toBeGreaterThan(5);
    expect(eager.split("(function(").length - 1).toBeGreaterThanOrEqual(rewritten);
    const { bytes } = await load<{ bytes: () => Uint8Array }>(eager);
    expect([...bytes()]).toEqual([0xac, 0x02]);
  });

  test("leaves a body that reads this or arguments an arrow, and code without wrappers alone", () => {
    const code = `var E=${COMMONJS_HELPER}var a=E((x,m)=>{m.exports=1});var b=E((x,m)=>{m.exports=this});var c=E((x,m)=>{m.exports=()=>arguments});`;
    const { code: eager, rewritten } = compileOne(code);
    expect(rewritten).toBe(1);
    expect(eager).toContain("var a=E((function(x,m){m.exports=1}));");
    expect(eager).toContain("var b=E((x,m)=>{m.exports=this});");
    expect(compileOne("export const x = 1;")).toEqual({ code: "export const x = 1;", rewritten: 0 });
  });

  test("finds the helpers a chunk imports from the chunk that defines them, under any name", () => {
    const files = [
      { path: "/out/chunk-A.mjs", code: `var $e=${COMMONJS_HELPER}var u=$e((x,m)=>{m.exports=1});export{$e as a,u as b};` },
      { path: "/out/fn/lazy.mjs", code: `import{a as q,b as z}from"../chunk-A.mjs";var v=q((x,m)=>{m.exports=z()});export{v as c};` },
      // Imports another export of the chunk under the helper's local name: not a helper.
      { path: "/out/other.mjs", code: `import{b as $e}from"./chunk-A.mjs";var w=$e((x,m)=>{m.exports=2});export{w};` },
    ];
    const [chunk, lazy, other] = compileModuleBodiesEagerly(files);
    expect(chunk).toMatchObject({ path: "/out/chunk-A.mjs", rewritten: 1 });
    expect(lazy).toMatchObject({ path: "/out/fn/lazy.mjs", rewritten: 1 });
    expect(lazy!.code).toContain("var v=q((function(x,m){m.exports=z()}));");
    expect(other).toEqual({ ...files[2], rewritten: 0 });
  });

  test("compiles eagerly the bodies of a code-split build, whose helpers esbuild moves into a shared chunk, which then runs as before", async () => {
    const source = join(dir, "split-source");
    const out = join(dir, "split-out");
    await mkdir(source, { recursive: true });
    await writeFile(join(source, "entry.mjs"), `import protobuf from "protobufjs/minimal.js";
      export const bytes = () => protobuf.Writer.create().uint32(300).finish();
      export const lazy = () => import("./lazy.mjs").then((m) => m.twice(21));`);
    // A CommonJS module only the lazy chunk uses: its wrapper call is there.
    await writeFile(join(source, "double.cjs"), "module.exports = { twice: (n) => 2 * n };");
    await writeFile(join(source, "lazy.mjs"), `export { twice } from "./double.cjs";`);
    const result = await bundleWithChunks(source, out);
    const compiled = compileModuleBodiesEagerly(result.outputFiles.map((file) => ({ path: file.path, code: file.text })));
    expect(compiled.map(({ path }) => path.slice(out.length + 1)).every((name) => name.endsWith(".mjs"))).toBe(true);
    const lazyChunk = compiled.find(({ path }) => /[\\/]lazy-\w+\.mjs$/.test(path));
    expect(lazyChunk?.code).toContain("2*");
    // The chunk defines no helper of its own: it imports esbuild's.
    expect(lazyChunk!.code).not.toContain("{exports:{}}");
    expect(lazyChunk!.rewritten).toBeGreaterThan(0);
    await mkdir(out, { recursive: true });
    for (const { path, code } of compiled) await writeFile(path, code);
    const { bytes, lazy } = (await import(pathToFileURL(join(out, "index.mjs")).href)) as { bytes: () => Uint8Array; lazy: () => Promise<number> };
    expect([...bytes()]).toEqual([0xac, 0x02]);
    await expect(lazy()).resolves.toBe(42);
  });
});

describe("source maps", () => {
  test("are carried through the rewrite: a stack read with --enable-source-maps names the source's line and column, in a wrapped module and beside it", async () => {
    const source = join(dir, "maps-source");
    const out = join(dir, "maps-out");
    await mkdir(source, { recursive: true });
    // Every module body esbuild wraps (this CommonJS one) is rewritten, which moves what follows it on the line.
    await writeFile(join(source, "thrower.cjs"), 'module.exports = {\n  fail() {\n    throw new Error("from the wrapped module");\n  },\n};\n');
    await writeFile(join(source, "lazy.mjs"), 'export function fail() {\n  return null.field; // line 2\n}\n');
    await writeFile(
      join(source, "entry.mjs"),
      'import protobuf from "protobufjs/minimal.js";\nimport thrower from "./thrower.cjs";\nexport const writer = () => protobuf.Writer.create();\n' +
        'export const wrapped = () => thrower.fail();\nexport const lazy = () => import("./lazy.mjs").then((m) => m.fail());\n',
    );
    const result = await bundleWithChunks(source, out, FUNCTION_SOURCE_MAPS);
    const maps = new Map(result.outputFiles.filter((file) => file.path.endsWith(".map")).map((file) => [file.path, file.text]));
    const code = result.outputFiles.filter((file) => !maps.has(file.path));
    const compiled = compileModuleBodiesEagerly(code.map((file) => ({ path: file.path, code: file.text, map: maps.get(`${file.path}.map`) })));
    expect(compiled.reduce((sum, file) => sum + file.rewritten, 0)).toBeGreaterThan(5);
    await mkdir(out, { recursive: true });
    for (const file of compiled) {
      expect(file.map, file.path).toBeDefined();
      await writeFile(file.path, file.code);
      await writeFile(`${file.path}.map`, file.map!);
    }
    const stack = (call: string, flags: string[]) =>
      execFileSync(
        process.execPath,
        [...flags, "--input-type=module", "-e", `const m = await import(${JSON.stringify(pathToFileURL(join(out, "index.mjs")).href)}); try { await m.${call}(); } catch (e) { console.log(e.stack); }`],
        { encoding: "utf8" },
      );
    expect(stack("wrapped", ["--enable-source-maps"])).toMatch(/at Object\.fail \(.*maps-source[\\/]thrower\.cjs:3:11\)/);
    // Node keeps the minified function name: the map places the frame, not the name.
    expect(stack("lazy", ["--enable-source-maps"])).toMatch(/at \S+ \(.*maps-source[\\/]lazy\.mjs:2:15\)/);
    // Without the flag, Node reads no map: the frames are the bundle's.
    expect(stack("wrapped", [])).toMatch(/index\.mjs:\d+:\d+\)/);
  });

  test("a file whose modules need no rewrite keeps esbuild's map, linked", () => {
    const map = JSON.stringify({ version: 3, sources: ["a.ts"], names: [], mappings: "AAAA" });
    const [file] = compileModuleBodiesEagerly([{ path: "/out/a-X.mjs", code: "export const x = 1;\n", map }]);
    expect(file!.code).toBe("export const x = 1;\n//# sourceMappingURL=a-X.mjs.map\n");
    expect(JSON.parse(file!.map!)).toMatchObject({ version: 3, file: "a-X.mjs", sources: ["a.ts"], mappings: "AAAA" });
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
