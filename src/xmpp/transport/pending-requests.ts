// Correlates our own IQ requests with their replies (RFC 6120 §8.2.3: a result or error carries
// the request's id and comes from the entity the request was addressed to).
import type { Element } from "../xml.js";
import { readStanzaError, type StanzaErrorInfo } from "../parse/stanza-error.js";

/** Why an IQ request produced no result. Rejections of `request()` are always this type. */
export class IqRequestError extends Error {
  constructor(
    readonly kind: "stanza-error" | "timeout" | "not-sent" | "link-stopped",
    readonly stanzaError?: StanzaErrorInfo,
  ) {
    super(stanzaError ? `iq error: ${stanzaError.type}/${stanzaError.condition}` : `iq request ${kind}`);
    this.name = "IqRequestError";
  }
}

interface Pending {
  readonly to: string;
  readonly resolve: (el: Element) => void;
  readonly reject: (err: IqRequestError) => void;
  readonly timer: NodeJS.Timeout;
}

export interface PendingRequests {
  readonly size: number;
  add(id: string, to: string, timeoutMs: number): Promise<Element>;
  /** True when `stanza` was the reply to one of ours (and has been consumed). */
  settle(stanza: Element): boolean;
  fail(id: string, err: IqRequestError): void;
  failAll(err: IqRequestError): void;
}

export function createPendingRequests(): PendingRequests {
  const pending = new Map<string, Pending>();
  return {
    get size() { return pending.size; },
    add(id, to, timeoutMs) {
      return new Promise<Element>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new IqRequestError("timeout"));
        }, timeoutMs);
        timer.unref();
        pending.set(id, { to: to.toLowerCase(), resolve, reject, timer });
      });
    },
    settle(stanza) {
      const { type, id, from } = stanza.attrs as Record<string, string | undefined>;
      if (stanza.name !== "iq" || (type !== "result" && type !== "error") || id === undefined) return false;
      const p = pending.get(id);
      // A reply from anyone but the addressee is not ours (spoofing guard; ids are only unique per sender).
      if (!p || (from ?? "").toLowerCase() !== p.to) return false;
      pending.delete(id);
      clearTimeout(p.timer);
      if (type === "result") p.resolve(stanza);
      else p.reject(new IqRequestError("stanza-error", readStanzaError(stanza)));
      return true;
    },
    fail(id, err) {
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      clearTimeout(p.timer);
      p.reject(err);
    },
    failAll(err) {
      for (const [id] of pending) this.fail(id, err);
    },
  };
}
