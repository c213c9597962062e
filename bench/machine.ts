/** Where and when a suite ran, for BENCHMARKS.md. */
import { cpus, loadavg, release, totalmem, type } from "node:os";
import type { RunInfo } from "./results.js";

export function currentRun(): RunInfo {
  const cores = cpus();
  return {
    date: new Date().toISOString(),
    machine: {
      cpu: cores[0]?.model.trim() ?? "unknown",
      cores: cores.length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${type()} ${release()}`,
      node: process.version,
    },
    loadAverage: loadavg()[0] ?? 0,
  };
}
