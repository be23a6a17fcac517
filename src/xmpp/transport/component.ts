// The XEP-0114 component link: the only module that touches @xmpp/component. It replaces the library's
// lifecycle (fixed 1 s reconnect, send-while-offline TypeError, no keepalive, UTF-8 split bug) with
// ours: backoff with full jitter, a bounded ordered buffer flushed only after the handshake, XEP-0199
// keepalive, typed events. Behaviour is described in docs/xmpp.md.
import { component, type ComponentInstance } from "@xmpp/component";
import type { Logger } from "pino";
import { randomBytes } from "node:crypto";
import { xml, type Element } from "../xml.js";
import { domainOf } from "../parse/jid.js";
import { backoffDelayMs } from "./backoff.js";
import { createSendBuffer, type BufferedStanza } from "./send-buffer.js";
import { createPendingRequests, IqRequestError } from "./pending-requests.js";
import { startKeepalive, type Keepalive } from "./keepalive.js";
import { createEmitter } from "./typed-events.js";
import { isSerialized, type OutboundStanza } from "./serialized-stanza.js";
import { createInboundSizeGuard } from "./inbound-size-guard.js";
import type { ComponentLink, ComponentLinkEvents, ComponentLinkOptions, LinkState, SendResult } from "./link-types.js";

export { IqRequestError } from "./pending-requests.js";

export type {
  ComponentLinkOptions, LinkState, SendResult, LinkError, ComponentLinkEvents, ComponentLink,
} from "./link-types.js";

const NS_PING = "urn:xmpp:ping";
const FLUSH_BATCH_BYTES = 64 * 1024;

