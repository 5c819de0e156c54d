/**
 * The pre-flight report as text: one line per finding (severity, check, object, problem, fix),
 * errors first. The provider's error and the `crdb-failback-preflight` command print the same.
 */
import type { Finding } from "./types";

const ORDER: Record<Finding["severity"], number> = { error: 0, warning: 1, notChecked: 2 };
const LABEL: Record<Finding["severity"], string> = {
    error: "ERROR",
    warning: "WARNING",
    notChecked: "NOT CHECKED",
};

/** Findings sorted by severity, then check and object (stable across runs). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
    return [...findings].sort(
        (a, b) =>
            ORDER[a.severity] - ORDER[b.severity] ||
            a.check.localeCompare(b.check) ||
            a.object.localeCompare(b.object),
    );
}

/** One finding as a report line. */
export function findingLine(finding: Finding): string {
    return `${LABEL[finding.severity]} [${finding.check}] ${finding.object}: ${finding.problem}. Fix: ${finding.fix}`;
}

/** Whether the findings fail the pre-flight. */
export function fails(findings: readonly Finding[], failOnWarnings: boolean): boolean {
    return findings.some(
        (f) => f.severity === "error" || (failOnWarnings && f.severity === "warning"),
    );
}

/** The full report: a summary line and every finding. */
export function formatReport(findings: readonly Finding[], subject: string): string {
    const count = (s: Finding["severity"]) => findings.filter((f) => f.severity === s).length;
    const errors = count("error");
    const head =
        errors > 0
            ? `Pre-flight of ${subject} failed: ${errors} problem(s), ${count("warning")} warning(s), ${count("notChecked")} not checked. Nothing was created or changed.`
            : `Pre-flight of ${subject} passed: ${count("warning")} warning(s), ${count("notChecked")} not checked.`;
    return [head, ...sortFindings(findings).map((f) => `  ${findingLine(f)}`)].join("\n");
}
