import { describe, it, expect } from "@jest/globals";
import { createMetrics, METRIC_NAMES } from "../../../src/observability/metrics.js";

describe("createMetrics", () => {
  it("exposes every gateway metric with its labels after use", async () => {
    const m = createMetrics();
    m.sipRequest("in", "MESSAGE");
    m.sipRequest("in", "FROBNICATE");
    m.sipResponse("out", "MESSAGE", 202);
    let live = 2;
    m.sampleTransactions(() => live);
    m.xmppStanza("out", "message");
    m.translationError("jid-malformed");
    m.translationError("<script>");
    m.sampleSubscriptions(() => ({ "xmpp-to-sip": 3, "sip-to-xmpp": 0 }));
    m.sampleQueueDepth(async () => [{ queue: "presence.fanout", waiting: 7 }]);
    m.linkHolder(true);
    m.jobLatency("presence.fanout", 0.02);
    m.componentLink("sip.example", true);
    m.messageRelayed("sip-to-xmpp", "delivered");
    const text = await m.registry.metrics();
    for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('stox_sip_requests_total{direction="in",method="MESSAGE"} 1');
    expect(text).toContain('stox_sip_requests_total{direction="in",method="other"} 1');
    expect(text).toContain('stox_sip_responses_total{direction="out",method="MESSAGE",code="202"} 1');
    expect(text).toContain("stox_sip_transactions_in_flight 2");
    expect(text).toContain('stox_subscriptions_active{direction="xmpp-to-sip"} 3');
    expect(text).toContain('stox_queue_depth{queue="presence.fanout"} 7');
    expect(text).toContain("stox_xmpp_link_holder 1");
    expect(text).toContain('stox_translation_errors_total{condition="other"} 1');
    expect(text).toContain('stox_xmpp_component_up{domain="sip.example"} 1');
    expect(text).toContain('stox_queue_job_latency_seconds_count{queue="presence.fanout"} 1');
    expect(text).toContain('stox_messages_relayed_total{direction="sip-to-xmpp",outcome="delivered"} 1');
    // prom-client default metrics carry the event-loop lag.
    expect(text).toContain("stox_nodejs_eventloop_lag_seconds");
    // Sampled gauges are read at scrape time, not when the value changed.
    live = 5;
    expect(await m.registry.metrics()).toContain("stox_sip_transactions_in_flight 5");
  });

  it("keeps a failing queue sampler from failing the scrape", async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.sampleQueueDepth(() => Promise.reject(new Error("redis down")));
    expect(await m.registry.metrics()).toContain("# TYPE stox_queue_depth gauge");
  });

  it("keeps registries independent", async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.componentLink("x.example", false);
    expect(await a.registry.metrics()).toContain('stox_xmpp_component_up{domain="x.example"} 0');
    expect(await b.registry.metrics()).not.toContain("x.example");
  });
});
