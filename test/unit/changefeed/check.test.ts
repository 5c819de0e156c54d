import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import { checkChangefeed } from "../../../src/providers/changefeed/check";
import { UNKNOWN } from "../../../src/providers/kernel/unknown";
import {
    createTestCertificates,
    type TestCertificates,
} from "../../support/cockroach/feed/testCerts";

let certs: TestCertificates;
let valid: Record<string, unknown>;

before(async () => {
    certs = await createTestCertificates();
    valid = {
        connection: "postgresql://root:s3cret@crdb:26257/defaultdb?sslmode=verify-full",
        tables: ["employees", "public.payments"],
        webhookUrl: "https://replicator:30004/migration_db/migration_schema",
        caCertPem: certs.ca.certPem,
        clientCertPem: certs.client.certPem,
        clientKeyPem: certs.client.keyPem,
        authToken: "eyJhbGciOiJFUzI1NiJ9.e30.sig",
    };
});

function failuresOf(news: Record<string, unknown>) {
    return checkChangefeed(news).failures ?? [];
}

describe("Changefeed check", () => {
    it("accepts a complete, valid set of inputs", () => {
        assert.deepEqual(failuresOf(valid), []);
        assert.deepEqual(
            failuresOf({
                ...valid,
                clientCertPem: undefined,
                clientKeyPem: undefined,
                authToken: undefined,
            }),
            [],
        );
    });

    it("accepts unknown (preview) values", () => {
        const news = Object.fromEntries(Object.keys(valid).map((k) => [k, UNKNOWN]));
        assert.deepEqual(failuresOf(news), []);
    });

    it("reports every problem at once with exact messages", () => {
        const failures = failuresOf({
            connection: "mysql://x",
            tables: ["a", "public.a", "bad name"],
            webhookUrl: "https://replicator:30004/a/b/c",
            caCertPem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            clientCertPem: certs.client.certPem,
            authToken: "has space",
            cursor: "2024-09-11T16:33:35Z",
            resolved: "10",
            minCheckpointFrequency: "-1s",
            webhookClientTimeout: "0s",
            webhookSinkConfig: { Flush: { Bytes: 10 }, Retry: { Max: 0 } },
            options: {
                mvcc_timestamp: true,
                envelope: "bare",
                format: "avro",
                full_table_name: true,
                initial_scan: "yes",
                cursor: "1",
                diff: true,
                "Bad-Name": true,
            },
            waitForRunningSeconds: 0,
            exclusive: "yes",
            adoptJobId: "abc",
        });
        assert.deepEqual(failures, [
            {
                property: "",
                reason: "connection: must be a CockroachDB SQL URL such as postgresql://user:password@host:26257/defaultdb?sslmode=verify-full",
            },
            { property: "tables[1]", reason: 'defaultdb.public.a is listed twice (also as "a")' },
            {
                property: "tables[2]",
                reason: 'must be a table name of one to three parts (table, schema.table or database.schema.table); quote parts with special characters as "My Table"',
            },
            {
                property: "webhookUrl",
                reason: "the path must have one segment (/<database> for MySQL, /<SCHEMA> for Oracle) or two (/<database>/<schema> for PostgreSQL), without a trailing slash",
            },
            {
                property: "",
                reason: "caCertPem: looks like PEM but does not parse as an X.509 certificate",
            },
            {
                property: "",
                reason: "clientKeyPem: clientCertPem and clientKeyPem go together: give both (client certificate authentication) or neither",
            },
            {
                property: "",
                reason: "authToken: must be a non-empty token without whitespace (it is sent as 'Bearer <token>')",
            },
            {
                property: "cursor",
                reason: "must be a non-zero DECIMAL HLC timestamp exactly as SELECT cluster_logical_timestamp() prints it (e.g. 1759246920563173000.0000000000)",
            },
            {
                property: "resolved",
                reason: "must be a duration such as '250ms', '10s' or '1m30s'",
            },
            {
                property: "minCheckpointFrequency",
                reason: "must be a duration such as '250ms', '10s' or '1m30s'",
            },
            { property: "webhookClientTimeout", reason: "must be greater than zero" },
            {
                property: "webhookSinkConfig",
                reason: "Flush.Frequency must be non-zero when Flush.Messages or Flush.Bytes is set",
            },
            {
                property: "webhookSinkConfig",
                reason: 'Retry.Max must be a positive integer or "inf"',
            },
            {
                property: "options.mvcc_timestamp",
                reason: "breaks the replicator: it adds an mvcc_timestamp field to every row, and the replicator rejects payloads with unknown fields",
            },
            {
                property: "options.envelope",
                reason: "must be 'wrapped' (or left out): the replicator decodes only the wrapped envelope",
            },
            {
                property: "options.format",
                reason: "must be 'json' (or left out): the replicator decodes only JSON",
            },
            {
                property: "options.full_table_name",
                reason: "breaks the replicator: it makes each row's topic db.schema.table, but the replicator resolves the topic as a table name inside the schema named by the webhook path, so the topic must be the bare table name",
            },
            {
                property: "options.initial_scan",
                reason: "cannot be set in options: it is always 'no' at create: the feed starts from cursor and an initial scan would replay every existing row into the target (tables added later are scanned per addedTablesInitialScan)",
            },
            {
                property: "options.cursor",
                reason: "cannot be set in options: it is set by the cursor argument",
            },
            {
                property: "options.Bad-Name",
                reason: "is not a changefeed option name (lower-case words joined by _)",
            },
            {
                property: "waitForRunningSeconds",
                reason: "must be a number of seconds greater than 0 and at most 3600",
            },
            { property: "exclusive", reason: "must be true or false" },
            {
                property: "adoptJobId",
                reason: "must be a CockroachDB job id (digits only), as SHOW CHANGEFEED JOBS prints it",
            },
        ]);
    });

    it("never puts a secret value in a failure (secret properties go in the reason with an empty property)", () => {
        const key = certs.client.keyPem;
        const failures = failuresOf({
            ...valid,
            clientKeyPem: key.replace(/[A-Za-z]{10}/, "!!!!!!!!!!"),
        });
        assert.equal(failures.length, 1);
        assert.equal(failures[0]!.property, "");
        assert.ok(failures[0]!.reason.startsWith("clientKeyPem: "), failures[0]!.reason);
        assert.ok(!JSON.stringify(failures).includes("s3cret"));
    });

    it("rejects a certificate pasted where the key goes, and a file path instead of PEM", () => {
        assert.deepEqual(failuresOf({ ...valid, clientKeyPem: certs.client.certPem }), [
            {
                property: "",
                reason: "clientKeyPem: looks like PEM but does not parse as a private key",
            },
        ]);
        assert.deepEqual(failuresOf({ ...valid, caCertPem: "/etc/ssl/ca.crt" }), [
            {
                property: "",
                reason: "caCertPem: must be a PEM certificate (-----BEGIN …----- block), not a file path or base64 text",
            },
        ]);
    });

    it("rejects a client key that does not belong to the client certificate", () => {
        assert.deepEqual(failuresOf({ ...valid, clientKeyPem: certs.server.keyPem }), [
            {
                property: "",
                reason: "clientKeyPem: does not belong to clientCertPem: give the private key of that certificate",
            },
        ]);
    });

    it("requires tables, webhookUrl and caCertPem", () => {
        assert.deepEqual(failuresOf({ connection: valid.connection, tables: [] }), [
            {
                property: "tables",
                reason: 'must list at least one table (e.g. ["public.employees"])',
            },
            {
                property: "webhookUrl",
                reason: "is required: the replicator's https://host:port/<path> (e.g. ReplicatorHost.webhookBaseUrl + '/db/schema')",
            },
            {
                property: "",
                reason: "caCertPem: is required: the PEM certificate (e.g. ReplicatorHost.caCertPem)",
            },
        ]);
    });

    it("allows diff, on_error and initial_scan = 'no' in options", () => {
        assert.deepEqual(
            failuresOf({
                ...valid,
                options: {
                    diff: true,
                    on_error: "pause",
                    initial_scan: "no",
                    envelope: "wrapped",
                    format: "json",
                },
            }),
            [],
        );
    });
});
