import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    alterableOptions,
    createOptions,
    optionChanges,
} from "../../../src/providers/changefeed/options";
import { planAlter } from "../../../src/providers/changefeed/plan";
import { alterChangefeed, createChangefeed } from "../../../src/providers/changefeed/sql";
import { resolveTables } from "../../../src/providers/changefeed/tables";
import type { ChangefeedInputs, ChangefeedOutputs } from "../../../src/providers/changefeed/types";

const CURSOR = "1759246920563173000.0000000000";
const base: ChangefeedInputs = {
    connection: "postgresql://root:pw@crdb:26257/defaultdb",
    tables: ["employees", "public.payments"],
    webhookUrl: "https://replicator:30004/migration_db/migration_schema",
    caCertPem: "CA",
    clientCertPem: "CERT",
    clientKeyPem: "KEY",
};

describe("CREATE CHANGEFEED rendering", () => {
    it("renders the runbook's options in order with the sink and token as placeholders", () => {
        const tables = resolveTables(base.tables, "defaultdb");
        const statement = createChangefeed(
            tables,
            "webhook-https://secret-sink",
            createOptions({ ...base, authToken: "tok'en" }, CURSOR),
        );
        assert.equal(
            statement.text,
            'CREATE CHANGEFEED FOR TABLE "employees", "public"."payments" INTO $1 WITH updated, ' +
                "resolved = '250ms', min_checkpoint_frequency = '250ms', initial_scan = 'no', " +
                `cursor = '${CURSOR}', webhook_sink_config = '{"Flush":{"Bytes":1048576,"Frequency":"1s"}}', ` +
                "webhook_client_timeout = '10s', webhook_auth_header = $2",
        );
        assert.deepEqual(statement.params, ["webhook-https://secret-sink", "Bearer tok'en"]);
        assert.ok(statement.preview.includes("INTO <redacted> WITH"));
        assert.ok(statement.preview.endsWith("webhook_auth_header = <redacted>"));
        assert.ok(
            !statement.preview.includes("secret-sink") && !statement.preview.includes("tok'en"),
        );
    });

    it("appends options sorted by name: flags bare, strings quoted, false left out", () => {
        const options = createOptions(
            {
                ...base,
                options: {
                    schema_change_policy: "stop",
                    diff: true,
                    on_error: "pa'use",
                    compression: false,
                    initial_scan: "no",
                },
            },
            CURSOR,
        );
        const statement = createChangefeed(resolveTables(["t"], "defaultdb"), "sink", options);
        assert.ok(
            statement.text.endsWith(
                "webhook_client_timeout = '10s', diff, on_error = 'pa''use', schema_change_policy = 'stop'",
            ),
            statement.text,
        );
        assert.equal(statement.text.match(/initial_scan/g)?.length, 1);
    });

    it("accepts webhookSinkConfig as an object or as JSON text", () => {
        const fromObject = alterableOptions({
            ...base,
            webhookSinkConfig: { Flush: { Messages: 100, Frequency: "5s" } },
        });
        const fromText = alterableOptions({
            ...base,
            webhookSinkConfig: '{ "Flush": { "Messages": 100, "Frequency": "5s" } }',
        });
        assert.deepEqual(fromObject, fromText);
    });

    it("quotes table names as identifiers: a name with quotes or SQL stays a name", () => {
        const [table] = resolveTables(['"we""ird; DROP TABLE x"'], "defaultdb");
        assert.equal(table!.sql, '"we""ird; DROP TABLE x"');
        assert.equal(table!.key, 'defaultdb.public.we"ird; DROP TABLE x');
    });
});

describe("ALTER CHANGEFEED planning", () => {
    const olds: ChangefeedOutputs = {
        ...base,
        stateVersion: 1,
        jobId: "1101234051444375553",
        cursor: CURSOR,
        status: "running",
        sinkUri: "",
        clusterId: "c",
    };
    olds.sinkUri = planAlter({ ...olds, sinkUri: "x" }, base).sink!;

    it("adds tables with initial_scan = 'yes' by default and drops removed ones, in one statement", () => {
        const plan = planAlter(olds, { ...base, tables: ["public.payments", "orders"] });
        const statement = alterChangefeed(olds.jobId, plan);
        assert.equal(
            statement.text,
            `ALTER CHANGEFEED ${olds.jobId} ADD "orders" WITH initial_scan = 'yes' DROP "employees"`,
        );
        assert.deepEqual(statement.params, []);
    });

    it("honours addedTablesInitialScan: false", () => {
        const plan = planAlter(olds, {
            ...base,
            tables: [...base.tables, "orders"],
            addedTablesInitialScan: false,
        });
        assert.ok(alterChangefeed(olds.jobId, plan).text.endsWith("WITH initial_scan = 'no'"));
    });

    it("changes the sink with key sink (never sink_uri) as a placeholder, sets and unsets options", () => {
        const news = {
            ...base,
            webhookUrl: "https://replicator2:30004/migration_db/migration_schema",
            resolved: "1s",
            authToken: "t",
        };
        const statement = alterChangefeed(
            olds.jobId,
            planAlter({ ...olds, options: { diff: true } }, news),
        );
        assert.equal(
            statement.text,
            `ALTER CHANGEFEED ${olds.jobId} SET sink = $1, resolved = '1s', webhook_auth_header = $2 UNSET diff`,
        );
        assert.ok(statement.params[0]!.startsWith("webhook-https://replicator2:30004/"));
        assert.equal(statement.params[1], "Bearer t");
        assert.ok(!statement.text.includes("sink_uri"));
        assert.equal(
            statement.preview,
            `ALTER CHANGEFEED ${olds.jobId} SET sink = <redacted>, resolved = '1s', webhook_auth_header = <redacted> UNSET diff`,
        );
    });

    it("computes option SET/UNSET by value", () => {
        assert.deepEqual(
            optionChanges(
                [{ key: "updated" }, { key: "resolved", value: "250ms" }, { key: "diff" }],
                [{ key: "updated" }, { key: "resolved", value: "1s" }],
            ),
            { set: [{ key: "resolved", value: "1s" }], unset: ["diff"] },
        );
    });
});
