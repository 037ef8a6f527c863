import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".debrief/", "dist/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@slack/*", "@microsoft/*", "botbuilder*"], message: "Chat SDKs belong in adapters/." }] },
      ],
    },
  },
  {
    files: ["adapters/**", "test/**", "bench/**"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    // Tests pick apart platform JSON (Block Kit, Adaptive Cards) whose shapes are not worth typing in full.
    files: ["test/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Migrations take Kysely<any> by design: they are frozen and must not follow the live schema's types.
    files: ["migrations/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
