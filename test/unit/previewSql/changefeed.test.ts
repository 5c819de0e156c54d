import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { encodeSinkParam } from "../../../src/providers/changefeed/sink";
import { sinkUriOf } from "../../../src/providers/changefeed/plan";
import {
    logCreatePreview,
    logDiffPreview,
    plannedCreateSql,
    plannedUpdateSql,
} from "../../../src/providers/changefeed/preview";
import type { ChangefeedInputs, ChangefeedOutputs } from "../../../src/providers/changefeed/types";
import { UNKNOWN } from "../../../src/providers/kernel/unknown";

const PASSWORD = "Crdb-Feed-Pa55";
const CLIENT_KEY =
    "-----BEGIN PRIVATE KEY-----\nCLIENTKEYSECRETMATERIAL0123456789\n-----END PRIVATE KEY-----\n";
const TOKEN = "eyJhbGciOiJFUzI1NiJ9.c2VjcmV0LXRva2Vu.c2lnbmF0dXJl";

const inputs: ChangefeedInputs = {
    connection: `postgresql://feeder:${PASSWORD}@crdb.example:26257/molt?sslmode=verify-full`,
    tables: ["orders", "inv.items"],
    webhookUrl: "https://replicator.failback.svc:30004/molt/public",
    caCertPem: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
    clientCertPem: "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n",
    clientKeyPem: CLIENT_KEY,
    authToken: TOKEN,
};

const SINK =
    "'webhook-https://replicator.failback.svc:30004/molt/public?ca_cert=<redacted>&client_cert=<redacted>&client_key=<redacted>'";

const sqlOf = (statements: { sql: string }[]) =>
    statements.filter((s) => !s.sql.startsWith("--")).map((s) => s.sql);

function state(overrides: Partial<ChangefeedOutputs> = {}): ChangefeedOutputs {
    return {
        ...inputs,
        stateVersion: 1,
        jobId: "1047390283482",
        cursor: "1759246920563173000.0000000000",
        status: "running",
        highWaterTimestamp: "1759246999000000000.0000000002",
        sinkUri: sinkUriOf(inputs),
        clusterId: "cluster-1",
        ...overrides,
    };
}

function assertNoSecret(text: string, extra: string[] = []): void {
    for (const secret of [
        PASSWORD,
        inputs.connection,
        CLIENT_KEY,
        "CLIENTKEYSECRETMATERIAL",
        Buffer.from(CLIENT_KEY).toString("base64"),
        encodeSinkParam(CLIENT_KEY),
        encodeSinkParam(inputs.caCertPem),
        sinkUriOf(inputs),
        TOKEN,
        `Bearer ${TOKEN}`,
        ...extra,
    ]) {
        assert.ok(!text.includes(secret), `preview leaks ${secret.slice(0, 12)}…`);
    }
}

describe("Changefeed planned SQL: create", () => {
    it("reads the cursor, checks privileges and exclusivity, creates with the sink redacted", () => {
        const planned = plannedCreateSql(inputs);
        assert.deepEqual(sqlOf(planned), [
            "SELECT crdb_internal.cluster_id()",
            "SELECT current_user",
            "SELECT crdb_internal.is_admin()",
            'SHOW GRANTS ON TABLE "orders", "inv"."items" FOR <current user, resolved at apply>',
            "SHOW SYSTEM GRANTS FOR <current user, resolved at apply>",
            "SHOW CHANGEFEED JOBS",
            "SELECT cluster_logical_timestamp()",
            `CREATE CHANGEFEED FOR TABLE "orders", "inv"."items" INTO ${SINK} WITH updated, resolved = '250ms', ` +
                "min_checkpoint_frequency = '250ms', initial_scan = 'no', " +
                "cursor = '<cluster_logical_timestamp(), resolved at apply>', " +
                `webhook_sink_config = '{"Flush":{"Bytes":1048576,"Frequency":"1s"}}', ` +
                "webhook_client_timeout = '10s', webhook_auth_header = <redacted>",
        ]);
        assert.match(planned.at(-2)!.sql, /^-- wait up to 60 s until the job runs/);
    });

    it("uses a given cursor, skips the exclusivity read when not exclusive, renders options", () => {
        const planned = plannedCreateSql({
            ...inputs,
            clientCertPem: undefined,
            clientKeyPem: undefined,
            authToken: undefined,
            cursor: "1759246920563173000.0000000000",
            exclusive: false,
            options: { diff: true, key_in_value: false, envelope: "wrapped" },
        });
        const sql = sqlOf(planned);
        assert.ok(!sql.includes("SELECT cluster_logical_timestamp()"));
        assert.ok(!sql.includes("SHOW CHANGEFEED JOBS"));
        assert.equal(
            sql.at(-1),
            `CREATE CHANGEFEED FOR TABLE "orders", "inv"."items" INTO ` +
                "'webhook-https://replicator.failback.svc:30004/molt/public?ca_cert=<redacted>' WITH updated, " +
                "resolved = '250ms', min_checkpoint_frequency = '250ms', initial_scan = 'no', " +
                "cursor = '1759246920563173000.0000000000', " +
                `webhook_sink_config = '{"Flush":{"Bytes":1048576,"Frequency":"1s"}}', ` +
                "webhook_client_timeout = '10s', diff, envelope = 'wrapped'",
        );
    });

    it("shows unknown inputs (from other resources) as unknown until apply", () => {
        const logged: string[] = [];
        logCreatePreview(
            {},
            {
                connection: UNKNOWN,
                tables: UNKNOWN,
                webhookUrl: UNKNOWN,
                caCertPem: UNKNOWN,
                authToken: UNKNOWN,
                resolved: UNKNOWN,
            },
            (t) => logged.push(t),
        );
        assert.equal(logged.length, 1);
        const text = logged[0]!;
        assert.ok(!text.includes(UNKNOWN));
        assert.match(
            text,
            /^planned SQL \(Changefeed <unknown until apply> → <unknown until apply>\):/,
        );
        assert.match(
            text,
            /CREATE CHANGEFEED FOR TABLE <unknown until apply> INTO 'webhook-<unknown until apply>\?ca_cert=<redacted>' WITH updated, resolved = '<unknown until apply>'/,
        );
        assert.match(text, /webhook_auth_header = <redacted>;/);
    });

    it("adopting a job: SHOW it, then PAUSE, ALTER with sink and options, RESUME", () => {
        const sql = sqlOf(plannedCreateSql({ ...inputs, adoptJobId: "777" }));
        assert.deepEqual(sql.slice(-5), [
            "SHOW CHANGEFEED JOB 777",
            "SHOW CHANGEFEED JOBS",
            "PAUSE JOB 777",
            `ALTER CHANGEFEED 777 SET sink = ${SINK}, updated, resolved = '250ms', min_checkpoint_frequency = '250ms', ` +
                `webhook_sink_config = '{"Flush":{"Bytes":1048576,"Frequency":"1s"}}', webhook_client_timeout = '10s', ` +
                "webhook_auth_header = <redacted>",
            "RESUME JOB 777",
        ]);
    });
});

