import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Client } from "pg";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../services";
import { startCockroachTestServer, type CockroachTestServer } from "./index";
import { connect, rejects, waitFor } from "./testHelpers";

const SINK = "webhook-https://127.0.0.1:1/db/public";

describe("CockroachDB test server: users and privileges (§6.1, §6.6, §6.9)", () => {
    let server: CockroachTestServer;
    let root: Client & { tags: string[] };
    let user: Client;
    const name = uniqueName("cdc_user");

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        server = await startCockroachTestServer();
        root = await connect(server.url);
        await root.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
        await root.query("CREATE TABLE items (id INT PRIMARY KEY)");
        await root.query(`CREATE USER ${name} WITH PASSWORD $1`, ["s3cret"]);
        assert.equal(root.tags.at(-1), "CREATE ROLE");
        user = await connect(server.urlFor(name, "s3cret"));
    });
    after(async () => {
        await user?.end();
        await root?.end();
        await server?.stop();
    });

    it("authenticates users created WITH PASSWORD and refuses a wrong password", async () => {
        await rejects(
            connect(server.urlFor(name, "wrong")),
            "28P01",
            `password authentication failed for user ${name}`,
        );
        await rejects(
            connect(server.urlFor("nobody")),
            "28P01",
            "password authentication failed for user nobody",
        );
        const who = await user.query("SELECT current_user, crdb_internal.is_admin()");
        assert.deepEqual(who.rows[0], { current_user: name, "crdb_internal.is_admin": false });
    });

    it("a non-admin cannot set or read cluster settings until granted", async () => {
        await rejects(
            user.query("SET CLUSTER SETTING kv.rangefeed.enabled = true"),
            "42501",
            "only users with the MODIFYCLUSTERSETTING privilege are allowed to set cluster setting 'kv.rangefeed.enabled'",
        );
        await rejects(
            user.query("SHOW CLUSTER SETTING kv.rangefeed.enabled"),
            "42501",
            "only users with MODIFYCLUSTERSETTING or VIEWCLUSTERSETTING privileges are allowed to show cluster setting 'kv.rangefeed.enabled'",
        );
        await root.query(`GRANT SYSTEM MODIFYCLUSTERSETTING TO ${name}`);
        await user.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
        const grants = await root.query(`SHOW SYSTEM GRANTS FOR ${name}`);
        assert.deepEqual(
            grants.fields.map((f) => f.name),
            ["grantee", "privilege_type", "is_grantable"],
        );
        assert.deepEqual(grants.rows, [
            { grantee: name, privilege_type: "MODIFYCLUSTERSETTING", is_grantable: false },
        ]);
    });

    it("CREATE CHANGEFEED needs CHANGEFEED on every table; SHOW GRANTS reports it", async () => {
        await rejects(
            user.query(`CREATE CHANGEFEED FOR TABLE items INTO '${SINK}'`),
            "42501",
            `user ${name} requires the CHANGEFEED privilege on all target tables to be able to run an enterprise changefeed`,
        );
        const none = await root.query(`SHOW GRANTS ON TABLE items FOR ${name}`);
        assert.deepEqual(
            none.fields.map((f) => `${f.name}:${f.dataTypeID}`),
            [
                "database_name:25",
                "schema_name:25",
                "table_name:25",
                "grantee:25",
                "privilege_type:25",
                "is_grantable:16",
            ],
        );
        assert.equal(none.rows.length, 0);
        await root.query(`GRANT CHANGEFEED ON TABLE defaultdb.public.items TO ${name}`);
        const granted = await root.query(`SHOW GRANTS ON TABLE items FOR ${name}`);
        assert.deepEqual(granted.rows, [
            {
                database_name: "defaultdb",
                schema_name: "public",
                table_name: "items",
                grantee: name,
                privilege_type: "CHANGEFEED",
                is_grantable: false,
            },
        ]);
        const job = await user.query(`CREATE CHANGEFEED FOR TABLE items INTO '${SINK}'`);
        const id = job.rows[0].job_id as string;
        const shown = await user.query(`SHOW CHANGEFEED JOB ${id}`);
        assert.equal(shown.rows[0].user_name, name);
        await user.query(`PAUSE JOB ${id}`);
        await waitFor(
            async () => (await user.query(`SHOW CHANGEFEED JOB ${id}`)).rows[0].status === "paused",
        );
    });

    it("root's grants come through admin; non-admins cannot control admin jobs or grant", async () => {
        const rootGrants = await root.query("SHOW GRANTS ON TABLE items FOR root");
        assert.deepEqual(
            rootGrants.rows.map((r) => [r.grantee, r.privilege_type, r.is_grantable]),
            [
                ["admin", "ALL", true],
                ["root", "ALL", true],
            ],
        );
        const adminJob = (await root.query(`CREATE CHANGEFEED FOR TABLE items INTO '${SINK}'`))
            .rows[0].job_id as string;
        await rejects(
            user.query(`CANCEL JOB ${adminJob}`),
            "42501",
            "only admins can control jobs owned by other admins",
        );
        assert.equal((await user.query(`SHOW CHANGEFEED JOB ${adminJob}`)).rows.length, 0);
        await rejects(
            user.query(`GRANT SYSTEM VIEWJOB TO ${name}`),
            "42501",
            `user ${name} does not have privilege to GRANT SYSTEM`,
        );
        await rejects(
            root.query(`GRANT CHANGEFEED ON TABLE nosuch TO ${name}`),
            "42P01",
            'relation "nosuch" does not exist',
        );
        await rejects(
            root.query("GRANT CHANGEFEED ON TABLE items TO ghost"),
            "42704",
            'role/user "ghost" does not exist',
        );
        await rejects(
            root.query(`CREATE USER ${name}`),
            "42710",
            `a role/user named ${name} already exists`,
        );
        await root.query(`GRANT admin TO ${name}`);
        assert.equal(
            (await user.query("SELECT crdb_internal.is_admin()")).rows[0]["crdb_internal.is_admin"],
            true,
        );
        await user.query(`CANCEL JOB ${adminJob}`);
    });
});
