import { describe, it, expect } from "@jest/globals";
import { createMetrics, METRIC_NAMES } from "../../../src/observability/metrics.js";

describe("createMetrics", () => {
  it("exposes every gateway metric with its labels after use", async () => {
    const m = createMetrics();
    m.sipRequest("in", "MESSAGE");
    m.sipRequest("in", "FROBNICATE");
    m.sipResponse("out", "MESSAGE", 202);
    m.transactionStarted("server");
    m.transactionStarted("server");
    m.transactionEnded("server");
    m.xmppStanza("out", "message");
    m.translationError("jid-malformed");
    m.translationError("<script>");
    m.subscriptionsActive("xmpp-to-sip", 3);
    m.queueDepth("presence.fanout", 7);
    m.jobLatency("presence.fanout", 0.02);
    m.componentLink("sip.example", true);
    m.messageRelayed("sip-to-xmpp", "delivered");
    const text = await m.registry.metrics();
    for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('stox_sip_requests_total{direction="in",method="MESSAGE"} 1');
    expect(text).toContain('stox_sip_requests_total{direction="in",method="other"} 1');
    expect(text).toContain('stox_sip_responses_total{direction="out",method="MESSAGE",code="202"} 1');
    expect(text).toContain('stox_sip_transactions_in_flight{kind="server"} 1');
    expect(text).toContain('stox_translation_errors_total{condition="other"} 1');
    expect(text).toContain('stox_xmpp_component_up{domain="sip.example"} 1');
    expect(text).toContain('stox_queue_job_latency_seconds_count{queue="presence.fanout"} 1');
    expect(text).toContain('stox_messages_relayed_total{direction="sip-to-xmpp",outcome="delivered"} 1');
    // prom-client default metrics carry the event-loop lag.
    expect(text).toContain("stox_nodejs_eventloop_lag_seconds");
  });

  it("keeps registries independent", async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.componentLink("x.example", false);
    expect(await a.registry.metrics()).toContain('stox_xmpp_component_up{domain="x.example"} 0');
    expect(await b.registry.metrics()).not.toContain("x.example");
  });
});