describe("Changefeed planned SQL: update", () => {
    it("PAUSE → ALTER (ADD/DROP/SET/UNSET) → RESUME on the running job", () => {
        const planned = plannedUpdateSql(state({ options: { diff: true } }), {
            ...inputs,
            tables: ["orders", "shipments"],
            resolved: "1s",
        });
        assert.deepEqual(sqlOf(planned), [
            "SELECT crdb_internal.cluster_id()",
            "SHOW CHANGEFEED JOB 1047390283482",
            "PAUSE JOB 1047390283482",
            `ALTER CHANGEFEED 1047390283482 ADD "shipments" WITH initial_scan = 'yes' DROP "inv"."items" ` +
                "SET resolved = '1s' UNSET diff",
            "RESUME JOB 1047390283482",
        ]);
    });

    it("a new sink (rotated client key) is SET redacted; another host re-checks exclusivity", () => {
        const rotated =
            "-----BEGIN PRIVATE KEY-----\nROTATEDKEYSECRET\n-----END PRIVATE KEY-----\n";
        const sameHost = sqlOf(plannedUpdateSql(state(), { ...inputs, clientKeyPem: rotated }));
        assert.ok(sameHost.includes(`ALTER CHANGEFEED 1047390283482 SET sink = ${SINK}`));
        assert.ok(!sameHost.includes("SHOW CHANGEFEED JOBS"));
        const moved = sqlOf(
            plannedUpdateSql(state(), { ...inputs, webhookUrl: "https://other:30004/molt/public" }),
        );
        assert.ok(moved.includes("SHOW CHANGEFEED JOBS"));
    });

    it("a failed job is recreated from the stored high-water mark", () => {
        const sql = sqlOf(plannedUpdateSql(state({ status: "failed" }), inputs));
        assert.equal(sql[1], "SHOW CHANGEFEED JOB 1047390283482");
        assert.match(
            sql.at(-1)!,
            /^CREATE CHANGEFEED FOR TABLE .* cursor = '1759246999000000000\.0000000002'/,
        );
        assert.ok(!sql.some((s) => s.startsWith("PAUSE")));
    });

    it("nothing to alter plans no SQL", () => {
        assert.deepEqual(plannedUpdateSql(state(), { ...inputs, waitForRunningSeconds: 120 }), []);
    });

    it("no secret reaches the logged preview of a create, an update or a replacement", () => {
        const logged: string[] = [];
        const rotatedToken = "rotated-token-secret-value";
        logCreatePreview({}, inputs as unknown as Record<string, unknown>, (t) => logged.push(t));
        logDiffPreview(
            state(),
            {
                ...inputs,
                authToken: rotatedToken,
                options: { extra_headers: '{"X-Key":"hdr-secret"}' },
            },
            { changes: true },
            (t) => logged.push(t),
        );
        logDiffPreview(
            state(),
            { ...inputs, cursor: "1.0" },
            { changes: true, replaces: ["cursor"] },
            (t) => logged.push(t),
        );
        assert.equal(logged.length, 3);
        for (const text of logged) assertNoSecret(text, [rotatedToken, "hdr-secret"]);
        assert.match(
            logged[0]!,
            /^planned SQL \(Changefeed crdb\.example:26257\/molt → replicator\.failback\.svc:30004\/molt\/public\):/,
        );
        assert.match(
            logged[1]!,
            /SET webhook_auth_header = <redacted>, extra_headers = <redacted>;/,
        );
        assert.match(logged[2]!, /replacement: CANCEL JOB 1047390283482 first/);
    });
});

describe("Changefeed preview says plainly when delivery is not verified", () => {
    it("without verifyDelivery the create plan ends with 'delivery will not be verified'", () => {
        const steps = plannedCreateSql(inputs).map((s) => s.sql);
        assert.match(steps.at(-1)!, /^-- delivery will NOT be verified/);
    });

    it("with verifyDelivery no such line", () => {
        const steps = plannedCreateSql({
            ...inputs,
            verifyDelivery: {
                stagingSchema: "defaultdb._replicator",
                targetSchema: ["molt", "public"],
            },
        }).map((s) => s.sql);
        assert.ok(!steps.some((s) => /NOT be verified/.test(s)));
    });
});
