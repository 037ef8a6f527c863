import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // PGlite and a real Bolt app take seconds to start.
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
