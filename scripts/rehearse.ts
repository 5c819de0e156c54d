/**
 * `npm run rehearse [-- --mysql] [-- --short]`: the whole failback, stood up locally with the
 * real Pulumi CLI and nothing but what `npm ci` fetched.
 *
 * Builds and packs the package, installs it next to a copy of the `deploy/` program (the
 * repository-root project), starts the CockroachDB test server (an emulator of CockroachDB's SQL,
 * jobs and changefeeds, backed by the local PostgreSQL) and the replicator stand-in (MOLT
 * Replicator's webhook, staging and apply, with bring-your-own TLS and a JWT key generated here),
 * then runs `pulumi preview --diff` → `up`, writes rows on the CockroachDB side and shows them
 * arriving in the target (local PostgreSQL, or MariaDB with --mysql), prints the SQL `destroy`
 * will run, runs `destroy`, and compares the target's privileges and the cluster settings before
 * and after. `--short` writes fewer rows and skips the destroy preview (CI).
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import * as path from "node:path";

import { startCockroachTestServer, type CockroachTestServer } from "../test/support/cockroach";
import {
    createEngineStack,
    findBackendLeaks,
    findLeaks,
    PASSPHRASE,
    type EngineStack,
} from "../test/support/engine/engine";
import { REPO_ROOT } from "../test/support/engine/packageInstall";
import {
    snapshotMysqlPrivileges,
    snapshotPostgresPrivileges,
} from "../test/support/grants/snapshots";
import { startReplicatorStandIn, type ReplicatorStandIn } from "../test/support/replicator";
import { makeTestCertificates } from "../test/support/replicator/testCerts";
import {
    MARIADB_ADMIN_URL,
    POSTGRES_ADMIN_URL,
    requireService,
    uniqueName,
} from "../test/support/services";
import { withMysql, withPg } from "../test/support/sessions";

const args = new Set(process.argv.slice(2));
const MYSQL = args.has("--mysql");
const SHORT = args.has("--short");
const STAGING_SCHEMA = "defaultdb._replicator";
const SETTINGS = [
    "kv.rangefeed.enabled",
    "kv.rangefeed.closed_timestamp_refresh_interval",
    "kv.closed_timestamp.target_duration",
];
const ARRIVAL_TIMEOUT_MS = 60_000;

function say(text = ""): void {
    process.stdout.write(`${text}\n`);
}

function heading(text: string): void {
    say(`\n=== ${text} ${"=".repeat(Math.max(0, 90 - text.length))}`);
}

function password(): string {
    return `rh-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
}

/** The local target database: a fresh database, a replicator user and an admin. */
interface Target {
    label: string;
    config: Record<string, string>;
    secrets: Record<string, string>;
    passwords: string[];
    replicatorUrl: string;
    rows(): Promise<string[]>;
    privileges(): Promise<string[]>;
    tearDown(): Promise<void>;
}

async function postgresTarget(): Promise<Target> {
    await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
    const database = uniqueName("rehearse_pg");
    const grantee = uniqueName("rh_repl");
    const admin = uniqueName("rh_admin");
    const [granteePw, adminPw] = [password(), password()];
    const url = (user?: string, pw?: string) => {
        const u = new URL(POSTGRES_ADMIN_URL);
        u.pathname = `/${database}`;
        if (user) [u.username, u.password] = [user, pw ?? ""];
        return u.toString();
    };
    await withPg(POSTGRES_ADMIN_URL, async (c) => {
        await c.query(`CREATE DATABASE ${database}`);
        await c.query(`CREATE ROLE ${grantee} LOGIN PASSWORD '${granteePw}'`);
        await c.query(`CREATE ROLE ${admin} LOGIN SUPERUSER PASSWORD '${adminPw}'`);
    });
    await withPg(url(), async (c) => {
        await c.query("CREATE TABLE public.orders (id bigint PRIMARY KEY, v text)");
        // Held before the stack: destroy must keep it.
        await c.query(`GRANT SELECT ON public.orders TO ${grantee}`);
    });
    return {
        label: `PostgreSQL ${new URL(POSTGRES_ADMIN_URL).host}/${database}`,
        config: { dialect: "postgres", grantee, database, schema: "public" },
        secrets: {
            targetAdminConnection: url(admin, adminPw),
            targetReplicatorConnection: url(grantee, granteePw),
        },
        passwords: [granteePw, adminPw],
        replicatorUrl: url(grantee, granteePw),
        rows: () =>
            withPg(url(), async (c) =>
                (await c.query("SELECT id, v FROM public.orders ORDER BY id")).rows.map(
                    (r: { id: number; v: string }) => `${r.id}=${r.v}`,
                ),
            ),
        privileges: () => snapshotPostgresPrivileges(url(), "public"),
        tearDown: () =>
            withPg(POSTGRES_ADMIN_URL, async (c) => {
                await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
                await c.query(`DROP ROLE IF EXISTS ${grantee}`);
                await c.query(`DROP ROLE IF EXISTS ${admin}`);
            }),
    };
}

