export type RuntimeNode =
  | { readonly lambdaRuntime: string; readonly execPath: string; readonly version: string }
  | { readonly lambdaRuntime: string; readonly unavailable: string };

export function lambdaRuntimeNode(log?: (line: string) => void): RuntimeNode | undefined;
