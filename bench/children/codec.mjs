// Measures one codec bundle, which exports decode(bytes) -> message and encode(message) -> bytes.
//   node codec.mjs <bundle.mjs> <message file> load        time to import it and decode once
//   node codec.mjs <bundle.mjs> <message file> throughput  decodes/s and encodes/s
import { readFileSync, writeSync } from "node:fs";
import { pathToFileURL } from "node:url";

const WARMUP_MS = 300;
const MEASURE_MS = 1000;

const [bundle, messageFile, mode] = process.argv.slice(2);
const bytes = new Uint8Array(readFileSync(messageFile));

const started = performance.now();
const { decode, encode } = await import(pathToFileURL(bundle).href);
const message = decode(bytes);
const loadMs = performance.now() - started;

/** Calls per second of `run`, in batches so the clock is read rarely. */
function rate(run) {
  const batch = 100;
  for (const stop = performance.now() + WARMUP_MS; performance.now() < stop; ) for (let i = 0; i < batch; i++) run();
  let calls = 0;
  const begin = performance.now();
  let now = begin;
  while (now - begin < MEASURE_MS) {
    for (let i = 0; i < batch; i++) run();
    calls += batch;
    now = performance.now();
  }
  return (calls / (now - begin)) * 1000;
}

if (mode === "load") {
  writeSync(3, JSON.stringify({ loadMs }));
} else {
  const reencoded = Buffer.from(encode(message)).toString("base64");
  writeSync(3, JSON.stringify({ reencoded, decodePerSec: rate(() => decode(bytes)), encodePerSec: rate(() => encode(message)) }));
}
process.exit(0);
