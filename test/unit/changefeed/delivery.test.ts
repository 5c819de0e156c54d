import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { checkChangefeed } from "../../../src/providers/changefeed/check";
import {
    deliveryFailureMessage,
    deliveryHints,
    type DeliveryObservation,
    deliveryPartition,
    latestCheckpointQuery,
    targetSchemaMismatch,
} from "../../../src/providers/changefeed/delivery";
import { diffChangefeed } from "../../../src/providers/changefeed/diff";
import type { ChangefeedOutputs } from "../../../src/providers/changefeed/types";
import { describeProgress, isNewerHlc } from "../../../src/providers/changefeed/verify";

const URL = "https://replicator:30004/molt/public";

function observation(overrides: Partial<DeliveryObservation> = {}): DeliveryObservation {
    return {
        jobId: "42",
        timeoutSeconds: 120,
        baseline: "1759246920563173000.0000000000",
        partition: "molt.public",
        stagingSchema: "defaultdb._replicator",
        webhookUrl: URL,
        hasToken: true,
        tableMissing: false,
        status: "running",
        ...overrides,
    };
}

describe("delivery verification (pure)", () => {
    it("reads the latest checkpoint of the partition with a bind parameter and quoted names", () => {
        assert.equal(
            latestCheckpointQuery("defaultdb._replicator"),
            "SELECT CAST(max(source_hlc) AS TEXT) AS source_hlc, " +
                "CAST(max(CASE WHEN target_applied_at IS NOT NULL THEN source_hlc END) AS TEXT) AS applied_hlc " +
                'FROM "defaultdb"."_replicator"."checkpoints" WHERE group_name = $1 AND partition = $1',
        );
        assert.match(
            latestCheckpointQuery("_replicator"),
            /"_replicator"\."public"\."checkpoints"/,
        );
        assert.equal(deliveryPartition(["Molt", "Public"]), "molt.public");
        assert.equal(deliveryPartition(["MIGRATION_SCHEMA"]), "migration_schema");
    });

    it("compares HLC decimals exactly (logical counter included)", () => {
        const base = "1759246920563173000.0000000000";
        assert.equal(isNewerHlc("1759246920563173000.0000000001", base), true);
        assert.equal(isNewerHlc(base, base), false);
        assert.equal(isNewerHlc("1759246920563172999.9999999999", base), false);
        assert.equal(isNewerHlc(undefined, base), false);
        assert.equal(isNewerHlc("garbage", base), false);
    });

    it("a checkpoint recorded but not applied names privileges, missing tables and the replicator's logs and metrics", () => {
        const o = observation({
            lastCheckpoint: "1759246920999999999.0000000000",
            lastAppliedCheckpoint: "1759246900000000000.0000000000",
            receivedNotApplied: true,
            runningStatus: "running: resolved=1759246920.999999999,0",
        });
        const message = deliveryFailureMessage(o);
        assert.match(
            message,
            /applied no resolved timestamp newer than 1759246920563173000\.0000000000 for molt\.public to the target/,
        );
        assert.match(
            message,
            /latest recorded 1759246920999999999\.0000000000, latest applied 1759246900000000000\.0000000000/,
        );
        const hints = deliveryHints(o);
        assert.equal(hints.length, 1, hints.join("\n"));
        assert.match(hints[0]!, /received but not applied/);
        assert.match(hints[0]!, /target_applied_at is still NULL/);
        assert.match(hints[0]!, /privileges \(SELECT, INSERT, UPDATE, DELETE/);
        assert.match(hints[0]!, /missing tables/);
        assert.match(hints[0]!, /"error while copying data for molt\.public; will restart"/);
        assert.match(hints[0]!, /apply_errors_total metric on \/_\/varz/);
    });

    it("progress lines say what the job and the checkpoints show, without secrets", () => {
        const base = "1759246920563173000.0000000000";
        const job = {
            jobId: "42",
            status: "running",
            runningStatus:
                'transient error: Post "https://u:pw@replicator:30004/molt/public": 401 TOKEN-1',
            highWaterTimestamp: "1759246925000000000.0000000000",
        } as Parameters<typeof describeProgress>[0];
        const recorded = describeProgress(
            job,
            { value: "1759246925000000000.0000000000", applied: base, tableMissing: false },
            base,
            ["TOKEN-1", "https://u:pw@replicator:30004/molt/public"],
        );
        assert.match(recorded, /^job running, running status "transient error: /);
        assert.match(recorded, /high-water 1759246925000000000\.0000000000/);
        assert.match(
            recorded,
            /latest checkpoint 1759246925000000000\.0000000000 \(recorded, not applied yet\), latest applied 1759246920563173000\.0000000000$/,
        );
        assert.ok(!recorded.includes("TOKEN-1") && !recorded.includes(":pw@"), recorded);
        assert.match(
            describeProgress(
                undefined,
                { value: base, applied: base, tableMissing: false },
                base,
                [],
            ),
            /^job not found, latest checkpoint 1759246920563173000\.0000000000 \(not newer than the cursor\)$/,
        );
        assert.equal(
            describeProgress(undefined, { tableMissing: true }, base, []),
            "job not found, checkpoints table not found",
        );
    });

    it("gives one hint per troubleshooting case", () => {
        const hint = (text: string, extra: Partial<DeliveryObservation> = {}) =>
            deliveryHints(observation({ lastTransientError: text, ...extra })).join("\n");
        assert.match(
            hint(
                'transient error: Post "https://replicator:30004/molt/public": dial tcp 10.0.0.1:30004: connect: connection refused',
            ),
            /replicator is down.*wrong host or port.*Service port does not match the replicator's --bindAddr/,
        );
        assert.match(
            hint('transient error: 400 Bad Request: unknown schema: "molt"."public"'),
            /\/<db>\/<schema> for PostgreSQL \(db = the database of the replicator's --targetConn\), \/<db> for MySQL, \/<SCHEMA>/,
        );
        assert.match(
            hint("transient error: 401 Unauthorized: missing or invalid access token"),
            /not be in defaultdb\._replicator\.jwt_public_keys yet \(the replicator re-reads the keys once a minute.*schema claim/,
        );
        assert.match(
            hint("transient error: 401 Unauthorized: missing or invalid access token", {
                hasToken: false,
            }),
            /--disableAuthentication/,
        );
        assert.match(
            hint(
                'transient error: Post "https://replicator:30004/molt/public": tls: failed to verify certificate: x509: certificate signed by unknown authority',
            ),
            /chain to caCertPem and cover the webhook host replicator in its subject alternative names/,
        );
        assert.match(
            hint(
                "transient error: 400 Bad Request: proposed checkpoint timestamp for group=molt.public, partition=molt.public is going backwards: 1.0",
            ),
            /already holds a later checkpoint for molt\.public/,
        );
        assert.match(
            deliveryHints(observation({ runningStatus: "running: resolved=1759246921.0,0" })).join(
                "",
            ),
            /another HTTPS server that answers 2xx/,
        );
        assert.match(
            deliveryHints(observation({ tableMissing: true })).join(""),
            /defaultdb\._replicator\.checkpoints does not exist/,
        );
    });

    it("names the job's texts, the baseline and the last checkpoint in the failure", () => {
        const message = deliveryFailureMessage(
            observation({
                runningStatus: "running: resolved=1759246925.000000000,0",
                lastTransientError:
                    "transient error: 401 Unauthorized: missing or invalid access token",
                lastCheckpoint: "1759246900000000000.0000000000",
                highWater: "1759246925000000000.0000000000",
            }),
        );
        assert.match(message, /^changefeed job 42: delivery not verified within 120s/);
        assert.match(message, /newer than 1759246920563173000\.0000000000 for molt\.public/);
        assert.match(
            message,
            /latest recorded 1759246900000000000\.0000000000, latest applied none/,
        );
        assert.match(message, /high-water is no proof/);
        assert.match(message, /last transient error "transient error: 401/);
        assert.match(message, /Hints: \(1\) 401:/);
    });

    it("check validates verifyDelivery and refuses a target schema other than the path's", () => {
        const base = {
            connection: "postgresql://root@crdb:26257/defaultdb",
            tables: ["t"],
            webhookUrl: URL,
            caCertPem: undefined,
        };
        const failures = (extra: Record<string, unknown>) =>
            (checkChangefeed({ ...base, ...extra }).failures ?? [])
                .filter((f) => (f.property || f.reason).includes("verifyDelivery"))
                .map((f) => `${f.property}|${f.reason}`);
        assert.deepEqual(
            failures({
                verifyDelivery: {
                    stagingSchema: "defaultdb._replicator",
                    targetSchema: ["molt", "public"],
                },
            }),
            [],
        );
        assert.deepEqual(failures({ verifyDelivery: false }), []);
        const bad = failures({
            verifyDelivery: { stagingSchema: "a.b.c", targetSchema: [], timeoutSeconds: 0 },
            stagingConnection: "mysql://nope",
        });
        assert.equal(bad.length, 4, bad.join("\n"));
        assert.ok(bad.some((f) => f.startsWith("|verifyDelivery.stagingConnection:")));
        assert.ok(!bad.join("").includes("mysql://nope"), "the secret is never echoed");
        assert.match(
            failures({
                verifyDelivery: { stagingSchema: "_replicator", targetSchema: ["other", "public"] },
            }).join(""),
            /must name the schema of the webhook path \/molt\/public/,
        );
        assert.equal(targetSchemaMismatch(["MOLT", "Public"], URL), undefined);
    });

    it("diff: an unverified feed (failed verification, older state) is a change; verified is not", () => {
        const olds = {
            connection: "postgresql://root@crdb:26257/defaultdb",
            tables: ["t"],
            webhookUrl: URL,
            caCertPem: "CA",
            status: "running",
            jobId: "1",
            cursor: "1.0000000000",
            sinkUri: "x",
            clusterId: "c",
            stateVersion: 1,
            verifyDelivery: {
                stagingSchema: "defaultdb._replicator",
                targetSchema: ["molt", "public"],
            },
        } as ChangefeedOutputs;
        const news = { ...olds } as Record<string, unknown>;
        for (const k of ["status", "jobId", "cursor", "sinkUri", "clusterId", "stateVersion"]) {
            delete news[k];
        }
        assert.deepEqual(diffChangefeed(olds, news as never), { changes: true });
        assert.deepEqual(
            diffChangefeed({ ...olds, deliveryVerifiedAt: "2026-01-01T00:00:00Z" }, news as never),
            { changes: false },
        );
        assert.deepEqual(
            diffChangefeed({ ...olds, deliveryVerifiedAt: "2026-01-01T00:00:00Z" }, {
                ...news,
                verifyDelivery: { ...olds.verifyDelivery, timeoutSeconds: 300 },
            } as never),
            { changes: true },
        );
    });
});

describe("targetSchemaMismatch reads the path as the replicator does (request.go parseURL)", () => {
    it("ignores empty segments: a trailing or doubled slash names the same schema", () => {
        assert.equal(
            targetSchemaMismatch(["molt", "public"], "https://replicator:30004/molt/public/"),
            undefined,
        );
        assert.equal(
            targetSchemaMismatch(["molt", "public"], "https://replicator:30004/molt//public"),
            undefined,
        );
    });

    it("query-unescapes each segment: + is a space, %2B is a plus", () => {
        assert.equal(
            targetSchemaMismatch(["my db", "public"], "https://replicator:30004/my+db/public"),
            undefined,
        );
        assert.equal(
            targetSchemaMismatch(["a+b", "public"], "https://replicator:30004/a%2Bb/public"),
            undefined,
        );
        assert.match(
            targetSchemaMismatch(["my+db", "public"], "https://replicator:30004/my+db/public") ??
                "",
            /must name the schema of the webhook path/,
        );
    });
});
