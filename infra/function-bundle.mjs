// How every Lambda function is bundled: infra/build.mjs builds the deployed functions with these
// settings, and the bench builds its floor and codec variants with them too, so that what it
// measures weighs, loads and runs like a deployed function. Besides esbuild's settings, three
// plugins and a rewrite of the output cut the cold start (measured in BENCHMARKS.md); each one
// fails the build, rather than silently doing nothing, when the code it expects has changed.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import remapping from "@jridgewell/remapping";
import * as acorn from "acorn";
import MagicString from "magic-string";

const require = createRequire(import.meta.url);

export const FUNCTION_SETTINGS = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  // ESM builds of dependencies first: they tree-shake, CommonJS does not.
  mainFields: ["module", "main"],
  minify: true,
  // The nodejs22.x runtime ships AWS SDK v3; bundling it would only add weight.
  external: ["@aws-sdk/*"],
  // A bundled CommonJS module's require() of a Node built-in stays a runtime require(), which an
  // ES module lacks; esbuild's shim for it throws unless `require` exists. Cheap insurance.
  banner: { js: 'import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);' },
  logLevel: "warning",
};

/**
 * Source maps as the functions ship them: a .map beside each file, linked from it once the
 * output is rewritten (compileModuleBodiesEagerly), without the sources' text: a stack trace
 * needs only positions and names. Node reads them with --enable-source-maps alone.
 */
export const FUNCTION_SOURCE_MAPS = { sourcemap: "external", sourcesContent: false };

/** Points every import of `specifier` (exactly) at one file. */
export function pinModule(specifier, path) {
  return {
    name: `pin-${path}`,
    setup(build) {
      build.onResolve({ filter: specifier }, () => ({ path }));
    },
  };
}

const LONG_UMD = require.resolve("long");

/**
 * `long` ships an ES module for `import` (our code) and a UMD file for `require` (protobufjs):
 * bundled as is, both copies land in every bundle. The UMD file serves both kinds of import.
 */
const oneCopyOfLong = pinModule(/^long$/, LONG_UMD);

/**
 * long instantiates a WebAssembly module as it loads (about 1 ms of a cold start), for mul, div and
 * rem alone, which only 64-bit integers in JSON need: it is instantiated on their first call.
 */
const lazyLongWasm = {
  name: "lazy-long-wasm",
  setup(build) {
    build.onLoad({ filter: /[\\/]long[\\/]umd[\\/]index\.js$/ }, ({ path }) => {
      if (path !== LONG_UMD) return undefined;
      let source = readFileSync(path, "utf8");
      const edits = [
        ["var wasm = null;\n    try {", "var wasm = null, wasmTried = false;\n    function loadWasm() {\n    wasmTried = true;\n    try {"],
        ["    } catch {\n      // no wasm support :(\n    }", "    } catch {\n      // no wasm support :(\n    }\n    return wasm;\n    }"],
        ["if (wasm) {", "if (wasmTried ? wasm : loadWasm()) {"],
      ];
      for (const [from, to] of edits) {
        if (!source.includes(from)) throw new Error(`lazy-long-wasm: long's source has changed (no ${JSON.stringify(from)})`);
        source = source.replaceAll(from, to);
      }
      return { contents: source, loader: "js" };
    });
  },
};

/**
 * @middy/core imports node:stream, node:stream/promises and node:stream/web for streamed responses
 * alone (streamifyResponse, which no function uses) and node:timers for setTimeout: loading them
 * costs 1 to 3 ms of a cold start. Its imports of them get stand-ins that load the built-in on
 * first use (process.getBuiltinModule, Node >= 20.16).
 */
const lazyMiddyBuiltins = {
  name: "lazy-middy-builtins",
  setup(build) {
    const standIns = {
      "node:stream": 'export const Readable = { from: (...a) => process.getBuiltinModule("node:stream").Readable.from(...a) };',
      "node:stream/promises": 'export const pipeline = (...a) => process.getBuiltinModule("node:stream/promises").pipeline(...a);',
      "node:stream/web":
        'export class ReadableStream { static [Symbol.hasInstance](x) { return x instanceof process.getBuiltinModule("node:stream/web").ReadableStream; } }',
      "node:timers": "export const setTimeout = globalThis.setTimeout;",
    };
    build.onResolve({ filter: /^node:(stream(\/promises|\/web)?|timers)$/ }, ({ path, importer }) =>
      /[\\/]@middy[\\/]core[\\/]/.test(importer) ? { path, namespace: "lazy-middy-builtin" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "lazy-middy-builtin" }, ({ path }) => ({ contents: standIns[path], loader: "js" }));
  },
};

export const FUNCTION_PLUGINS = [oneCopyOfLong, lazyLongWasm, lazyMiddyBuiltins];

/**
 * How the deployed functions are laid out: code imported with a literal import() (each
 * connector, the HTTP adapter) becomes a chunk of its own, loaded on first use, and the modules a
 * chunk shares with the entry land in shared chunks. Every file ends in .mjs: Lambda starts Node
 * with --no-experimental-detect-module, so a .js file would be read as CommonJS.
 */
export const FUNCTION_CHUNKS = {
  splitting: true,
  outExtension: { ".js": ".mjs" },
  chunkNames: "[name]-[hash]",
};

