/**
 * The repository's Dockerfile read as data, for the tests that check it against the build and
 * the Kubernetes manifests (Docker itself cannot run here). Only the instructions it uses:
 * FROM, COPY, RUN, ENV, WORKDIR, USER, EXPOSE, ENTRYPOINT and CMD, one per line.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../support/build.js";

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

export function readDockerfile(path = join(REPO_ROOT, "Dockerfile")): Stage[] {
  const stages: { from: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const raw of readFileSync(path, "utf8").split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [, keyword, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!keyword || args === undefined) throw new Error(`Dockerfile: cannot read ${JSON.stringify(line)}`);
    if (keyword.toUpperCase() === "FROM") {
      const [image, as, name] = args.split(/\s+/);
      stages.push({ from: image!, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error("Dockerfile: an instruction before FROM");
    stage.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

/** The arguments of each `keyword` instruction of a stage. */
export function argsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** The last instruction of a kind wins (WORKDIR, USER, ENTRYPOINT, CMD); exec form only for the JSON ones. */
export function lastOf(stage: Stage, keyword: string): string | undefined {
  return argsOf(stage, keyword).at(-1);
}

export function execForm(stage: Stage, keyword: "ENTRYPOINT" | "CMD"): string[] {
  const args = lastOf(stage, keyword);
  if (args === undefined) return [];
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) throw new Error(`${keyword} is not in exec form`);
  return parsed as string[];
}

/** COPY's sources and destination, and its --from stage if any. */
export function copies(stage: Stage): { readonly from: string | undefined; readonly sources: string[]; readonly destination: string }[] {
  return argsOf(stage, "COPY").map((args) => {
    const words = args.split(/\s+/);
    const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
    const paths = words.filter((w) => !w.startsWith("--"));
    return { from, sources: paths.slice(0, -1), destination: paths.at(-1)! };
  });
}
