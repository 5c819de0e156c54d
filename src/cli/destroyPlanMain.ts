#!/usr/bin/env node
/**
 * `crdb-failback-destroy-plan [export.json]`: prints the SQL `pulumi destroy` would run, from
 * `pulumi stack export` output (a file, or standard input).
 *
 *     pulumi stack export | npx crdb-failback-destroy-plan
 */
import * as fs from "node:fs";

import { destroyPlan, formatDestroyPlan, parseStackExport } from "./destroyPlan";

function main(argv: string[]): number {
    if (argv.includes("-h") || argv.includes("--help")) {
        process.stdout.write(
            "usage: pulumi stack export | crdb-failback-destroy-plan\n" +
                "       crdb-failback-destroy-plan <file from pulumi stack export>\n" +
                "Prints the SQL pulumi destroy would run (REVOKE, SET/RESET CLUSTER SETTING, CANCEL JOB, …).\n",
        );
        return 0;
    }
    const file = argv.find((a) => !a.startsWith("-"));
    try {
        const text = fs.readFileSync(file ?? 0, "utf8");
        const { stack, resources } = parseStackExport(text);
        process.stdout.write(`${formatDestroyPlan(stack, destroyPlan(resources))}\n`);
        return 0;
    } catch (err) {
        process.stderr.write(`crdb-failback-destroy-plan: ${(err as Error).message}\n`);
        return 1;
    }
}

process.exitCode = main(process.argv.slice(2));
