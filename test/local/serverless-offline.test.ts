/**
 * `serve --backend offline` (`npm run start:offline`) stopped while serverless offline starts:
 * serverless offline runs in a process group of its own, which the terminal's Ctrl-C does not
 * reach, so the serve process must end it.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, test } from "vitest";
import { buildFunctions, REPO_ROOT } from "../support/build.js";

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** The processes `pid` started (Linux's /proc). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Whether `pid` leads a process group of its own, as serverless offline does (tsx's esbuild service, also a child, does not). */
function leadsGroup(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === pid;
  } catch {
    return false;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

test.runIf(process.platform === "linux")("SIGINT while serverless offline starts ends its process group too", async () => {
  await buildFunctions();
  const args = ["--grpc-port", "0", "--http-port", String(await freePort()), "--lambda-port", String(await freePort())];
  const serve = spawn(process.execPath, ["bin/flyte-connector.js", "serve", "--backend", "offline", ...args], { cwd: REPO_ROOT, stdio: "ignore" });
  const exited = once(serve, "exit");
  let offline: number | undefined;
  try {
    const giveUpAt = Date.now() + 30_000;
    while ((offline = childrenOf(serve.pid!).find(leadsGroup)) === undefined) {
      expect(serve.exitCode, "serve exited before starting serverless offline").toBeNull();
      expect(Date.now()).toBeLessThan(giveUpAt);
      await sleep(10);
    }
    serve.kill("SIGINT");
    await exited;
    const goneBy = Date.now() + 5_000;
    while (groupAlive(offline) && Date.now() < goneBy) await sleep(100);
    expect(groupAlive(offline), "serverless offline outlived serve").toBe(false);
  } finally {
    serve.kill("SIGKILL");
    if (offline !== undefined && groupAlive(offline)) process.kill(-offline, "SIGKILL");
  }
}, 120_000);
