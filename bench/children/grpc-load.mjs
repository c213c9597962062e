// Load generator for the gRPC front: one HTTP/2 connection, `concurrency` unary calls in flight
// (HTTP/2 streams), a fixed number of calls after a warm-up, each call's latency recorded, and
// the CPU time this process spent on them. Every call carries a 10 s deadline, as FlytePropeller's
// connector plugin sets one.
// Requests go out pre-encoded and responses stay undecoded, so this process spends its CPU on
// the HTTP/2 and gRPC framing only, not on the codec under test. Two clients:
//   http2    node:http2 speaking the gRPC wire protocol itself: headers, one length-prefixed
//            message, and the response checked for :status 200, one whole message and
//            grpc-status 0. What a grpc-go client (FlytePropeller) sends, at about a quarter of
//            grpc-js's CPU per call, which matters when both processes share two cores.
//   grpc-js  @grpc/grpc-js's Client, as a Node caller would dial the front, Node as it is.
//   node grpc-load.mjs <client> <host:port> <method path> <request base64> <concurrency> <count> <warm-up count>
import { AsyncResource } from "node:async_hooks";
import { writeSync } from "node:fs";
import { connect as connectHttp2, constants } from "node:http2";
import { connect as connectTcp } from "node:net";

const DEADLINE_MS = 10_000;

const [clientName, address, path, requestBase64, ...numbers] = process.argv.slice(2);
const [concurrency, count, warmup] = numbers.map(Number);
const request = Buffer.from(requestBase64, "base64");

const clients = { http2: http2Client, "grpc-js": grpcJsClient };
if (!Object.hasOwn(clients, clientName)) throw new Error(`unknown client ${clientName}: ${Object.keys(clients).join(" or ")}`);
const client = await clients[clientName]();
await run(warmup);
const measured = await run(count);
client.close();
writeSync(3, JSON.stringify(measured));
process.exit(0);

/**
 * A client is `{ call(): Promise<string | undefined>, close() }`: `call` makes one unary call
 * and resolves with what went wrong, if anything.
 */
async function http2Client() {
  leanAsyncResourceBind();
  const { hostname, port } = new URL(`http://${address}`);
  // As grpc-js and grpc-go do: no Nagle delay on small frames.
  const session = connectHttp2(`http://${address}`, {
    createConnection: () => connectTcp({ host: hostname.replace(/^\[|\]$/g, ""), port: Number(port), noDelay: true }),
  });
  session.on("error", (error) => {
    throw error;
  });
  await new Promise((resolve) => session.once("connect", resolve));

  const framed = Buffer.alloc(5 + request.length);
  framed.writeUInt32BE(request.length, 1);
  request.copy(framed, 5);
  const headers = {
    [constants.HTTP2_HEADER_METHOD]: "POST",
    [constants.HTTP2_HEADER_PATH]: path,
    [constants.HTTP2_HEADER_CONTENT_TYPE]: "application/grpc",
    [constants.HTTP2_HEADER_TE]: "trailers",
    "grpc-timeout": `${DEADLINE_MS}m`,
  };
  const call = () =>
    new Promise((resolve) => {
      const stream = session.request(headers);
      let httpStatus;
      let grpcStatus;
      let grpcMessage;
      let prefix = Buffer.alloc(0);
      let received = 0;
      const readStatus = (fields) => {
        if (fields["grpc-status"] === undefined) return;
        grpcStatus = fields["grpc-status"];
        grpcMessage = fields["grpc-message"];
      };
      stream.on("response", (fields) => {
        httpStatus = fields[constants.HTTP2_HEADER_STATUS];
        readStatus(fields); // a trailers-only answer (an error) has its status here
      });
      stream.on("trailers", readStatus);
      stream.on("data", (chunk) => {
        // Only the 5-byte prefix is kept: compressed flag 0, then the message's length.
        if (prefix.length < 5) prefix = (prefix.length === 0 ? chunk : Buffer.concat([prefix, chunk])).subarray(0, 5);
        received += chunk.length;
      });
      stream.on("error", () => undefined); // the close handler reports it by its RST code
      stream.on("close", () => {
        if (stream.rstCode !== constants.NGHTTP2_NO_ERROR) resolve(`stream reset with code ${stream.rstCode}`);
        else if (httpStatus !== 200) resolve(`HTTP status ${httpStatus}`);
        else if (grpcStatus !== "0") resolve(`${grpcStatus} ${decodeURIComponent(grpcMessage ?? "")}`);
        else if (prefix.length < 5 || prefix[0] !== 0 || prefix.readUInt32BE(1) + 5 !== received) resolve(`answer of ${received} bytes is not one message`);
        else resolve(undefined);
      });
      stream.end(framed);
    });
  return { call, close: () => session.close() };
}

/**
 * Node 20's http2 request() binds a callback with AsyncResource#bind on every stream, and that
 * bind defines the deprecated `asyncResource` accessors (DEP0172) on each bound function: new
 * hidden classes per call, which V8 keeps in old space. That cost this process about 20 µs a call
 * and a 10 to 20 ms mark-compact every half second, each one stalling all 64 calls in flight,
 * enough to set the p99. The same binding without the deprecated property; nothing in this
 * process reads it, and the bytes on the wire do not change.
 */
function leanAsyncResourceBind() {
  AsyncResource.prototype.bind = function bind(fn, thisArg) {
    const resource = this;
    return thisArg === undefined
      ? function bound(...args) {
          return resource.runInAsyncScope(fn, this, ...args);
        }
      : (...args) => resource.runInAsyncScope(fn, thisArg, ...args);
  };
}

async function grpcJsClient() {
  // Loaded only for this client: the http2 client's process stays free of it.
  const { Client, credentials } = await import("@grpc/grpc-js");
  const grpcJs = new Client(address, credentials.createInsecure());
  await new Promise((resolve, reject) => grpcJs.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())));
  const identity = (bytes) => bytes;
  const call = () =>
    new Promise((resolve) => {
      grpcJs.makeUnaryRequest(path, identity, identity, request, { deadline: Date.now() + DEADLINE_MS }, (error) =>
        resolve(error ? `${error.code} ${error.details}` : undefined),
      );
    });
  return { call, close: () => grpcJs.close() };
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
      const error = await client.call();
      latencies[done++] = performance.now() - started;
      if (error !== undefined) {
        errors += 1;
        firstError ??= error;
      }
    }
  };
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const { user, system } = process.cpuUsage(cpu);
  return { elapsedMs: performance.now() - started, cpuUs: user + system, latencies: Array.from(latencies), errors, firstError };
}
