/**
 * Where the servers listen by default, and how a listen address is dialled and written in a URL.
 * Kept apart from the servers so that a client or a CLI flag's help text can name the defaults
 * without loading grpc-js or the local stack.
 */

/** The gRPC front's port. */
export const DEFAULT_GRPC_PORT = 8000;

/** The HTTP routes' port when served locally (`serve`, `npm start`). */
export const DEFAULT_HTTP_PORT = 3000;

/** A wildcard listen address is dialled through loopback. */
export function dialableHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "::1";
  return host;
}

/** IPv6 literals take brackets in `host:port`. */
export function hostForUrl(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