export function createComponentLink(opts: ComponentLinkOptions, logger: Logger): ComponentLink {
  const domain = opts.domain.toLowerCase();
  const log = logger.child({ module: "xmpp-link", domain });
  const events = createEmitter<ComponentLinkEvents>((err) => log.error({ err }, "link event listener threw"));
  const buffer = createSendBuffer(opts.buffer);
  const pending = createPendingRequests();
  const xmpp: ComponentInstance = component({ service: opts.service, domain, password: opts.secret });
  const idPrefix = randomBytes(4).toString("hex");
  let idCounter = 0;

  let state: LinkState = "offline";
  let started = false;
  let stopping = false;
  let closing = false;
  let everOnline = false;
  let authFailed = false;
  let attempt = 0;
  let generation = 0;
  let failedWrites: BufferedStanza[] = [];
  let reconnectTimer: NodeJS.Timeout | undefined;
  let handshakeTimer: NodeJS.Timeout | undefined;
  let keepalive: Keepalive | undefined;

  // COMPAT(@xmpp/component 0.13): its reconnect module retries every 1 s forever; we drive retries.
  xmpp.reconnect.stop();
  // COMPAT(@xmpp/component 0.13): its middleware (only "element" listener at this point) answers every
  // unhandled IQ with service-unavailable, which would double-answer the IQs src/xmpp/ingress handles.
  xmpp.removeAllListeners("element");

  const setState = (next: LinkState) => {
    if (next === state) return;
    const previous = state;
    state = next;
    events.emit("state", next, previous);
  };

  const sizeGuard = createInboundSizeGuard(opts.maxInboundStanzaBytes, () => {
    const message = `inbound stanza exceeds ${opts.maxInboundStanzaBytes} bytes: closing the stream`;
    log.error(message);
    events.emit("error", { kind: "inbound-too-large", condition: "policy-violation", message });
    // RFC 6120 §4.9.3.14 policy-violation, then drop the connection; the reconnect loop takes over.
    xmpp.send(xml("stream:error", {}, xml("policy-violation", { xmlns: "urn:ietf:params:xml:ns:xmpp-streams" })))
      .catch(() => undefined)
      .finally(() => xmpp.socket?.destroy());
  });
  xmpp.on("input", (chunk: string) => sizeGuard.onChunk(chunk));
  xmpp.on("element", () => sizeGuard.onElement());

  xmpp.on("connect", () => {
    // COMPAT(@xmpp/connection 0.13): it decodes each TCP chunk alone, mangling a multi-byte character
    // split across two reads; a string decoder on the socket keeps partial sequences between reads.
    if (!opts.unsafeDisableUtf8Fix) xmpp.socket?.setEncoding("utf8");
    // Writes are already batched per event-loop turn; Nagle's algorithm on top of the server's delayed
    // ACKs held small writes (a barrier ping, a lone message) for up to 40 ms.
    xmpp.socket?.setNoDelay(true);
  });

  xmpp.on("error", (err: Error & { condition?: string }) => {
    if (err.condition === "not-authorized") {
      if (!authFailed) {
        const message = `the XMPP server refused the component handshake for ${domain}: check the component secret`;
        log.error({ attempt }, message);
        events.emit("error", { kind: "auth-failed", condition: err.condition, message });
      }
      authFailed = true;
      setState("auth-failed");
    } else if (err.condition) {
      log.error({ condition: err.condition }, "stream error from the XMPP server");
      events.emit("error", { kind: "stream-error", condition: err.condition, message: err.message });
    } else {
      log.warn({ err: err.message, attempt }, "component link error");
      events.emit("error", { kind: "connect-failed", message: err.message });
      // A failed handshake step leaves the socket open: drop it so the reconnect loop takes over.
      if (state !== "online") xmpp.socket?.destroy();
    }
  });

  xmpp.on("online", () => {
    clearTimeout(handshakeTimer);
    attempt = 0;
    authFailed = false;
    generation++;
    setState("online");
    flush();
    const gen = generation;
    keepalive = startKeepalive({
      intervalMs: opts.keepalive.intervalMs,
      timeoutMs: opts.keepalive.timeoutMs,
      ping: (timeoutMs) => ping(timeoutMs),
      lastInboundAt: () => lastInbound,
      onDead: () => {
        if (gen !== generation || state !== "online") return;
        const message = `no XEP-0199 ping reply within ${opts.keepalive.timeoutMs} ms: reconnecting`;
        log.warn(message);
        events.emit("error", { kind: "keepalive-timeout", message });
        xmpp.socket?.destroy();
      },
    });
    log.info({ reconnected: everOnline }, "component link online");
    events.emit("online", { reconnected: everOnline });
    if (everOnline) events.emit("reconnected");
    everOnline = true;
  });

  xmpp.on("disconnect", () => {
    clearTimeout(handshakeTimer);
    // Queued for this turn's write but never written: they go first when the link is back.
    if (outBatch.length > 0) {
      failedWrites.push(...outBatch);
      outBatch = [];
    }
    keepalive?.stop();
    keepalive = undefined;
    sizeGuard.reset();
    const wasOnline = state === "online";
    if (closing) { setState("stopped"); return; }
    setState(authFailed ? "auth-failed" : "offline");
    if (wasOnline) {
      log.warn("component link lost");
      events.emit("offline", { reason: "disconnected" });
    }
    scheduleReconnect();
  });

  xmpp.on("stanza", (el: Element) => {
    lastInbound = Date.now();
    if (pending.size > 0 && pending.settle(el)) return;
    if (isSelfPing(el)) {
      send(xml("iq", { type: "result", from: domain, to: domain, id: el.attrs.id as string }));
      return;
    }
    events.emit("stanza", el);
  });

  function isSelfPing(el: Element): boolean {
    return el.name === "iq" && el.attrs.type === "get" && el.attrs.from === domain && el.attrs.to === domain
      && el.getChild("ping", NS_PING) !== undefined;
  }

  async function ping(timeoutMs: number): Promise<"alive" | "dead"> {
    const to = opts.keepalive.to ?? domain;
    try {
      await request(xml("iq", { type: "get", to, from: domain }, xml("ping", { xmlns: NS_PING })), timeoutMs);
      return "alive";
    } catch (err) {
      return err instanceof IqRequestError && err.kind === "timeout" ? "dead" : "alive";
    }
  }

  function scheduleReconnect() {
    if (reconnectTimer || closing) return;
    const delay = backoffDelayMs(opts.reconnect, attempt++, opts.random);
    log.debug({ delay, attempt }, "reconnect scheduled");
    reconnectTimer = setTimeout(() => { reconnectTimer = undefined; void connectOnce(); }, delay);
  }

  async function connectOnce() {
    if (closing) return;
    if (!authFailed) setState("connecting");
    handshakeTimer = setTimeout(() => {
      log.warn({ timeoutMs: opts.handshakeTimeoutMs ?? 10_000 }, "component handshake timed out");
      xmpp.socket?.destroy();
    }, opts.handshakeTimeoutMs ?? 10_000);
    try {
      await xmpp.connect(opts.service);
      await xmpp.open({ domain });
    } catch {
      // Already reported through the "error" event; make sure the socket goes so "disconnect" retries.
      xmpp.socket?.destroy();
    }
  }

  let outBatch: BufferedStanza[] = [];
  let lastInbound = 0;
  function writeOut() {
    const batch = outBatch;
    outBatch = [];
    // The link went down since these were queued: "disconnect" already moved them to failedWrites.
    if (batch.length > 0) writeBatch(batch);
  }

  function writeBatch(batch: BufferedStanza[]) {
    const text = batch.length === 1 ? batch[0]!.xml : batch.map((b) => b.xml).join("");
    // A failed write never reached the server whole (an incomplete stanza is discarded with the
    // stream), so it is retried after the reconnect, ahead of everything queued later.
    xmpp.write(text).catch(() => { failedWrites.push(...batch); });
  }

  function flush() {
    if (failedWrites.length > 0) {
      buffer.requeueFront(failedWrites);
      failedWrites = [];
    }
    while (buffer.size > 0) writeBatch(buffer.takeBatch(FLUSH_BATCH_BYTES));
  }

  function send(stanza: OutboundStanza): SendResult {
    if (stopping || state === "stopped") return { kind: "rejected", reason: "stopped" };
    let text: string;
    if (isSerialized(stanza)) {
      if (domainOf(stanza.from) !== domain) return { kind: "rejected", reason: "invalid-from" };
      text = stanza.xml;
    } else {
      const from = stanza.attrs.from as string | undefined;
      if (from === undefined) stanza.attrs.from = domain;
      else if (domainOf(from) !== domain) return { kind: "rejected", reason: "invalid-from" };
      text = stanza.toString();
    }
    // Flushes are synchronous, so "online" implies an empty buffer and this write keeps FIFO order.
    if (state === "online") {
      // Stanzas produced in one event-loop turn (a burst of SIP datagrams) leave in one socket write:
      // one syscall and one callback instead of one each. Everything goes through this one queue, so
      // stream order — which the delivery barrier relies on — is kept.
      outBatch.push({ xml: text, bytes: Buffer.byteLength(text) });
      if (outBatch.length === 1) setImmediate(writeOut);
      return { kind: "sent" };
    }
    if (!buffer.push({ xml: text, bytes: Buffer.byteLength(text) })) return { kind: "rejected", reason: "buffer-full" };
    return { kind: "buffered" };
  }

  function request(iq: Element, timeoutMs: number): Promise<Element> {
    const to = iq.attrs.to as string | undefined;
    if (to === undefined) return Promise.reject(new IqRequestError("not-sent"));
    const id = (iq.attrs.id as string | undefined) ?? `${idPrefix}-${++idCounter}`;
    iq.attrs.id = id;
    const reply = pending.add(id, to, timeoutMs);
    const sent = send(iq);
    if (sent.kind === "rejected") pending.fail(id, new IqRequestError(sent.reason === "stopped" ? "link-stopped" : "not-sent"));
    return reply;
  }

  async function stop(stopOpts: { readonly deadlineMs?: number } = {}): Promise<{ readonly dropped: number }> {
    if (!started || closing) { setState("stopped"); return { dropped: 0 }; }
    stopping = true;
    const deadline = Date.now() + (stopOpts.deadlineMs ?? 5000);
    // Nothing queued means nothing to wait for, online or not; online, wait for the socket to drain too.
    const drained = () => buffer.size === 0 && failedWrites.length === 0 && outBatch.length === 0 && (state !== "online" || (xmpp.socket?.writableLength ?? 0) === 0);
    while (!drained() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    closing = true;
    clearTimeout(reconnectTimer);
    clearTimeout(handshakeTimer);
    keepalive?.stop();
    const dropped = buffer.clear() + failedWrites.length;
    failedWrites = [];
    if (dropped > 0) log.warn({ dropped }, "stopping with undelivered stanzas");
    pending.failAll(new IqRequestError("link-stopped"));
    if (state === "online") await xmpp.stop().catch(() => xmpp.socket?.destroy());
    else xmpp.socket?.destroy();
    setState("stopped");
    return { dropped };
  }

  return {
    domain,
    get state() { return state; },
    get buffered() { return { stanzas: buffer.size + failedWrites.length, bytes: buffer.bytes }; },
    on: events.on,
    once: events.once,
    start() {
      if (started) return;
      started = true;
      void connectOnce();
    },
    stop,
    send,
    request,
    async barrier(timeoutMs) {
      await request(xml("iq", { type: "get", to: domain, from: domain }, xml("ping", { xmlns: NS_PING })), timeoutMs);
    },
  };
}
