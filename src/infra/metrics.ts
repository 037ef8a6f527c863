import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { InboundMetrics } from "../core/inbound.ts";

export interface Metrics {
  /** Our own registry, not prom-client's global one, so tests and several apps in one process don't collide. */
  registry: Registry;
  commands: Counter<"platform" | "command" | "outcome">;
  /** Commands the web role acknowledged and queued for a worker; their outcomes are counted where they run. */
  commandsQueued: Counter<"platform" | "command">;
  ackLatency: Histogram<"platform" | "command">;
  deliveryQueueDepth: Gauge;
  deliveries: Counter<"platform" | "outcome">;
  /** The gauge asks this at scrape time, so depth is read only when someone looks. */
  setQueueDepthSource(source: () => Promise<number>): void;
}

export type DeliveryOutcome = "sent" | "failed" | "rate_limited";

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "debrief_" });
  let depthSource: (() => Promise<number>) | undefined;

  const commands = new Counter({
    name: "debrief_commands_total",
    help: "Commands handled, by platform, command and outcome.",
    labelNames: ["platform", "command", "outcome"] as const,
    registers: [registry],
  });
  const commandsQueued = new Counter({
    name: "debrief_commands_queued_total",
    help: "Commands acknowledged and queued for a worker, by platform and command.",
    labelNames: ["platform", "command"] as const,
    registers: [registry],
  });
  const ackLatency = new Histogram({
    name: "debrief_ack_latency_seconds",
    help: "Time from receiving a command to acknowledging it (Slack allows 3 s).",
    labelNames: ["platform", "command"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
    registers: [registry],
  });
  const deliveryQueueDepth = new Gauge({
    name: "debrief_delivery_queue_depth",
    help: "Outbound messages waiting to be delivered.",
    registers: [registry],
    async collect() {
      if (!depthSource) return;
      try {
        this.set(await depthSource());
      } catch {
        // Unknown rather than stale, and /metrics must still answer while Redis is down.
        this.set(Number.NaN);
      }
    },
  });
  const deliveries = new Counter({
    name: "debrief_deliveries_total",
    help: "Outbound message attempts, by platform and outcome (sent, failed, rate_limited).",
    labelNames: ["platform", "outcome"] as const,
    registers: [registry],
  });

  return {
    registry,
    commands,
    commandsQueued,
    ackLatency,
    deliveryQueueDepth,
    deliveries,
    setQueueDepthSource(source) {
      depthSource = source;
    },
  };
}

/** The inbound pipeline's counts, as prom-client metrics. */
export function inboundMetrics(metrics: Pick<Metrics, "commands" | "commandsQueued" | "ackLatency">): InboundMetrics {
  return {
    commandQueued: (platform, command) => metrics.commandsQueued.inc({ platform, command }),
    commandAnswered: (platform, command, outcome) => metrics.commands.inc({ platform, command, outcome }),
    acknowledged: (platform, label, seconds) => metrics.ackLatency.observe({ platform, command: label }, seconds),
  };
}
