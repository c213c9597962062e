/**
 * Where a URL a task names (a webhook's, a file sensor's http path) may not lead: the Lambda
 * Runtime API the function itself is served by (a call there could take the next invocation or
 * answer this one), and the link-local instance metadata addresses (the role's credentials).
 * Hosts are compared as the URL parser wrote them, so `0x7f.1` is 127.0.0.1 and an IPv4-mapped
 * IPv6 address is its IPv4 one; a DNS name is checked again by the addresses it resolves to, as
 * the connection is made (forbiddenAddressGuard), so a name that points there is refused too.
 */
import { lookup } from "node:dns";
import type { LookupFunction } from "node:net";

export function forbiddenHost(url: URL, env: NodeJS.ProcessEnv = process.env): boolean {
  return forbiddenAt(url.hostname.replace(/^\[|\]$/g, ""), port(url), env);
}

/** A connection refused because its name resolved to an address forbiddenHost refuses. */
export class ForbiddenAddressError extends Error {
  readonly code = "ERR_FORBIDDEN_ADDRESS";
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(`${hostname} is ${address}`);
    this.name = "ForbiddenAddressError";
  }
}

/**
 * The DNS lookup for a request to `url` (node:http's `lookup` option): dns.lookup's answer, or a
 * ForbiddenAddressError when any address it gives is one `url`'s port may not reach.
 */
export function forbiddenAddressGuard(url: URL, env: NodeJS.ProcessEnv = process.env): LookupFunction {
  const callPort = port(url);
  return (hostname, options, callback) => {
    lookup(hostname, options, (error, address, family) => {
      const addresses = error ? [] : typeof address === "string" ? [address] : address.map((entry) => entry.address);
      const forbidden = addresses.find((ip) => forbiddenAt(ip, callPort, env));
      callback(forbidden === undefined ? error : new ForbiddenAddressError(hostname, forbidden), address, family);
    });
  };
}

/** Whether `hostname` (an address or a name, without brackets) on `callPort` is where a task may not lead. */
function forbiddenAt(hostname: string, callPort: string, env: NodeJS.ProcessEnv): boolean {
  const host = ipv4Mapped(hostname.replace(/\.$/, "").toLowerCase());
  if (/^169\.254\./.test(host) || /^fe[89ab][0-9a-f]:/.test(host) || host === "fd00:ec2::254") return true;
  const runtimeApi = env["AWS_LAMBDA_RUNTIME_API"];
  if (!runtimeApi || !URL.canParse(`http://${runtimeApi}`)) return false;
  const runtime = new URL(`http://${runtimeApi}`);
  // The Runtime API listens on loopback: any loopback name reaches it on its port.
  return callPort === port(runtime) && (host === runtime.hostname || isLoopback(host));
}

function port(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : "80");
}

function isLoopback(host: string): boolean {
  return /^127\./.test(host) || host === "localhost" || host.endsWith(".localhost") || ["0.0.0.0", "::1", "::"].includes(host);
}

/**
 * `::ffff:a9fe:a9fe` (how the URL parser writes `::ffff:169.254.169.254`) as `169.254.169.254`;
 * also the dotted form a resolver may answer.
 */
function ipv4Mapped(host: string): string {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (dotted) return dotted[1]!;
  const match = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (!match) return host;
  const [high, low] = [parseInt(match[1]!, 16), parseInt(match[2]!, 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}
