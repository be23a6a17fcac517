// A real XMPP user for integration tests (@xmpp/client 0.13 over plain TCP). At login it fetches its
// roster and sends initial presence, as real clients do: Prosody delivers presence and roster pushes
// only to sessions that requested the roster, and bare-JID messages only to available resources.
import { client, type ClientInstance } from "@xmpp/client";
import { xml, type Element } from "../../src/xmpp/xml.js";

export interface TestXmppClient {
  /** Full JID after resource binding. */
  readonly jid: string;
  readonly bareJid: string;
  readonly raw: ClientInstance;
  /** Every stanza received so far, in order. */
  readonly stanzas: readonly Element[];
  send(stanza: Element): Promise<void>;
  /** Writes a batch in one socket write (benchmarks). */
  sendMany(stanzas: Element[]): Promise<void>;
  /** Resolves with the first received stanza (already received or future) matching `predicate`. */
  waitForStanza(predicate: (el: Element) => boolean, timeoutMs?: number): Promise<Element>;
  /** Sends an IQ get/set and resolves with its result or error stanza (both: tests assert on errors). */
  iq(stanza: Element, timeoutMs?: number): Promise<Element>;
  onStanza(listener: (el: Element) => void): void;
  stop(): Promise<void>;
}

export interface TestClientOptions {
  readonly port: number;
  readonly domain: string;
  readonly username: string;
  readonly password: string;
  readonly resource?: string;
  /** Default true: fetch roster + send initial presence. */
  readonly available?: boolean;
  /** Keep the raw stanza log (default true; benchmarks turn it off). */
  readonly record?: boolean;
}

let iqCounter = 0;

export async function connectTestClient(opts: TestClientOptions): Promise<TestXmppClient> {
  const raw = client({
    service: `xmpp://127.0.0.1:${opts.port}`,
    domain: opts.domain,
    username: opts.username,
    password: opts.password,
    resource: opts.resource ?? "test",
  });
  // Tests reconnect explicitly; the library's silent 1 s retry would blur what a test observes.
  raw.reconnect.stop();
  raw.on("error", () => { /* surfaced through start() rejections and waitForStanza timeouts */ });
  // Same xmpp.js UTF-8 chunk bug as the component (see src/xmpp/transport/component.ts).
  raw.on("connect", () => raw.socket?.setEncoding("utf8"));

  const stanzas: Element[] = [];
  const listeners = new Set<(el: Element) => void>();
  const record = opts.record ?? true;
  raw.on("stanza", (el: Element) => {
    if (record) stanzas.push(el);
    for (const l of listeners) l(el);
  });

  const jid = (await raw.start()).toString();
  const iq = (stanza: Element, timeoutMs = 5000): Promise<Element> => {
    const id = (stanza.attrs.id as string | undefined) ?? `tc${++iqCounter}`;
    stanza.attrs.id = id;
    const reply = waitFor((el) => el.name === "iq" && el.attrs.id === id && (el.attrs.type === "result" || el.attrs.type === "error"), timeoutMs, true);
    void raw.send(stanza);
    return reply;
  };
  function waitFor(predicate: (el: Element) => boolean, timeoutMs: number, futureOnly = false): Promise<Element> {
    if (!futureOnly) {
      const found = stanzas.find(predicate);
      if (found) return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`${jid}: no matching stanza within ${timeoutMs} ms (received ${stanzas.length})`));
      }, timeoutMs);
      const check = (el: Element) => {
        if (!predicate(el)) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve(el);
      };
      listeners.add(check);
    });
  }

  if (opts.available ?? true) {
    await iq(xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" })));
    await raw.send(xml("presence", {}));
  }

  return {
    jid,
    bareJid: jid.split("/")[0]!,
    raw,
    stanzas,
    send: (stanza) => raw.send(stanza),
    sendMany: (els) => raw.sendMany(els),
    waitForStanza: (predicate, timeoutMs = 5000) => waitFor(predicate, timeoutMs),
    iq,
    onStanza: (l) => { listeners.add(l); },
    async stop() {
      try { await raw.stop(); } catch { raw.socket?.destroy(); }
    },
  };
}
