/** The connectors' HTTP exchange on node:http, against a loopback server. */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exchange, ResponseTooLargeError } from "../../lib/connector/http-exchange.js";

let server: Server;
let base: string;
const seen: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];
/** Settles when the connection of the last /endless answer closes. */
let endlessClosed: Promise<unknown> = Promise.resolve();

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      seen.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      if (request.url === "/big") return response.end("x".repeat(2048));
      if (request.url === "/endless") {
        // A body that never ends: written as fast as the client reads it, until the connection closes.
        response.writeHead(200, { "content-type": "application/json" });
        const chunk = Buffer.alloc(64 * 1024, "x");
        let open = true;
        endlessClosed = once(response, "close").then(() => {
          open = false;
        });
        const pump = () => {
          while (open && response.write(chunk));
        };
        response.on("drain", pump);
        return pump();
      }
      if (request.url === "/missing") {
        response.writeHead(404, { "content-type": "application/json" });
        return response.end(JSON.stringify({ message: "no such thing" }));
      }
      if (request.url === "/latin1") {
        response.writeHead(200, { "content-type": 'text/plain; charset="ISO-8859-1"' });
        return response.end(Buffer.from([0x63, 0x61, 0x66, 0xe9])); // "café"
      }
      const compressed = /^\/(gzip|deflate|raw-deflate|br)$/.exec(request.url ?? "")?.[1];
      if (compressed) {
        const text = Buffer.from(request.url === "/gzip" ? "z".repeat(4096) : "zipped é");
        const body = { gzip: gzipSync, deflate: deflateSync, "raw-deflate": deflateRawSync, br: brotliCompressSync }[compressed]!(text);
        response.writeHead(200, { "content-encoding": compressed === "raw-deflate" ? "deflate" : compressed });
        return response.end(body);
      }
      if (request.url === "/gzip-then-br") {
        response.writeHead(200, { "content-encoding": "gzip, br" });
        return response.end(brotliCompressSync(gzipSync("twice")));
      }
      if (request.url === "/empty-gzip") {
        // A HEAD's answer, a 204, an empty error: the encoding is named, there is no data.
        response.writeHead(request.method === "HEAD" ? 200 : 401, { "content-encoding": "gzip" });
        return response.end();
      }
      if (request.url === "/stall") return; // never answers
      if (request.url === "/moved") {
        response.writeHead(302, { location: "/elsewhere" });
        return response.end();
      }
      response.setHeader("set-cookie", ["a=1", "b=2"]);
      response.setHeader("retry-after", "3");
      response.end(JSON.stringify({ ok: true }));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const signal = () => new AbortController().signal;

describe("exchange", () => {
  it("sends the method, headers (lower-cased) and body, and reads status, headers and text", async () => {
    const answer = await exchange({ method: "POST", url: new URL(`${base}/x?q=1`), headers: { "X-Token": "t", "Content-Type": "application/json" }, body: '{"a":"é"}', signal: signal() });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{"ok":true}');
    expect(answer.headers.get("Retry-After")).toBe("3");
    expect(answer.headers.get("set-cookie")).toBe("a=1, b=2");
    expect(answer.headers.get("missing")).toBeNull();
    const request = seen.at(-1)!;
    expect(request).toMatchObject({ method: "POST", url: "/x?q=1", body: '{"a":"é"}' });
    expect(request.headers).toMatchObject({ "x-token": "t", "content-type": "application/json", "content-length": "10" });
  });

  it("answers a redirect as it is", async () => {
    const answer = await exchange({ method: "GET", url: new URL(`${base}/moved`), signal: signal() });
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBe("/elsewhere");
  });

  it("refuses an answer larger than the limit, and leaves one unread when asked", async () => {
    await expect(exchange({ method: "GET", url: new URL(`${base}/big`), signal: signal(), maxBodyBytes: 1024 })).rejects.toThrow(ResponseTooLargeError);
    expect(await exchange({ method: "GET", url: new URL(`${base}/big`), signal: signal(), readBody: false, maxBodyBytes: 1024 })).toMatchObject({ status: 200, text: "" });
  });

  it("leaves unread the body of a status it is not wanted for, closing the connection rather than reading on", async () => {
    const unlessOk = (status: number) => status !== 200;
    const endless = (readBody?: (status: number) => boolean) => exchange({ method: "GET", url: new URL(`${base}/endless`), signal: signal(), maxBodyBytes: 1024, readBody });
    const answer = await endless(unlessOk);
    expect(answer).toMatchObject({ status: 200, text: "" });
    expect(answer.headers.get("content-type")).toBe("application/json");
    // The server sees the connection close: the endless body was neither read to its end nor drained.
    await endlessClosed;
    await expect(endless()).rejects.toThrow(ResponseTooLargeError);
    // A status whose body is wanted is read as before.
    expect(await exchange({ method: "GET", url: new URL(`${base}/missing`), signal: signal(), readBody: unlessOk })).toMatchObject({ status: 404, text: '{"message":"no such thing"}' });
  });

  it("reads the text in the answer's charset, and undoes its content encoding, as httpx does", async () => {
    const read = async (path: string, maxBodyBytes?: number) => (await exchange({ method: "GET", url: new URL(`${base}${path}`), signal: signal(), maxBodyBytes })).text;
    expect(await read("/latin1")).toBe("café");
    expect(await read("/gzip")).toBe("z".repeat(4096));
    for (const path of ["/deflate", "/raw-deflate", "/br"]) expect(await read(path)).toBe("zipped é");
    expect(await read("/gzip-then-br")).toBe("twice");
    expect(await read("/empty-gzip")).toBe("");
    expect(await exchange({ method: "HEAD", url: new URL(`${base}/empty-gzip`), signal: signal() })).toMatchObject({ status: 200, text: "" });
    // The limit holds for what the answer inflates to, not only for what crossed the wire.
    await expect(read("/gzip", 1024)).rejects.toThrow(ResponseTooLargeError);
  });

  it("rejects with the signal's reason when it aborts, before or during the exchange", async () => {
    const controller = new AbortController();
    const pending = exchange({ method: "GET", url: new URL(`${base}/stall`), signal: controller.signal });
    const reason = new Error("the caller's deadline");
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
    await expect(exchange({ method: "GET", url: new URL(`${base}/x`), signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it("reports a refused connection, and refuses a URL that is not http(s)", async () => {
    await expect(exchange({ method: "GET", url: new URL("http://127.0.0.1:9/"), signal: signal() })).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await expect(exchange({ method: "GET", url: new URL("ftp://127.0.0.1/x"), signal: signal() })).rejects.toThrow("not an http(s) URL: ftp:");
  });
});
