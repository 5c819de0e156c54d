/**
 * The privilege check Changefeed.create runs before creating anything: CHANGEFEED on every
 * target table, and the job privileges it needs (VIEWJOB to see other users' feeds for the
 * exclusive guard, CONTROLJOB to take over a feed someone else created). Admins have all.
 */
import { type CockroachSession, quoteIdent } from "../cockroach";
import {
    granteeSql,
    SELECT_CURRENT_USER,
    SELECT_IS_ADMIN,
    showGrantsOnTables,
    showSystemGrants,
} from "./sql";
import type { TableRef } from "./tables";

/** What the connecting user lacks. */
export interface MissingPrivileges {
    user: string;
    /** Tables without CHANGEFEED. */
    tables: TableRef[];
    /** System privileges, e.g. `VIEWJOB`, `CONTROLJOB`. */
    system: string[];
}

/** Which system privileges this run needs (any one of each group suffices). */
export interface JobPrivilegeNeeds {
    /** The exclusive guard must see every user's changefeeds. */
    viewAllJobs: boolean;
    /** Taking over a job created by someone else. */
    controlOtherJobs: boolean;
}

/** Finds what the session user lacks; `undefined` when nothing is missing. */
export async function findMissingPrivileges(
    session: CockroachSession,
    tables: readonly TableRef[],
    needs: JobPrivilegeNeeds,
): Promise<MissingPrivileges | undefined> {
    const userRows = await session.query(SELECT_CURRENT_USER);
    const user = String(userRows[0]?.current_user ?? "");
    const adminRows = await session.query(SELECT_IS_ADMIN);
    const adminRow = adminRows[0] ?? {};
    const isAdmin = adminRow["crdb_internal.is_admin"] ?? Object.values(adminRow)[0];
    if (isAdmin === true || isAdmin === "t" || isAdmin === "true") return undefined;

    const grants = await session.query(showGrantsOnTables(tables, granteeSql(user)));
    const withChangefeed = new Set<string>();
    for (const row of grants) {
        const privilege = String(row.privilege_type ?? "").toUpperCase();
        if (privilege !== "CHANGEFEED" && privilege !== "ALL") continue;
        withChangefeed.add(`${row.database_name}.${row.schema_name}.${row.table_name}`);
    }
    const missingTables = tables.filter((t) => !withChangefeed.has(t.key));

    const systemRows = await session.query(showSystemGrants(granteeSql(user)));
    const system = new Set(systemRows.map((r) => String(r.privilege_type ?? "").toUpperCase()));
    const missingSystem: string[] = [];
    if (needs.controlOtherJobs && !system.has("CONTROLJOB") && !system.has("ALL")) {
        missingSystem.push("CONTROLJOB");
    } else if (
        needs.viewAllJobs &&
        !system.has("VIEWJOB") &&
        !system.has("CONTROLJOB") &&
        !system.has("ALL")
    ) {
        missingSystem.push("VIEWJOB");
    }

    if (missingTables.length === 0 && missingSystem.length === 0) return undefined;
    return { user, tables: missingTables, system: missingSystem };
}

/** The error message for missing privileges, with the GRANT statements that fix it. */
export function missingPrivilegesMessage(missing: MissingPrivileges): string {
    const lacks: string[] = [];
    const grants: string[] = [];
    const user = quoteIdent(missing.user);
    if (missing.tables.length > 0) {
        lacks.push(`CHANGEFEED on ${missing.tables.map((t) => t.key).join(", ")}`);
        grants.push(
            `GRANT CHANGEFEED ON TABLE ${missing.tables.map((t) => t.sql).join(", ")} TO ${user};`,
        );
    }
    for (const privilege of missing.system) {
        const why =
            privilege === "CONTROLJOB"
                ? "to take over a changefeed job another user created (adoptJobId)"
                : "to see other users' changefeeds, which the exclusive guard checks (or set exclusive: false)";
        lacks.push(`system privilege ${privilege} (${why})`);
        grants.push(`GRANT SYSTEM ${privilege} TO ${user};`);
    }
    return (
        `user ${missing.user} cannot create this changefeed: it lacks ${lacks.join("; ")}. ` +
        `As an admin run: ${grants.join(" ")}`
    );
}
