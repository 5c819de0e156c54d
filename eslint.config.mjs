import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    {
        ignores: [
            "dist/",
            "node_modules/",
            ".tools/",
            "examples/**/node_modules/",
            "policy/node_modules/",
            "**/*.js",
            "**/*.mjs",
        ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
            ],
            eqeqeq: ["error", "always", { null: "ignore" }],
            "no-console": ["error", { allow: ["warn", "error"] }],
        },
    },
    {
        files: ["test/**", "bench/**", "scripts/**"],
        rules: { "no-console": "off", "@typescript-eslint/no-non-null-assertion": "off" },
    },
);
