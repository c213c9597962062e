import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "lib/**/*.test.ts"],
    globalSetup: ["test/support/generate-idl.ts"],
    testTimeout: 20_000,
    hookTimeout: 120_000,
  },
});