async function mariadbTarget(): Promise<Target> {
    await requireService("MariaDB", MARIADB_ADMIN_URL);
    const database = uniqueName("rehearse_my");
    const grantee = uniqueName("rhr").slice(0, 32);
    const admin = uniqueName("rha").slice(0, 32);
    const [granteePw, adminPw] = [password(), password()];
    const url = (user: string, pw: string, db = "") =>
        `mysql://${user}:${encodeURIComponent(pw)}@127.0.0.1:3306/${db}`;
    await withMysql(async (c) => {
        await c.query(`CREATE DATABASE \`${database}\``);
        await c.query(`CREATE TABLE \`${database}\`.orders (id bigint PRIMARY KEY, v text)`);
        await c.query(`CREATE USER '${grantee}'@'%' IDENTIFIED BY '${granteePw}'`);
        await c.query(`CREATE USER '${admin}'@'%' IDENTIFIED BY '${adminPw}'`);
        await c.query(`GRANT ALL ON *.* TO '${admin}'@'%' WITH GRANT OPTION`);
        await c.query(`GRANT SELECT ON \`${database}\`.orders TO '${grantee}'@'%'`);
    });
    return {
        label: `MariaDB 127.0.0.1:3306/${database}`,
        config: { dialect: "mysql", grantee, schema: database },
        secrets: {
            targetAdminConnection: url(admin, adminPw),
            targetReplicatorConnection: url(grantee, granteePw, database),
        },
        passwords: [granteePw, adminPw],
        replicatorUrl: url(grantee, granteePw, database),
        rows: () =>
            withMysql(async (c) => {
                const [rows] = await c.query(
                    `SELECT id, v FROM \`${database}\`.orders ORDER BY id`,
                );
                return (rows as Array<{ id: number; v: string }>).map((r) => `${r.id}=${r.v}`);
            }),
        privileges: () => snapshotMysqlPrivileges(MARIADB_ADMIN_URL, grantee, "%"),
        tearDown: () =>
            withMysql(async (c) => {
                await c.query(`DROP DATABASE IF EXISTS \`${database}\``);
                await c.query(`DROP USER IF EXISTS '${grantee}'@'%'`);
                await c.query(`DROP USER IF EXISTS '${admin}'@'%'`);
            }),
    };
}

async function crdbSql(url: string, text: string): Promise<Array<Record<string, unknown>>> {
    return withPg(url, async (c) => (await c.query(text)).rows);
}

async function settingsSnapshot(url: string): Promise<string[]> {
    const rows = await crdbSql(url, "SHOW ALL CLUSTER SETTINGS");
    return rows
        .filter((r) => SETTINGS.includes(String(r.variable)))
        .map((r) => `${r.variable} = ${r.value} (${r.origin})`)
        .sort();
}

/** Polls until `condition` holds (the replicator applies asynchronously), bounded. */
async function waitFor(condition: () => Promise<boolean>, what: string): Promise<number> {
    const start = Date.now();
    while (!(await condition())) {
        if (Date.now() - start > ARRIVAL_TIMEOUT_MS) {
            throw new Error(`timed out after ${ARRIVAL_TIMEOUT_MS / 1000} s waiting until ${what}`);
        }
        await new Promise((r) => setTimeout(r, 250));
    }
    return Date.now() - start;
}

/** Runs the real CLI on the rehearsal stack (same backend, passphrase and PULUMI_HOME). */
function pulumiCli(engine: EngineStack, cliArgs: string[]): string {
    const workspace = engine.stack.workspace as unknown as {
        envVars: Record<string, string>;
        pulumiHome?: string;
    };
    return execFileSync(
        path.join(REPO_ROOT, ".tools", "bin", "pulumi"),
        [...cliArgs, "--stack", engine.stack.name, "--non-interactive"],
        {
            cwd: engine.workDir,
            encoding: "utf8",
            env: {
                ...process.env,
                ...workspace.envVars,
                PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
                ...(workspace.pulumiHome ? { PULUMI_HOME: workspace.pulumiHome } : {}),
            },
            maxBuffer: 64 * 1024 * 1024,
        },
    );
}

