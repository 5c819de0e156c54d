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
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            // Type-aware: a promise nobody awaits hides its failure.
            "@typescript-eslint/no-floating-promises": [
                "error",
                {
                    // node:test registers tests from the returned promise itself.
                    allowForKnownSafeCalls: [
                        {
                            from: "package",
                            package: "node:test",
                            name: [
                                "test",
                                "describe",
                                "it",
                                "suite",
                                "before",
                                "after",
                                "beforeEach",
                                "afterEach",
                            ],
                        },
                    ],
                },
            ],
            "@typescript-eslint/no-misused-promises": "error",
            "@typescript-eslint/await-thenable": "error",
        },
    },
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
