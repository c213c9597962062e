import type { BuildOptions, Plugin } from "esbuild";

export const FUNCTION_SETTINGS: BuildOptions & {
  readonly bundle: true;
  readonly format: "esm";
  readonly platform: "node";
};
export function pinModule(specifier: RegExp, path: string): Plugin;
export const oneCopyOfLong: Plugin;
