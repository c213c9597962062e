import type { BuildOptions, Plugin } from "esbuild";

export const FUNCTION_SETTINGS: BuildOptions & {
  readonly bundle: true;
  readonly format: "esm";
  readonly platform: "node";
};
export const FUNCTION_PLUGINS: Plugin[];
export function pinModule(specifier: RegExp, path: string): Plugin;
export function compileModuleBodiesEagerly(code: string): { code: string; rewritten: number };