/** `pulumi stack export | crdb-failback-destroy-plan`, with the bin of the installed package. */
function destroyPlan(engine: EngineStack): string {
    const exported = pulumiCli(engine, ["stack", "export"]);
    const bin = path.join(
        engine.workDir,
        "..",
        "..",
        "node_modules",
        ".bin",
        "crdb-failback-destroy-plan",
    );
    return execFileSync(bin, [], { input: exported, encoding: "utf8" });
}

function compare(title: string, before: string[], after: string[]): boolean {
    const same = JSON.stringify(before) === JSON.stringify(after);
    say(`${title}: ${same ? "IDENTICAL before and after" : "DIFFERENT"}`);
    const all = [...new Set([...before, ...after])].sort();
    for (const line of all) {
        const mark =
            before.includes(line) && after.includes(line)
                ? "  "
                : before.includes(line)
                  ? "- "
                  : "+ ";
        say(`  ${mark}${line}`);
    }
    return same;
}

async function main(): Promise<void> {
    heading("Failback rehearsal");
    say(
        "The CockroachDB side is the project's CockroachDB test server: an EMULATOR that follows\n" +
            "CockroachDB's SQL, cluster settings, jobs and changefeed behaviour (backed by the local\n" +
            "PostgreSQL); the replicator is a stand-in for MOLT Replicator's webhook, staging and apply.\n" +
            `The target is a real local ${MYSQL ? "MariaDB" : "PostgreSQL"} database. The Pulumi program, the package and the\n` +
            "Pulumi CLI are the real ones; nothing is downloaded (TLS and the JWT key are made here).",
    );

    heading(
        "1. Build, pack and install the package; the Pulumi CLI from scripts/install-pulumi-tools.sh",
    );
    execFileSync("bash", ["scripts/install-pulumi-tools.sh"], { cwd: REPO_ROOT, stdio: "inherit" });
    execFileSync("npm", ["run", "--silent", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
    say(
        `pulumi ${execFileSync(path.join(REPO_ROOT, ".tools/bin/pulumi"), ["version"], { encoding: "utf8" }).trim()} (.tools/bin/pulumi)`,
    );

    heading("2. Start the CockroachDB emulator, the replicator stand-in and the target");
    const target = MYSQL ? await mariadbTarget() : await postgresTarget();
    let crdb: CockroachTestServer | undefined;
    let standIn: ReplicatorStandIn | undefined;
    let engine: EngineStack | undefined;
    let ok = true;
    try {
        crdb = await startCockroachTestServer();
        await crdbSql(crdb.url, "CREATE TABLE orders (id INT PRIMARY KEY, v STRING)");
        // Not at its default before failback: destroy must SET it back, not RESET it.
        await crdbSql(crdb.url, "SET CLUSTER SETTING kv.closed_timestamp.target_duration = '2s'");
        const certs = makeTestCertificates();
        const jwtPrivateKeyPem = generateKeyPairSync("ec", { namedCurve: "P-256" })
            .privateKey.export({ type: "pkcs8", format: "pem" })
            .toString();
        standIn = await startReplicatorStandIn({
            targetConnection: target.replicatorUrl,
            stagingConnection: crdb.backingDatabaseUrl,
            stagingSchema: STAGING_SCHEMA,
            stagingCreateSchema: true,
            tls: { certPem: certs.serverCertPem, keyPem: certs.serverKeyPem },
            jwtKeyRefreshMs: 200,
        });
        // The stand-in also plays the forward replicator (CockroachDB as its target): it has
        // applied rows before, so its metrics carry apply counters that the drain gate measures
        // (a replicator that applied nothing serves none, and the gate refuses to pass on that).
        standIn.setCounters("defaultdb.public", "orders", { upserts: 42, deletes: 3 });
        say(
            `CockroachDB emulator: ${new URL(crdb.url).host}   replicator stand-in: ${standIn.url}`,
        );
        say(`target: ${target.label}`);
        const privilegesBefore = await target.privileges();
        const settingsBefore = await settingsSnapshot(crdb.url);
        const secrets = [
            ...target.passwords,
            certs.serverKeyPem,
            certs.clientKeyPem,
            jwtPrivateKeyPem,
        ];

        heading("3. The deploy/ program (Pulumi.yaml at the repository root), stack config");
        engine = await createEngineStack({
            programDir: REPO_ROOT,
            stackName: "rehearsal",
            config: {
                ...target.config,
                stagingSchema: STAGING_SCHEMA,
                tables: "orders",
                externalUrl: standIn.url,
                tlsCaCertPem: certs.caPem,
                tlsCertPem: certs.serverCertPem,
                tlsClientCertPem: certs.clientCertPem,
                resolved: "100ms",
                minCheckpointFrequency: "100ms",
                // The stand-in's metrics play the forward replicator: quiet, so the gate opens.
                forwardMetricsUrl: standIn.metricsUrl,
                forwardQuietPeriodSeconds: "1",
                forwardPollIntervalSeconds: "1",
                forwardTimeoutSeconds: "60",
            },
            secrets: {
                ...target.secrets,
                cockroachConnection: crdb.url,
                tlsKeyPem: certs.serverKeyPem,
                tlsClientKeyPem: certs.clientKeyPem,
                jwtPrivateKeyPem,
            },
        });
        say(`project copy: ${engine.workDir}\nbackend: file://${engine.stateDir}`);

        heading("4. pulumi preview --diff");
        const preview = await engine.preview();
        say(preview.stdout);

        heading("5. pulumi up");
        const up = await engine.up();
        for (const [key, output] of Object.entries(up.outputs)) {
            say(`  ${key}: ${output.secret ? "[secret]" : JSON.stringify(output.value)}`);
        }

        heading("6. Rows written on CockroachDB arrive in the target");
        const count = SHORT ? 3 : 20;
        const values = Array.from({ length: count }, (_, i) => `(${i + 1}, 'row ${i + 1}')`);
        await crdbSql(crdb.url, `INSERT INTO orders VALUES ${values.join(", ")}`);
        await crdbSql(crdb.url, "UPDATE orders SET v = 'updated' WHERE id = 1");
        await crdbSql(crdb.url, `DELETE FROM orders WHERE id = ${count}`);
        const expected = [
            "1=updated",
            ...Array.from({ length: count - 2 }, (_, i) => `${i + 2}=row ${i + 2}`),
        ];
        const ms = await waitFor(
            async () => JSON.stringify(await target.rows()) === JSON.stringify(expected),
            `the ${count} inserts, 1 update and 1 delete reach the target`,
        );
        say(
            `${count} inserts, 1 update, 1 delete on CockroachDB → target holds ${expected.length} rows after ${ms} ms:`,
        );
        for (const row of await target.rows()) say(`  ${row}`);

        heading("7. What destroy will run (pulumi stack export | crdb-failback-destroy-plan)");
        say(destroyPlan(engine));
        if (!SHORT) {
            say(
                "\n(pulumi destroy --preview-only lists the resources; the engine does not ask a dynamic provider what it will run:)",
            );
            say(pulumiCli(engine, ["destroy", "--preview-only"]));
        }

        heading("8. pulumi destroy");
        await engine.destroy();
        say("destroy finished");

        heading("9. Before / after");
        ok =
            compare(
                `target privileges (${target.label})`,
                privilegesBefore,
                await target.privileges(),
            ) && ok;
        ok =
            compare(
                "CockroachDB cluster settings",
                settingsBefore,
                await settingsSnapshot(crdb.url),
            ) && ok;
        const running = crdb.jobs().filter((j) => j.status === "running").length;
        say(`changefeed jobs still running: ${running}`);
        ok = running === 0 && ok;
        const leaks = [
            ...findBackendLeaks(engine.stateDir, secrets),
            ...findLeaks(engine.log(), secrets),
        ];
        say(
            leaks.length === 0
                ? "secrets: none of the passwords or keys is in any state, backup or history file, or in the CLI output"
                : `secrets LEAKED: ${leaks.join("; ")}`,
        );
        ok = leaks.length === 0 && ok;

        heading("Pointing the same program at a real cluster");
        say(
            "From the repository root: npm install --prefix deploy <the packed pulumi-crdb-failback tarball>,\n" +
                "pulumi stack init prod, then set the same keys with your real values (deploy/README.md):\n" +
                "  pulumi config set --secret cockroachConnection 'postgresql://…@crdb:26257/defaultdb?sslmode=verify-full'\n" +
                "  pulumi config set --secret targetAdminConnection … ; pulumi config set --secret targetReplicatorConnection …\n" +
                "  and either namespace (the replicator in Kubernetes) or externalUrl + tls* keys (a replicator you run),\n" +
                "  and forwardMetricsUrl (the forward replicator's metrics) so the cursor is taken after the drain.\n" +
                "Then: pulumi preview --diff --policy-pack policy, pulumi up; before tearing down:\n" +
                "  pulumi stack export | npx crdb-failback-destroy-plan, then pulumi destroy.",
        );
    } finally {
        await engine?.dispose().catch(() => undefined);
        await standIn?.stop().catch(() => undefined);
        await crdb?.stop().catch(() => undefined);
        await target.tearDown().catch(() => undefined);
    }
    heading(ok ? "REHEARSAL PASSED: the databases are as they were found" : "REHEARSAL FAILED");
    if (!ok) process.exitCode = 1;
}

main().catch((err: unknown) => {
    process.stderr.write(`rehearsal failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
});
