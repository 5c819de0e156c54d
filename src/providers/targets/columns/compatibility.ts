/**
 * The type compatibility table shared by every dialect: does a target column accept every value
 * the CockroachDB column can hold? A dialect may override a verdict (`typeOverride`). The table,
 * with the reason for each error and warning, is docs/preflight.md, "Type compatibility".
 */
import type { ColumnsDialect, NormalizedType, TypeVerdict } from "./types";

const OK: TypeVerdict = { level: "ok" };
const warn = (reason: string): TypeVerdict => ({ level: "warning", reason });
const fail = (reason: string): TypeVerdict => ({ level: "error", reason });

/** Decimal digits needed for every value of a signed integer of `bits`. */
const INT_DIGITS: Record<number, number> = { 8: 3, 16: 5, 24: 7, 32: 10, 64: 19 };

/** Families whose values the replicator writes as text a string column accepts. */
const TEXT_LIKE = new Set(["uuid", "inet", "interval", "json", "date", "time", "timestamp"]);

/** The verdict for a CockroachDB column of type `source` written into a target column of `target`. */
export function judgeType(
    dialect: Pick<ColumnsDialect, "typeOverride">,
    source: NormalizedType,
    target: NormalizedType,
): TypeVerdict {
    const override = dialect.typeOverride?.(source, target);
    if (override) return override;
    if (source.family === "other" || target.family === "other") {
        return warn(
            `${source.text} → ${target.text} is not in the compatibility table: verify by hand that every value fits`,
        );
    }
    switch (source.family) {
        case "int":
            return intInto(source, target);
        case "decimal":
            return decimalInto(source, target);
        case "float":
            if (target.family === "float") {
                return (target.floatBytes ?? 8) < (source.floatBytes ?? 8)
                    ? warn(`${target.text} keeps about 7 significant digits of ${source.text}'s 15`)
                    : OK;
            }
            if (target.family === "decimal") {
                return warn(
                    `NaN and ±Infinity of ${source.text} cannot be stored in ${target.text}`,
                );
            }
            break;
        case "string":
            return stringInto(source, target);
        case "timestamp":
            if (target.family === "timestamp") {
                if (source.zone && target.zone === false) {
                    return warn(
                        `${target.text} drops the time zone: values are written as the replicator's session time zone (UTC) wall-clock time`,
                    );
                }
                return OK;
            }
            if (target.family === "date") {
                return fail(`${target.text} cannot hold the time of day of ${source.text} values`);
            }
            break;
        default:
            if (source.family === target.family) {
                if (
                    (source.family === "bytes" || source.family === "json") &&
                    target.length !== undefined
                ) {
                    return warn(
                        `${target.text} holds at most ${target.length} bytes; longer ${source.text} values are rejected`,
                    );
                }
                if (source.family === "time" && source.zone && target.zone === false) {
                    return warn(`${target.text} drops the time zone offset of ${source.text}`);
                }
                return OK;
            }
    }
    if (target.family === "string" && (TEXT_LIKE.has(source.family) || source.family === "bool")) {
        return target.length === undefined || target.length >= 36
            ? OK
            : warn(
                  `${source.text} values are written as text; ${target.text} may be too short for them`,
              );
    }
    return fail(`a ${target.text} column cannot store ${source.text} values`);
}

function intInto(source: NormalizedType, target: NormalizedType): TypeVerdict {
    const bits = source.bits ?? 64;
    if (target.family === "int") {
        const targetBits = target.bits ?? 64;
        if (targetBits < bits || (target.unsigned && targetBits <= bits)) {
            return fail(
                `narrowing: ${target.text} cannot hold every ${source.text} value (overflow above ${maxText(targetBits, target.unsigned)}` +
                    `${target.unsigned ? ", and no negative values" : ""})`,
            );
        }
        return target.unsigned ? fail(`${target.text} rejects negative ${source.text} values`) : OK;
    }
    if (target.family === "decimal") {
        const digits = INT_DIGITS[bits] ?? 19;
        if (target.precision === undefined) return OK;
        if (target.precision - (target.scale ?? 0) < digits) {
            return fail(
                `narrowing: ${target.text} holds ${target.precision - (target.scale ?? 0)} integer digits, ${source.text} needs ${digits}`,
            );
        }
        return OK;
    }
    if (target.family === "float") {
        return warn(
            `${target.text} represents integers exactly only up to 2^${target.floatBytes === 4 ? 24 : 53}`,
        );
    }
    if (target.family === "string")
        return stringForDigits(source, target, (INT_DIGITS[bits] ?? 19) + 1);
    if (target.family === "bool")
        return fail(`${target.text} cannot hold ${source.text} values other than 0 and 1`);
    return fail(`a ${target.text} column cannot store ${source.text} values`);
}

function decimalInto(source: NormalizedType, target: NormalizedType): TypeVerdict {
    if (target.family === "decimal") {
        if (target.precision === undefined) return OK;
        if (source.precision === undefined) {
            return warn(
                `${source.text} is unconstrained; ${target.text} rejects values with more than ${target.precision - (target.scale ?? 0)} integer digits and rounds to ${target.scale ?? 0} decimals`,
            );
        }
        const sourceInt = source.precision - (source.scale ?? 0);
        const targetInt = target.precision - (target.scale ?? 0);
        if (targetInt < sourceInt) {
            return fail(
                `DECIMAL precision: ${target.text} holds ${targetInt} integer digits, ${source.text} up to ${sourceInt}`,
            );
        }
        if ((target.scale ?? 0) < (source.scale ?? 0)) {
            return warn(
                `${target.text} rounds ${source.text} values to ${target.scale ?? 0} decimals`,
            );
        }
        return OK;
    }
    if (target.family === "float")
        return warn(`${target.text} rounds ${source.text} values (binary floating point)`);
    if (target.family === "int") {
        return source.scale === 0 &&
            source.precision !== undefined &&
            source.precision <= (INT_DIGITS[target.bits ?? 64] ?? 19) - 1
            ? OK
            : fail(`${target.text} cannot hold fractional or large ${source.text} values`);
    }
    if (target.family === "string")
        return stringForDigits(source, target, (source.precision ?? 40) + 2);
    return fail(`a ${target.text} column cannot store ${source.text} values`);
}

function stringInto(source: NormalizedType, target: NormalizedType): TypeVerdict {
    if (target.family !== "string") {
        return fail(`a ${target.text} column cannot store every ${source.text} value`);
    }
    if (target.length === undefined) return OK;
    if (source.length === undefined) {
        return warn(
            `${source.text} has no length limit; ${target.text} rejects values longer than ${target.length} characters`,
        );
    }
    if (source.length > target.length) {
        return fail(
            `narrowing: ${target.text} holds ${target.length} characters, ${source.text} values up to ${source.length}`,
        );
    }
    return OK;
}

function stringForDigits(
    source: NormalizedType,
    target: NormalizedType,
    needed: number,
): TypeVerdict {
    if (target.length === undefined || target.length >= needed) return OK;
    return fail(
        `${target.text} is too short for ${source.text} values written as text (${needed} characters)`,
    );
}

function maxText(bits: number, unsigned?: boolean): string {
    const max = unsigned ? 2n ** BigInt(bits) - 1n : 2n ** BigInt(bits - 1) - 1n;
    return max.toString();
}
