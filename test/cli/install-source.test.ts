/** What `init` makes a new project depend on: the tarball this package was installed from, so that the project's `npm install` needs no registry that lacks it. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { dependencySpec } from "../../lib/cli/install-source.js";

describe("dependencySpec", () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "flyte-connector-install-source-"));
  });
  afterEach(() => rm(work, { recursive: true, force: true }));

  /** `<work>/<installer>/node_modules/flyte-connectors-serverless`, recorded in npm's hidden lockfile with `resolved`. */
  async function installed(installer: string, resolved?: string): Promise<string> {
    const root = join(work, installer, "node_modules", "flyte-connectors-serverless");
    await mkdir(root, { recursive: true });
    const packages = resolved === undefined ? {} : { "node_modules/flyte-connectors-serverless": { version: "0.1.0", resolved } };
    await writeFile(join(work, installer, "node_modules", ".package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages }));
    return root;
  }

  test("installed from a tarball (npm install ../pkg.tgz, or npx ./pkg.tgz): that tarball, relative to the new project", async () => {
    const root = await installed("project", "file:../flyte-connectors-serverless-0.1.0.tgz");
    expect(dependencySpec(root, "0.1.0", join(work, "project", "my-connectors"))).toBe("file:../../flyte-connectors-serverless-0.1.0.tgz");
    expect(dependencySpec(root, "0.1.0", join(work, "my-connectors"))).toBe("file:../flyte-connectors-serverless-0.1.0.tgz");
  });

  test("installed from the registry, or not recorded: the version's range", async () => {
    const fromRegistry = await installed("registry", "https://registry.npmjs.org/flyte-connectors-serverless/-/flyte-connectors-serverless-0.1.0.tgz");
    expect(dependencySpec(fromRegistry, "0.1.0", join(work, "new"))).toBe("^0.1.0");
    expect(dependencySpec(await installed("unrecorded"), "0.1.0", join(work, "new"))).toBe("^0.1.0");
    const noLockfile = join(work, "bare", "node_modules", "flyte-connectors-serverless");
    await mkdir(noLockfile, { recursive: true });
    expect(dependencySpec(noLockfile, "0.1.0", join(work, "new"))).toBe("^0.1.0");
  });

  test("a source checkout (no node_modules above it): the version's range", () => {
    expect(dependencySpec(join(work, "flyte-connectors-serverless"), "0.2.0", join(work, "new"))).toBe("^0.2.0");
  });
});
