// Types for @xmpp/component 0.13.1, which ships none (see docs/xmpp.md). Only the surface
// src/xmpp/transport/component.ts uses is declared; everything else stays unreachable on purpose.
declare module "@xmpp/component" {
  import type { EventEmitter } from "node:events";
  import type { Socket } from "node:net";
  import type { Element } from "@xmpp/xml";
  import type { JID } from "@xmpp/jid";

  export type ComponentStatus =
    | "offline" | "connecting" | "connect" | "opening" | "open" | "online"
    | "closing" | "close" | "disconnecting" | "disconnect";

  export interface ComponentEntity extends EventEmitter {
    status: ComponentStatus;
    socket: Socket | null;
    jid: JID | null;
    timeout: number;
    readonly options: { readonly service: string; readonly domain: string };
    connect(service: string): Promise<void>;
    open(options: { domain: string; lang?: string; timeout?: number }): Promise<Element>;
    stop(): Promise<Element | undefined>;
    disconnect(timeoutMs?: number): Promise<void>;
    send(element: Element): Promise<void>;
    write(text: string): Promise<void>;
  }

  export interface ComponentInstance extends ComponentEntity {
    readonly entity: ComponentEntity;
    readonly reconnect: EventEmitter & { stop(): void; start(): void };
  }

  export function component(options: { service: string; domain: string; password: string }): ComponentInstance;
}