/**
 * The output files that load with `output` (itself included): its static imports, transitively,
 * from an esbuild metafile's outputs (paths as the metafile writes them). What a function loads
 * at start is this of its entry; what a chunk adds on first use is this of the chunk, minus that.
 */
export function loadedWith(outputs, output) {
  const loaded = new Set();
  const visit = (path) => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const { path: imported, kind, external } of outputs[path]?.imports ?? []) {
      if (kind === "import-statement" && !external) visit(imported);
    }
  };
  visit(output);
  return loaded;
}

// esbuild's module helpers, as it minifies them:
const HELPER_DEFINITIONS = [
  // __commonJS: (cb, mod) => () => { try { return mod || cb((mod = { exports: {} }).exports, mod), ... } }
  /var ([\w$]+)=\([\w$]+,[\w$]+\)=>\(\)=>\{try\{return [\w$]+\|\|[\w$]+\(\([\w$]+=\{exports:\{\}\}\)/g,
  // __esm: (fn, res, err) => () => { if (err) throw ... }
  /var ([\w$]+)=\([\w$]+,[\w$]+,[\w$]+\)=>\(\)=>\{if\([\w$]+\)throw/g,
];

/**
 * esbuild wraps each CommonJS module (protobufjs, long) and each lazily initialized ES module in an
 * arrow function it hands to its __commonJS or __esm helper. V8 pre-parses such a function when it
 * compiles the bundle, then parses it again when it runs, at import; a parenthesized function
 * expression it compiles at once (its PIFE heuristic), so each module body is parsed once: 3 to 4
 * ms of a cold start.
 *
 * `files` are the output files of one build, `{ path, code, map? }`: with code splitting the helpers
 * are defined in one shared chunk and imported (under other names) by the files that wrap modules,
 * so each file's calls are found through its imports. Returns each file's code and how many bodies
 * were rewritten in it; a file given esbuild's source map (FUNCTION_SOURCE_MAPS) gets that map
 * carried through the rewrite, and its code links it as `<file>.map`.
 */
export function compileModuleBodiesEagerly(files) {
  const parsed = files.map(({ path, code, map }) => ({ path, code, map, ast: acorn.parse(code, { ecmaVersion: "latest", sourceType: "module" }) }));
  // The helpers each file defines, and the names it exports them under.
  const exported = new Map();
  const defined = new Map();
  for (const { path, code, ast } of parsed) {
    const own = new Set(HELPER_DEFINITIONS.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1])));
    defined.set(path, own);
    const names = new Set();
    for (const node of ast.body) {
      if (node.type !== "ExportNamedDeclaration" || node.source) continue;
      for (const specifier of node.specifiers) if (own.has(specifier.local.name)) names.add(specifier.exported.name);
    }
    exported.set(path, names);
  }
  return parsed.map(({ path, code, map, ast }) => {
    const helpers = new Set(defined.get(path));
    for (const node of ast.body) {
      if (node.type !== "ImportDeclaration" || !node.source.value.startsWith(".")) continue;
      const from = exported.get(join(dirname(path), node.source.value));
      for (const specifier of node.specifiers) {
        if (specifier.type === "ImportSpecifier" && from?.has(specifier.imported.name)) helpers.add(specifier.local.name);
      }
    }
    const { out, rewritten } = rewriteModuleBodies(code, ast, helpers);
    if (map === undefined) return { path, code: out.toString(), rewritten };
    const name = basename(path);
    // The rewrite's map (output -> esbuild's output) traced on through esbuild's (-> the sources).
    const composed = remapping([out.generateMap({ hires: "boundary", file: name, source: name }).toString(), map], () => null);
    return { path, code: `${out.toString()}//# sourceMappingURL=${name}.map\n`, map: composed.toString(), rewritten };
  });
}

function rewriteModuleBodies(code, ast, helpers) {
  const out = new MagicString(code);
  if (helpers.size === 0) return { out, rewritten: 0 };
  let rewritten = 0;
  const visit = (node) => {
    if (node.type === "CallExpression" && node.callee.type === "Identifier" && helpers.has(node.callee.name) && node.arguments.length === 1) {
      const body = node.arguments[0];
      // Called without a receiver, a function expression that reads neither `this` nor `arguments`
      // behaves as the arrow did.
      if (body.type === "ArrowFunctionExpression" && body.body.type === "BlockStatement" && !body.async && !readsThisOrArguments(body.body)) {
        out.overwrite(body.start, body.body.start, `(function(${body.params.map((p) => code.slice(p.start, p.end)).join(",")})`);
        out.appendLeft(body.end, ")");
        rewritten++;
      }
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) for (const child of value) child && typeof child.type === "string" && visit(child);
      else if (value && typeof value.type === "string") visit(value);
    }
  };
  visit(ast);
  return { out, rewritten };
}

/** Whether code reads the `this` or `arguments` of its function (nested arrows share them). */
function readsThisOrArguments(node) {
  if (node.type === "ThisExpression" || (node.type === "Identifier" && node.name === "arguments")) return true;
  if (node.type === "FunctionExpression" || node.type === "FunctionDeclaration") return false;
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const child of value) if (child && typeof child.type === "string" && readsThisOrArguments(child)) return true;
    } else if (value && typeof value.type === "string" && readsThisOrArguments(value)) return true;
  }
  return false;
}
