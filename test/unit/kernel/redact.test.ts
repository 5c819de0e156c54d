import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { redactUrl, scrubSecrets, scrubbedError } from "../../../src/providers/kernel/redact";

describe("redactUrl", () => {
    it("replaces the password and every query value, keeps scheme, user, host, port and path", () => {
        assert.equal(
            redactUrl("postgres://admin:S3cret!@db.example:5433/app?sslmode=require&sslkey=KEY"),
            "postgres://admin:redacted@db.example:5433/app?sslmode=redacted&sslkey=redacted",
        );
    });

    it("leaves a URL without password or query as it is", () => {
        assert.equal(redactUrl("mysql://root@127.0.0.1:3306/"), "mysql://root@127.0.0.1:3306/");
    });

    it("redacts a fragment", () => {
        assert.equal(redactUrl("https://h:1/p#token"), "https://h:1/p#redacted");
    });

    it("never echoes an unparseable URL", () => {
        assert.equal(redactUrl("not a url pw=hunter2"), "<unparseable URL, 20 characters>");
    });
});

describe("scrubSecrets", () => {
    it("replaces a URL without password by its redacted form, so the server stays named", () => {
        const url = "mysql://root@127.0.0.1:3306/";
        assert.equal(
            scrubSecrets(`reading the catalog failed on ${url}: connection lost`, [url, ""]),
            "reading the catalog failed on mysql://root@127.0.0.1:3306/: connection lost",
        );
    });

    it("replaces a URL with a password by the redacted URL, and the bare password everywhere", () => {
        const password = "Pa55:w/rd@x";
        const url = `postgres://admin:${encodeURIComponent(password)}@10.0.0.5:5432/app?sslkey=KEYDATA`;
        const out = scrubSecrets(
            `connect ${url} failed; password "${password}" rejected; key KEYDATA`,
            [url, password],
        );
        assert.equal(
            out,
            "connect postgres://admin:redacted@10.0.0.5:5432/app?sslkey=redacted failed; " +
                'password "redacted" rejected; key KEYDATA',
        );
        assert.ok(!out.includes(password));
        assert.ok(!out.includes(encodeURIComponent(password)));
    });

    it("matches a URL whole even when its password is listed first", () => {
        const url = "mysql://u:longpassword@h:3306/";
        assert.equal(
            scrubSecrets(`at ${url}`, ["longpassword", url]),
            "at mysql://u:redacted@h:3306/",
        );
    });

    it("redacts every query value of a sink URI", () => {
        const sink = "webhook-https://replicator:30004/db/public?ca_cert=Q0E%3D&client_key=S0VZ";
        assert.equal(
            scrubSecrets(`sink ${sink} refused`, [sink]),
            "sink webhook-https://replicator:30004/db/public?ca_cert=redacted&client_key=redacted refused",
        );
    });

    it("replaces non-URL secrets (passwords, tokens, keys, scheme:opaque strings) fully", () => {
        const key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----";
        const token = "eyJhbGciOi.eyJqdGki.c2ln";
        const colon = "abc:defghi"; // parses as a URL, but has no host: not URL-shaped
        const noHost = "file:///etc/secret";
        const out = scrubSecrets(`${key} ${token} ${colon} ${noHost}`, [key, token, colon, noHost]);
        assert.equal(out, "redacted redacted redacted redacted");
    });

    it("ignores empty and undefined entries", () => {
        assert.equal(scrubSecrets("nothing to hide", [undefined, ""]), "nothing to hide");
    });
});

describe("scrubbedError", () => {
    it("keeps the driver's codes and names the server of a password-less URL", () => {
        const url = "mysql://root@127.0.0.1:3306/";
        const driverError = Object.assign(new Error(`lost connection to ${url}`), {
            code: "PROTOCOL_CONNECTION_LOST",
            errno: 2013,
        });
        const wrapped = scrubbedError(`reading the catalog failed on ${url}`, driverError, [url]);
        assert.equal(
            wrapped.message,
            `reading the catalog failed on ${url}: lost connection to ${url}`,
        );
        assert.equal((wrapped as Error & { code?: unknown }).code, "PROTOCOL_CONNECTION_LOST");
        assert.equal((wrapped as Error & { errno?: unknown }).errno, 2013);
    });
});
