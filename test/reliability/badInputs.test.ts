/**
 * The bad-input corpus (badInputs.ts) against every resource's offline validation, then a
 * representative subset through the real engine: `pulumi preview` must fail with each case's
 * message while every connection URL points at a TCP proxy in front of the real servers, and
 * the proxies must have accepted no connection and the CockroachDB test server must have
 * received no statement.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import { createEngineStack, type EngineStack, findLeaks } from "../support/engine/engine";
import { startTcpProxy, type TcpProxy } from "../support/faults/tcpProxy";
import {
    MARIADB_ADMIN_URL,
    POSTGRES_ADMIN_URL,
    requireService,
    uniqueName,
} from "../support/services";
import {
    type BadInputCase,
    badInputCases,
    corpusSecrets,
    createFixtures,
    type Endpoints,
    endpointUrl,
    type Fixtures,
    knownGapCases,
    RESOURCE_KINDS,
} from "./badInputs";
import { failuresOf, judge } from "./checkRunner";
import { type Cockroach, startCockroach } from "./environment";

const PROGRAM = path.join(__dirname, "programs", "bad-inputs");

let fixtures: Fixtures;
let cockroach: Cockroach;
let proxies: { postgres: TcpProxy; mysql: TcpProxy; cockroach: TcpProxy };
let endpoints: Endpoints;

before(async () => {
    await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
    await requireService("MariaDB", MARIADB_ADMIN_URL);
    fixtures = await createFixtures();
    cockroach = await startCockroach({ rangefeeds: false });
    proxies = {
        postgres: await startTcpProxy({ targetPort: Number(new URL(POSTGRES_ADMIN_URL).port) }),
        mysql: await startTcpProxy({ targetPort: Number(new URL(MARIADB_ADMIN_URL).port) }),
        cockroach: await startTcpProxy({ targetPort: cockroach.server.port }),
    };
    const password = (what: string) => `${uniqueName(`Pw-${what}`)}-S3cret`;
    endpoints = {
        postgres: endpointUrl("postgres", proxies.postgres.port, password("pg"), "postgres"),
        mysql: endpointUrl("mysql", proxies.mysql.port, password("my")),
        cockroach: endpointUrl(
            "postgresql",
            proxies.cockroach.port,
            password("crdb"),
            "defaultdb",
            "?sslmode=disable",
        ),
    };
});

after(async () => {
    await Promise.all(Object.values(proxies ?? {}).map((p) => p.close()));
    await cockroach?.stop();
});

/** Asserts no database saw a connection and the CockroachDB test server ran no statement. */
function assertServersSawNothing(): void {
    for (const [name, proxy] of Object.entries(proxies)) {
        assert.equal(proxy.connections, 0, `the ${name} proxy accepted a connection`);
    }
    assert.deepEqual(cockroach.server.statements, [], "statements reached CockroachDB");
}

describe("bad-input corpus: offline validation", () => {
    it("has at least 40 cases, every resource covered, names unique", () => {
        const cases = badInputCases(fixtures, endpoints);
        assert.ok(cases.length >= 40, `only ${cases.length} cases`);
        for (const kind of RESOURCE_KINDS) {
            assert.ok(
                cases.some((c) => c.resource === kind),
                `no case for ${kind}`,
            );
        }
        assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, "duplicate names");
        const engine = cases.filter((c) => c.engine);
        assert.ok(engine.length >= 8, `engine subset has only ${engine.length} cases`);
        for (const kind of RESOURCE_KINDS) {
            assert.ok(
                engine.some((c) => c.resource === kind),
                `engine subset lacks ${kind}`,
            );
        }
    });

    for (const kind of RESOURCE_KINDS) {
        it(`${kind}: every case fails validation naming the property, secrets never echoed`, async () => {
            const secrets = corpusSecrets(fixtures, endpoints);
            const cases = badInputCases(fixtures, endpoints).filter((c) => c.resource === kind);
            const problems: string[] = [];
            for (const c of cases) problems.push(...judge(c, await failuresOf(c), secrets));
            assert.deepEqual(problems, [], problems.join("\n"));
            assertServersSawNothing();
        });
    }

    it("known gaps: inputs check should reject but does not yet (see the report)", async () => {
        const secrets = corpusSecrets(fixtures, endpoints);
        const problems: string[] = [];
        for (const c of knownGapCases(fixtures, endpoints)) {
            problems.push(...judge(c, await failuresOf(c), secrets));
        }
        assert.deepEqual(problems, [], problems.join("\n"));
    });
});

describe("bad-input corpus: the real engine's preview", () => {
    let engine: EngineStack | undefined;

    before(async () => {
        engine = await createEngineStack({
            programDir: PROGRAM,
            config: { cases: "[]" },
        });
    });

    after(async () => {
        await engine?.dispose();
    });

    /** Runs preview with `cases` and returns the CLI output of the failed run. */
    async function failingPreview(cases: BadInputCase[]): Promise<string> {
        const stack = engine!;
        const payload = cases.map(({ name, resource, inputs }) => ({ name, resource, inputs }));
        await stack.setConfig("cases", JSON.stringify(payload));
        const mark = stack.log().length;
        let error: Error | undefined;
        try {
            await stack.preview();
        } catch (err) {
            error = err as Error;
        }
        assert.ok(error, `preview succeeded for ${cases.map((c) => c.name).join(", ")}`);
        return `${stack.log().slice(mark)}\n${error.message}`;
    }

    function assertMentions(output: string, c: BadInputCase): void {
        assert.ok(output.includes(c.reason), `${c.name}: "${c.reason}" missing from:\n${output}`);
        assert.ok(output.includes(c.property), `${c.name}: "${c.property}" missing`);
    }

    // The engine stops a preview at the first resource whose check fails (and a ReplicatorHost
    // throws while the program runs), so every case gets its own preview of one stack.
    it("fails preview with each case's message; no server sees a connection or statement", async () => {
        const secrets = corpusSecrets(fixtures, endpoints);
        const cases = badInputCases(fixtures, endpoints).filter((c) => c.engine);
        for (const c of cases) {
            const output = await failingPreview([c]);
            assertMentions(output, c);
            assert.deepEqual(findLeaks(output, secrets), [], `${c.name}: a secret was printed`);
        }
        assertServersSawNothing();
    });
});
