/**
 * Where a URL a task names (a webhook's, a file sensor's http path) may not lead: the Lambda
 * Runtime API the function itself is served by (a call there could take the next invocation or
 * answer this one), and the link-local instance metadata addresses (the role's credentials).
 * Hosts are compared as the URL parser wrote them, so `0x7f.1` is 127.0.0.1 and an IPv4-mapped
 * IPv6 address is its IPv4 one. Names are not resolved: a DNS name that points there passes.
 */

export function forbiddenHost(url: URL, env: NodeJS.ProcessEnv = process.env): boolean {
  const host = ipv4Mapped(url.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase());
  if (/^169\.254\./.test(host) || /^fe[89ab][0-9a-f]:/.test(host) || host === "fd00:ec2::254") return true;
  const runtimeApi = env["AWS_LAMBDA_RUNTIME_API"];
  if (!runtimeApi || !URL.canParse(`http://${runtimeApi}`)) return false;
  const runtime = new URL(`http://${runtimeApi}`);
  // The Runtime API listens on loopback: any loopback name reaches it on its port.
  return port(url) === port(runtime) && (host === runtime.hostname || isLoopback(host));
}

function port(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : "80");
}

function isLoopback(host: string): boolean {
  return /^127\./.test(host) || host === "localhost" || host.endsWith(".localhost") || ["0.0.0.0", "::1", "::"].includes(host);
}

/** `::ffff:a9fe:a9fe` (how the URL parser writes `::ffff:169.254.169.254`) as `169.254.169.254`. */
function ipv4Mapped(host: string): string {
  const match = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (!match) return host;
  const [high, low] = [parseInt(match[1]!, 16), parseInt(match[2]!, 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}
