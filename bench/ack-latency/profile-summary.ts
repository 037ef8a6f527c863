import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Where a V8 CPU profile (`BENCH_PROFILE=1 npm run bench` writes one per phase of the Debrief process) spent its time:
 * self time by package or project file, and time charged to the nearest project function on the stack, which
 * says which of our code paths (with the libraries it called) cost the most.
 *
 *   npx tsx bench/ack-latency/profile-summary.ts bench/results/<run>-profile/debrief-fixed-200.cpuprofile
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A frame's package (node_modules/…), project file, Node internal, or V8 pseudo-frame such as (garbage collector). */
function placeOf(frame: ProfileNode["callFrame"]): string {
  const url = frame.url.replace(/^file:\/\//, "");
  if (!url) return frame.functionName.startsWith("(") ? frame.functionName : `(native) ${frame.functionName}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  // node:internal/deps/undici is fetch(), which Bolt's respond() and the Web API client use.
  if (url.startsWith("node:")) return url;
  return url.startsWith(ROOT) ? url.slice(ROOT.length) : url;
}

// The bench's own wrappers (debrief-timings.ts) are skipped, so time is charged to the Debrief code that called them.
const isProjectFrame = (frame: ProfileNode["callFrame"]): boolean => {
  const url = frame.url.replace(/^file:\/\//, "");
  return url.startsWith(ROOT) && !url.includes("node_modules") && !url.startsWith(`${ROOT}bench/`);
};

/** A frame in a package or project file, as opposed to Node internals, native code, or the bench's wrappers. */
const isCodeFrame = (frame: ProfileNode["callFrame"]): boolean => {
  const url = frame.url.replace(/^file:\/\//, "");
  return url.startsWith(ROOT) && !url.startsWith(`${ROOT}bench/`);
};

function summarize(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Starting the profiler shows up in its own profile; that is the bench's cost, not Debrief's.
  const profilerItself = new Set<number>();
  for (const n of profile.nodes) {
    if (/^(start|stop)Profile$/.test(n.callFrame.functionName)) {
      const stack = [n.id];
      while (stack.length) {
        const id = stack.pop()!;
        profilerItself.add(id);
        stack.push(...(byId.get(id)?.children ?? []));
      }
    }
  }

  const self = new Map<string, number>();
  const charged = new Map<string, number>();
  const caller = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id)!;
    const place = placeOf(node.callFrame);
    if (place === "(idle)" || profilerItself.has(id)) return;
    total += ms;
    self.set(place, (self.get(place) ?? 0) + ms);
    // Walk up to the nearest function of ours: the code path that asked for this work.
    let at: ProfileNode | undefined = node;
    while (at && !isProjectFrame(at.callFrame)) at = byId.get(parent.get(at.id) ?? -1);
    const key = at ? `${at.callFrame.functionName || "(anonymous)"} ${placeOf(at.callFrame)}` : `(no project frame) ${place}`;
    charged.set(key, (charged.get(key) ?? 0) + ms);
    // Node internals and native code (socket writes, fetch) charged to the package or file that called them.
    let code: ProfileNode | undefined = node;
    while (code && !isCodeFrame(code.callFrame)) code = byId.get(parent.get(code.id) ?? -1);
    const who = code ? placeOf(code.callFrame) : `(event loop) ${place}`;
    caller.set(who, (caller.get(who) ?? 0) + ms);
  });

  const print = (title: string, map: Map<string, number>, limit: number) => {
    console.log(`\n${title}`);
    for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
      console.log(`${ms.toFixed(0).padStart(8)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${key}`);
    }
  };
  console.log(`busy (not idle): ${total.toFixed(0)} ms`);
  print("self time by package or file", self, 25);
  print("time charged to the nearest package or project file on the stack", caller, 25);
  print("time charged to the nearest project function on the stack", charged, 30);
}

const file = process.argv[2];
if (!file) {
  console.error("usage: npx tsx bench/ack-latency/profile-summary.ts <file.cpuprofile>");
  process.exit(1);
}
summarize(JSON.parse(readFileSync(file, "utf8")) as CpuProfile);
