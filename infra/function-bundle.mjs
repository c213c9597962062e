// How every Lambda function is bundled: infra/build.mjs builds the deployed functions with these
// settings, and the bench builds its floor and codec variants with them too, so that what it
// measures weighs, loads and runs like a deployed function.
import { createRequire } from "node:module";

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

/** Points every import of `specifier` (exactly) at one file. */
export function pinModule(specifier, path) {
  return {
    name: `pin-${path}`,
    setup(build) {
      build.onResolve({ filter: specifier }, () => ({ path }));
    },
  };
}

/**
 * `long` ships an ES module for `import` (our code) and a UMD file for `require` (protobufjs):
 * bundled as is, both copies land in every bundle. The UMD file serves both kinds of import.
 */
export const oneCopyOfLong = pinModule(/^long$/, createRequire(import.meta.url).resolve("long"));
