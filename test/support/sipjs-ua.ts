// A sip.js 0.21.2 UserAgent as the browser-style peer of the endpoint's WebSocket transport
// (RFC 7118). sip.js needs a global WebSocket in Node: the `ws` package provides it.
import WebSocket from "ws";
import { Messager, Subscriber, SubscriptionState, UserAgent, type Message, type Notification } from "sip.js";

export interface SipJsPeer {
  readonly ua: UserAgent;
  /** MESSAGE bodies received, in order. */
  readonly messages: string[];
  sendMessage(to: string, body: string): Promise<void>;
  subscribe(to: string, event: string, expires?: number): SipJsSubscription;
  stop(): Promise<void>;
}

export interface SipJsSubscription {
  readonly subscriber: Subscriber;
  /** NOTIFY bodies with their Subscription-State header values. */
  readonly notifies: Array<{ readonly state: string; readonly body: string }>;
  /** sip.js' own view of the subscription state over time. */
  readonly states: string[];
  unsubscribe(): Promise<void>;
}

export async function startSipJs(aor: string, wsUrl: string): Promise<SipJsPeer> {
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  const messages: string[] = [];
  const ua = new UserAgent({
    uri: UserAgent.makeURI(aor),
    transportOptions: { server: wsUrl, traceSip: false },
    logLevel: "error",
    logBuiltinEnabled: false,
    delegate: {
      onMessage(m: Message) {
        messages.push(m.request.body);
        void m.accept();
      },
    },
  });
  await ua.start();
  return {
    ua,
    messages,
    async sendMessage(to, body) {
      const target = UserAgent.makeURI(to);
      if (!target) throw new Error(`bad URI ${to}`);
      await new Messager(ua, target, body, "text/plain").message();
    },
    subscribe(to, event, expires = 120) {
      const target = UserAgent.makeURI(to);
      if (!target) throw new Error(`bad URI ${to}`);
      const subscriber = new Subscriber(ua, target, event, { expires });
      const notifies: Array<{ state: string; body: string }> = [];
      const states: string[] = [];
      subscriber.stateChange.addListener((s: SubscriptionState) => states.push(s));
      subscriber.delegate = {
        onNotify(n: Notification) {
          notifies.push({ state: n.request.getHeader("Subscription-State") ?? "", body: n.request.body });
          void n.accept();
        },
      };
      void subscriber.subscribe();
      return { subscriber, notifies, states, unsubscribe: () => subscriber.unsubscribe() };
    },
    async stop() { await ua.stop(); },
  };
}
