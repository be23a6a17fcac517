// Types for the part of @xmpp/client 0.13.1 (no types shipped) that test/support/xmpp-client.ts uses.
declare module "@xmpp/client" {
  import type { EventEmitter } from "node:events";
  import type { Socket } from "node:net";
  import type { Element } from "@xmpp/xml";
  import type { JID } from "@xmpp/jid";

  export interface ClientInstance extends EventEmitter {
    status: string;
    socket: Socket | null;
    jid: JID | null;
    readonly reconnect: EventEmitter & { stop(): void };
    readonly iqCaller: { request(el: Element, timeoutMs?: number): Promise<Element> };
    start(): Promise<JID>;
    stop(): Promise<unknown>;
    send(el: Element): Promise<void>;
    sendMany(els: Element[]): Promise<void>;
    write(text: string): Promise<void>;
  }

  export function client(options: {
    service: string;
    domain: string;
    username: string;
    password: string;
    resource?: string;
  }): ClientInstance;
}
