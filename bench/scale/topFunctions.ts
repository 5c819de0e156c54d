/**
 * Prints the top self-time functions of a `.cpuprofile` (and self time per file):
 *
 *   node --import tsx bench/scale/topFunctions.ts /tmp/grants-pg.cpuprofile [count]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
}

const [file, countText] = process.argv.slice(2);
if (!file) throw new Error("usage: topFunctions.ts <file.cpuprofile> [count]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfByFunction = new Map<string, number>();
const selfByFile = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const frame = byId.get(id)!.callFrame;
    const where = frame.url
        .replace(/^file:\/\//, "")
        .replace(/.*\/(src|node_modules|bench|test)\//, "$1/");
    const key = `${frame.functionName || "(anonymous)"}  ${where}:${frame.lineNumber + 1}`;
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + dt);
    const fileKey = where || `(${frame.functionName})`;
    selfByFile.set(fileKey, (selfByFile.get(fileKey) ?? 0) + dt);
});
const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(
            ([k, v]) =>
                `${(v / 1000).toFixed(1).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`,
        )
        .join("\n");
console.log(
    `total sampled ${(total / 1000).toFixed(0)} ms\n\nself time by function:\n${top(selfByFunction, Number(countText ?? 30))}`,
);
console.log(`\nself time by file:\n${top(selfByFile, 15)}`);
