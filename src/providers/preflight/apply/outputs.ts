/** Runs the pre-flight for create/update: fails with the whole report, or returns the outputs. */
import { runPreflight, type TargetOpener } from "./run";
import { fails, findingLine, formatReport, sortFindings } from "../report";
import type { PreflightConfig, PreflightInputs, PreflightOutputs } from "../types";

export const STATE_VERSION = 1;

/** Thrown when the pre-flight finds problems; `report` is the text the command prints too. */
export class PreflightFailedError extends Error {
    constructor(readonly report: string) {
        super(report);
        this.name = "PreflightFailedError";
    }
}

export async function preflightOutputs(
    inputs: PreflightInputs,
    config: PreflightConfig,
    openTarget?: TargetOpener,
): Promise<PreflightOutputs> {
    const findings = await runPreflight(config, openTarget);
    const subject = `${config.tables.map((t) => t.key).join(", ")} → ${config.target.label}`;
    if (fails(findings, config.failOnWarnings))
        throw new PreflightFailedError(formatReport(findings, subject));
    return {
        ...inputs,
        stateVersion: STATE_VERSION,
        checkedAt: new Date().toISOString(),
        warnings: sortFindings(findings).map(findingLine),
        checkedTables: config.tables.map(
            (t) => `${config.target.schema}.${config.target.dialect.targetTableName(t.table)}`,
        ),
    };
}
