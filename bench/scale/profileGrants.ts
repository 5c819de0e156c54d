/**
 * CPU profile of the TargetGrants provider alone (no CLI contender, no fixture set-up in the
 * profile): builds one schema of N tables, then profiles `repetitions` × (check + create, read,
 * delete) with the inspector and writes a `.cpuprofile` (open it in Chrome DevTools, or print
 * the top self-time functions with `bench/scale/topFunctions.ts`).
 *
 *   node --import tsx bench/scale/profileGrants.ts --case postgres --tables 10000 --reps 5 \
 *     --out /tmp/grants-pg.cpuprofile
 *
 * Cases as in the grants suite: `postgres` (whole schema + default privileges), `mariadb-db`
 * (`db.*`), `mariadb-tables` (explicit list).
 */
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
import { makeTargetGrantsProvider } from "../../src/providers/targetGrants/provider";
import type { TargetGrantsInputs } from "../../src/providers/targetGrants/types";
import { MARIADB_ADMIN_URL, POSTGRES_ADMIN_URL, requireService } from "../../test/support/services";
import { createMariadbFixture, createPostgresFixture, withDatabase } from "../grants/fixtures";
import { argument } from "../lib/cpuStages";

type Case = "postgres" | "mariadb-db" | "mariadb-tables";

async function fixture(kind: Case, tables: number) {
    if (kind === "postgres") {
        await requireService("postgres", POSTGRES_ADMIN_URL);
        const f = await createPostgresFixture(tables);
        const inputs: TargetGrantsInputs = {
            connection: f.url,
            grantee: f.grantee,
            schema: f.schema,
        };
        return { inputs, drop: () => f.drop() };
    }
    await requireService("mariadb", MARIADB_ADMIN_URL);
    const f = await createMariadbFixture(tables);
    const inputs: TargetGrantsInputs = {
        connection: withDatabase(MARIADB_ADMIN_URL, f.database),
        grantee: f.user,
        schema: f.database,
        ...(kind === "mariadb-tables" ? { tables: f.tables } : {}),
    };
    return { inputs, drop: () => f.drop() };
}

async function main(): Promise<void> {
    const kind = argument("case", "postgres") as Case;
    const tables = Number(argument("tables", "10000"));
    const reps = Number(argument("reps", "5"));
    const steps = argument("steps", "create,read,delete").split(",");
    const out = argument("out", `/tmp/grants-${kind}-${tables}.cpuprofile`);
    const provider = makeTargetGrantsProvider();
    const { inputs, drop } = await fixture(kind, tables);
    const session = new Session();
    session.connect();
    const times: Record<string, number[]> = { create: [], read: [], delete: [] };
    try {
        // Warm-up (JIT, connection code paths), not profiled.
        const warm = await provider.create(inputs);
        await provider.delete(warm.id, warm.outs);
        await session.post("Profiler.enable");
        await session.post("Profiler.setSamplingInterval", { interval: 200 });
        await session.post("Profiler.start");
        for (let i = 0; i < reps; i++) {
            let t = performance.now();
            await provider.check({}, inputs as unknown as Record<string, unknown>);
            const created = await provider.create(inputs);
            times.create!.push(performance.now() - t);
            t = performance.now();
            const read = steps.includes("read")
                ? await provider.read(created.id, created.outs)
                : undefined;
            times.read!.push(performance.now() - t);
            t = performance.now();
            await provider.delete(created.id, read?.props ?? created.outs);
            times.delete!.push(performance.now() - t);
        }
        const { profile } = await session.post("Profiler.stop");
        writeFileSync(out, JSON.stringify(profile));
    } finally {
        session.disconnect();
        await drop();
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    console.log(
        `${kind} ${tables} tables, ${reps} reps (medians, ms, while profiling): ` +
            Object.entries(times)
                .map(([k, v]) => `${k} ${med(v).toFixed(1)}`)
                .join(", "),
    );
    console.log(`profile: ${out}`);
}

main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});
