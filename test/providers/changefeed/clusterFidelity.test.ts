/**
 * The Changefeed provider against what a real CockroachDB answers (modelled by the test server
 * from CockroachDB's source): rangefeeds off refuses CREATE, options per release, and
 * full_table_names as raw names.
 */
import assert from "node:assert/strict";
import { afterEach, before, describe, it } from "node:test";

import { provider } from "../../../src/providers/changefeed/provider";
import type { ChangefeedOutputs } from "../../../src/providers/changefeed/types";
import { POSTGRES_ADMIN_URL, requireService } from "../../support/services";
import { type Environment, startEnvironment } from "../../support/changefeed/environment";

const environments: Environment[] = [];

async function environment(
    options: Parameters<typeof startEnvironment>[0] = {},
): Promise<Environment> {
    const env = await startEnvironment(options);
    environments.push(env);
    await env.sql(
        "CREATE TABLE t1 (id INT PRIMARY KEY, v TEXT)",
        'CREATE TABLE "Orders" (id INT PRIMARY KEY, v TEXT)',
        'CREATE TABLE "select" (id INT PRIMARY KEY, v TEXT)',
    );
    return env;
}

async function create(inputs: object): Promise<{ id: string; outs: ChangefeedOutputs }> {
    const result = await provider.create(inputs);
    return { id: result.id, outs: result.outs as ChangefeedOutputs };
}

before(async () => {
    await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
});

afterEach(async () => {
    await Promise.all(environments.splice(0).map((env) => env.close()));
});

describe("Changefeed provider: CockroachDB's real answers", () => {
    it("CREATE refused with rangefeeds off: no job, and the error points at ClusterSettings rangefeedEnabled", async () => {
        const env = await environment();
        await env.sql("SET CLUSTER SETTING kv.rangefeed.enabled = false");
        await assert.rejects(create(env.inputs(["t1"])), (err: Error) => {
            assert.match(
                err.message,
                /^CREATE CHANGEFEED was refused because rangefeeds are disabled on this cluster \(kv\.rangefeed\.enabled = false\), so no job was created\. Enable them with a ClusterSettings resource \(rangefeedEnabled: true/,
            );
            assert.match(err.message, /rangefeeds require the kv\.rangefeed\.enabled setting/);
            return true;
        });
        assert.deepEqual(env.server.jobs(), []);
    });

    it("an option the cluster's release does not take fails before any job is created (v24.3)", async () => {
        const env = await environment({ profile: "v24.3" });
        const mark = env.server.statements.length;
        await assert.rejects(
            create(env.inputs(["t1"], { options: { extra_headers: '{"X-Team":"db"}' } })),
            (err: Error) => {
                assert.equal(
                    err.message,
                    "options.extra_headers is not a changefeed option on CockroachDB v24.3 (it needs v25.4 or later): " +
                        "remove it or upgrade the cluster. No changefeed was created or changed.",
                );
                return true;
            },
        );
        assert.deepEqual(env.server.jobs(), []);
        const sent = env.server.statements.slice(mark);
        assert.equal(
            sent.filter((s) => /node_executable_version/.test(s)).length,
            1,
            "the version is read once",
        );
        assert.ok(!sent.some((s) => /^CREATE CHANGEFEED/i.test(s)));
    });

    it("the same option is taken on v25.4", async () => {
        const env = await environment({ profile: "v25.4" });
        const { outs } = await create(
            env.inputs(["t1"], { options: { extra_headers: '{"X-Team":"db"}' } }),
        );
        assert.equal(outs.status, "running");
    });

    it("mixed-case and reserved-word tables compare as CockroachDB reports them in full_table_names", async () => {
        const env = await environment();
        const inputs = env.inputs(['"Orders"', '"select"']);
        const { id, outs } = await create(inputs);
        assert.equal(outs.status, "running");
        const read = await provider.read!(id, outs);
        assert.deepEqual(read.props?.tables, inputs.tables);
        const diff = await provider.diff!(id, outs, inputs);
        assert.equal(diff.changes, false);
        // Adopting the job by id finds the same tables.
        const adopted = await create({ ...inputs, adoptJobId: outs.jobId });
        assert.equal(adopted.outs.jobId, outs.jobId);
    });
});
