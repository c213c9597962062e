import type { Metafile } from "esbuild";

export interface FunctionEntry {
  readonly key: string;
  readonly entry?: string;
  readonly generated?: { readonly resolveDir: string; readonly contents: string };
}

export interface BuiltFile {
  readonly name: string;
  readonly path: string;
  readonly bytes: Buffer;
  readonly gzip: number;
  readonly loaded: string;
}

export interface BuildResult {
  readonly built: readonly { readonly key: string; readonly files: readonly BuiltFile[]; readonly zip: Buffer; readonly metafile: Metafile }[];
  readonly metafile: Metafile;
  readonly elapsedMs: number;
}

export function generatedEntry(key: string, options: { registry: string; lambdaModule: string; resolveDir: string }): FunctionEntry;
export function buildFunctions(options: {
  root: string;
  outDir: string;
  registry: string;
  entries: readonly FunctionEntry[];
  conditions?: readonly string[];
  sourceMaps?: boolean;
}): Promise<BuildResult>;
export function sizeReport(result: BuildResult, outDir: string): string[];
