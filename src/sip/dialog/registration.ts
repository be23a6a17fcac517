// Upstream REGISTER (RFC 3261 §10): bind an address-of-record to our Contact, refresh before the
// granted expiry, answer digest challenges (through the UAC core), retry 423 with Min-Expires.
import type { Logger } from "pino";
import type { SipResponse } from "../message/types.js";
import { createRequest } from "../message/build.js";
import { newTag } from "../message/ids.js";
import { parseNameAddr } from "../message/name-addr.js";
import { parseUri } from "../message/uri.js";
import { parseExpires } from "./event-headers.js";
import { refreshDelaySeconds } from "./subscriber.js";
import { listeners } from "./subscription-types.js";
import type { Uac } from "./uac.js";

export interface RegisterOptions {
  /** Address-of-record, e.g. sip:gateway@sip.example. */
  readonly aor: string;
  /** Registrar URI; default the AOR's domain (RFC 3261 §10.2.6 "sip:" + domain). */
  readonly registrar?: string;
  readonly expires?: number;
  /** User part of our Contact; default the AOR's user. */
  readonly contactUser?: string;
  /** Wait before trying again after a failure, seconds. */
  readonly retryAfterFailureS?: number;
}

export type RegistrationStatus =
  | { readonly state: "registered"; readonly expires: number }
  | { readonly state: "failed"; readonly status: number; readonly reason: string }
  | { readonly state: "unregistered" };

export interface Registration {
  /** First outcome (after any auth / 423 retry). */
  readonly ready: Promise<SipResponse>;
  onStatus(listener: (s: RegistrationStatus) => void): void;
  status(): RegistrationStatus | undefined;
  /** REGISTER with Expires: 0 for our Contact, and stop refreshing. */
  unregister(): Promise<SipResponse | undefined>;
  /** Stop refreshing, leaving the binding to expire on its own. */
  detach(): void;
}

export function createRegistration(uac: Uac, logger: Logger, o: RegisterOptions): Registration {
  const aor = parseUri(o.aor);
  const registrar = o.registrar ?? (aor ? `${aor.scheme}:${aor.host}${aor.port ? `:${aor.port}` : ""}` : o.aor);
  const callId = uac.newCallId(); // §10.2: one Call-ID for every REGISTER of this binding
  const fromTag = newTag();
  let cseq = 0;
  let expires = o.expires ?? 3600;
  let timer: NodeJS.Timeout | undefined;
  let current: RegistrationStatus | undefined;
  let stopped = false;
  let contact: string | undefined;
  const statusL = listeners<RegistrationStatus>();
  const set = (s: RegistrationStatus) => { current = s; statusL.emit(s); };

  const send = async (wanted: number): Promise<SipResponse> => {
    const req = createRequest({
      method: "REGISTER", uri: registrar,
      headers: {
        from: `<${o.aor}>;tag=${fromTag}`, to: `<${o.aor}>`, "call-id": callId, cseq: `${++cseq} REGISTER`,
        expires: String(wanted), ...(contact ? { contact } : {}),
      },
    });
    const { request, response } = await uac.exchange(req, {
      identity: o.aor, contactUser: o.contactUser ?? aor?.user ?? "", nextCSeq: () => ++cseq,
    });
    contact ??= request.headers.get("contact");
    return response;
  };

  /** §10.2.4: the granted time is the expires param of our Contact in the 2xx, else Expires. */
  const granted = (res: SipResponse): number => {
    const ours = contact ? parseNameAddr(contact)?.uri : undefined;
    for (const c of res.headers.getAll("contact")) {
      const na = parseNameAddr(c);
      const e = na?.params.get("expires");
      if (na && na.uri === ours && e) return Number(e);
    }
    return parseExpires(res.headers.get("expires")) ?? expires;
  };

  const schedule = (seconds: number) => {
    if (timer) clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(() => void attempt(), seconds * 1000);
    timer.unref?.();
  };

  async function attempt(): Promise<SipResponse> {
    let res = await send(expires);
    const min = parseExpires(res.headers.get("min-expires"));
    if (res.status === 423 && min !== undefined && min > expires) {
      expires = min; // RFC 3261 §10.2.8: retry with at least Min-Expires
      res = await send(expires);
    }
    if (stopped) return res;
    if (res.status >= 200 && res.status < 300) {
      const g = granted(res);
      set({ state: "registered", expires: g });
      schedule(refreshDelaySeconds(g));
    } else {
      logger.warn({ aor: o.aor, status: res.status }, "REGISTER failed");
      set({ state: "failed", status: res.status, reason: res.reason });
      schedule(o.retryAfterFailureS ?? 60);
    }
    return res;
  }

  const ready = attempt();
  return {
    ready,
    onStatus: (l) => statusL.add(l),
    status: () => current,
    detach() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    async unregister() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await ready.catch(() => undefined);
      if (current?.state !== "registered") return undefined;
      const res = await send(0);
      set({ state: "unregistered" });
      return res;
    },
  };
}
