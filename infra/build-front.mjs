// Builds the gRPC front for its container image: the CLI (whose `serve` command is the front)
// bundled by esbuild into one ES module that a bare `node` runs, with no node_modules beside it.
//
//   node infra/build-front.mjs [--outdir <dir>]      (default dist/front; npm run build:front)
//
// Output: <outdir>/front.mjs, run as `node front.mjs serve --backend lambda ...` (see Dockerfile).
// Unlike the functions (infra/build.mjs), the AWS SDK is bundled, since no runtime provides it, and
// nothing is minified: the front is long-lived, and its logs' stack traces should read as the source.
// Everything the front runs is in the bundle; a connector module given with --connector is the
// only thing it loads from the filesystem at run time.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as esbuild from "esbuild";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({ options: { outdir: { type: "string" } } });
const outDir = resolve(values.outdir ?? join(root, "dist/front"));
const outfile = join(outDir, "front.mjs");

execFileSync(process.execPath, [join(root, "infra/generate-idl.mjs")], { stdio: "inherit" });

const started = performance.now();
mkdirSync(outDir, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: root,
  stdin: {
    // What bin/flyte-connector.js does, without tsx: the bundle is JavaScript already.
    contents: [
      'import { main } from "./lib/cli/main.ts";',
      // Exit explicitly: the AWS SDK's keep-alive sockets must not hold a finished command open.
      "process.exit(await main(process.argv.slice(2)));",
    ].join("\n"),
    resolveDir: root,
    sourcefile: "front-entry.mjs",
    loader: "js",
  },
  outfile,
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  // ESM builds of dependencies first: they tree-shake, CommonJS does not.
  mainFields: ["module", "main"],
  // tsx (and the esbuild it runs) would load a user's TypeScript module; the image has neither,
  // and loads JavaScript modules as Node does (lib/cli/user-modules.ts).
  external: ["tsx", "tsx/*"],
  // Bundled CommonJS modules require() Node built-ins at run time; an ES module has no require.
  banner: { js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);' },
  legalComments: "none",
  // `--version`: the image holds the bundle alone, with no package.json to read it from.
  define: { __PACKAGE_VERSION__: JSON.stringify(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version) },
  metafile: true,
  logLevel: "warning",
});

const bytes = statSync(outfile).size;
const inputs = Object.keys(result.metafile.inputs);
const packages = new Set(inputs.flatMap((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? []));
console.log(
  `${relative(process.cwd(), outfile) || outfile}: ${bytes.toLocaleString("en-US")} bytes, ${inputs.length} modules from ${packages.size} packages, ` +
    `built in ${Math.round(performance.now() - started)} ms`,
);
