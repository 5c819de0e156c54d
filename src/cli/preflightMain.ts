#!/usr/bin/env node
/**
 * `crdb-failback-preflight [--stack <name>] [--cwd <dir>] [--config <file>|-]`: the read-only
 * pre-flight of the config-driven failback stack. Prints the report; exits 1 when there are
 * problems, 2 when it cannot run.
 *
 *     crdb-failback-preflight --stack prod
 *     pulumi config --json --show-secrets | crdb-failback-preflight --config -
 */
import * as fs from "node:fs";
import {
    inputsFromStackConfig,
    preflightReport,
    readStackConfig,
    type StackConfig,
} from "./preflight";

function option(argv: string[], name: string): string | undefined {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
    if (argv.includes("-h") || argv.includes("--help")) {
        process.stdout.write(
            "usage: crdb-failback-preflight [--stack <name>] [--cwd <dir>] [--config <file>|-]\n" +
                "Checks every failback precondition read-only and prints every problem with its fix.\n" +
                "Reads the stack configuration with `pulumi config --json --show-secrets`, or from --config.\n",
        );
        return 0;
    }
    try {
        const file = option(argv, "--config");
        const config: StackConfig =
            file !== undefined
                ? (JSON.parse(fs.readFileSync(file === "-" ? 0 : file, "utf8")) as StackConfig)
                : readStackConfig(option(argv, "--stack"), option(argv, "--cwd"));
        const { code, report } = await preflightReport(inputsFromStackConfig(config));
        process.stdout.write(`${report}\n`);
        return code;
    } catch (err) {
        process.stderr.write(`crdb-failback-preflight: ${(err as Error).message}\n`);
        return 2;
    }
}

void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
});
