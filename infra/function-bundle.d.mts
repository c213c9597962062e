import type { BuildOptions, Metafile, Plugin } from "esbuild";

export const FUNCTION_SETTINGS: BuildOptions & {
  readonly bundle: true;
  readonly format: "esm";
  readonly platform: "node";
};
export const FUNCTION_SOURCE_MAPS: BuildOptions & { readonly sourcemap: "external" };
export const FUNCTION_CHUNKS: BuildOptions & { readonly splitting: true };
export const FUNCTION_PLUGINS: Plugin[];
export function pinModule(specifier: RegExp, path: string): Plugin;
export function compileModuleBodiesEagerly(
  files: readonly { readonly path: string; readonly code: string; readonly map?: string }[],
): { path: string; code: string; map?: string; rewritten: number }[];
export function loadedWith(outputs: Metafile["outputs"], output: string): Set<string>;
