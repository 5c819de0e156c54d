import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { connectCockroach, explicitEndpoint } from "../../../src/providers/cockroach";
import { startCockroachTestServer, type CockroachTestServer } from "../../support/cockroach";

describe("CockroachDB sessions reach the endpoint the resource's identity names", () => {
    it("writes the default port (26257) and database (defaultdb) into a URL that leaves them out", () => {
        assert.equal(
            explicitEndpoint("postgresql://root@db.example/?sslmode=verify-full"),
            "postgresql://root@db.example:26257/defaultdb?sslmode=verify-full",
        );
        assert.equal(explicitEndpoint("postgres://u:p@h:1234/app"), "postgres://u:p@h:1234/app");
    });

    describe("with PGPORT pointing at another server in the provider's environment", () => {
        let server: CockroachTestServer;
        const saved = process.env.PGPORT;
        before(async () => {
            server = await startCockroachTestServer();
            process.env.PGPORT = String(server.port);
        });
        after(async () => {
            if (saved === undefined) delete process.env.PGPORT;
            else process.env.PGPORT = saved;
            await server.stop();
        });

        it("does not follow PGPORT: a URL without a port means 26257, as connectionTarget says", async () => {
            const url = "postgres://root@127.0.0.1/?sslmode=disable";
            await assert.rejects(
                async () => {
                    const session = await connectCockroach(url, [], { connectMs: 2_000 });
                    await session.close();
                },
                // Refused at 26257 (nothing listens there), not answered by the server PGPORT names.
                (err: Error) => /ECONNREFUSED 127\.0\.0\.1:26257/.test(err.message),
            );
        });
    });
});
