/**
 * node:dns as the tests' `vi.mock("node:dns", …)` gives it to our modules: names of a test domain
 * resolve as an /etc/hosts line would have them, every other name as before. A name a task may
 * use that points where it may not lead, without a DNS server (Node's own connections resolve
 * with its internal resolver, which this does not touch).
 */
import type * as dns from "node:dns";
import { isIP } from "node:net";

export const TEST_NAMES: Readonly<Record<string, string>> = {
  "runtime-api.test": "127.0.0.1",
  "metadata.test": "169.254.169.254",
  // An AAAA answer: the IPv4-mapped metadata address, in the dotted form resolvers write.
  "mapped-metadata.test": "::ffff:169.254.169.254",
};

type Lookup = (hostname: string, options: dns.LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void) => void;

export function withTestNames(real: typeof dns): typeof dns {
  const lookup: Lookup = (hostname, options, callback) => {
    const address = TEST_NAMES[hostname];
    if (address === undefined) return real.lookup(hostname, options, callback);
    const family = isIP(address);
    process.nextTick(() => (options.all ? callback(null, [{ address, family }]) : callback(null, address, family)));
  };
  return { ...real, lookup } as typeof dns;
}
