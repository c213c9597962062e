// Load generator for the gRPC front: one channel, `concurrency` calls in flight (HTTP/2
// streams), a fixed number of unary calls after a warm-up, each call's latency recorded, and
// the CPU time this process spent on them.
// Requests go out pre-encoded and responses stay undecoded, so this process spends its CPU on
// grpc-js only, not on the codec under test.
//   node grpc-load.mjs <host:port> <method path> <request base64> <concurrency> <count> <warm-up count>
import { writeSync } from "node:fs";
import { Client, credentials } from "@grpc/grpc-js";

const [address, path, requestBase64, ...numbers] = process.argv.slice(2);
const [concurrency, count, warmup] = numbers.map(Number);
const request = Buffer.from(requestBase64, "base64");
const client = new Client(address, credentials.createInsecure());
const identity = (bytes) => bytes;

function call() {
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, identity, identity, request, (error) => resolve(error));
  });
}

/** Runs `total` calls, `concurrency` at a time; latencies in ms, in completion order. */
async function run(total) {
  const latencies = new Float64Array(total);
  let issued = 0;
  let done = 0;
  let errors = 0;
  let firstError;
  const worker = async () => {
    while (issued < total) {
      issued += 1;
      const started = performance.now();
      const error = await call();
      latencies[done++] = performance.now() - started;
      if (error) {
        errors += 1;
        firstError ??= `${error.code} ${error.details}`;
      }
    }
  };
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const { user, system } = process.cpuUsage(cpu);
  return { elapsedMs: performance.now() - started, cpuUs: user + system, latencies: Array.from(latencies), errors, firstError };
}

await new Promise((resolve, reject) => client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())));
await run(warmup);
const measured = await run(count);
client.close();
writeSync(3, JSON.stringify(measured));
process.exit(0);
