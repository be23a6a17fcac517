// Minimal INVITE dialogs (RFC 3261 §13–15), enough to carry an SDP offer/answer for MSRP later:
// UAC INVITE → 2xx → ACK built by the TU (§13.2.2.4) → BYE; UAS answer with a body, 2xx
// retransmitted until the ACK (§13.3.1.4); re-INVITE refused with 488 for now.
import type { Logger } from "pino";
import type { SipRequest, SipResponse } from "../message/types.js";
import type { IncomingRequest, SipStack } from "../stack.js";
import { createRequest, createResponse } from "../message/build.js";
import { newTag } from "../message/ids.js";
import { parseNameAddr } from "../message/name-addr.js";
import { parseCSeq } from "../message/cseq.js";
import {
  acceptRemoteSeq, buildInDialogRequest, createDialogTable, createUacDialog, createUasDialog, incomingDialogId, isDialogError,
  type DialogState,
} from "./dialog.js";
import { listeners } from "./subscription-types.js";
import { isFlow, type Uac } from "./uac.js";

export interface InviteSession {
  dialog(): DialogState;
  /** The peer's SDP (answer for a UAC session, offer for a UAS one). */
  readonly remoteSdp: string;
  bye(): Promise<SipResponse | undefined>;
  onEnded(listener: (by: "local" | "remote" | "timeout") => void): void;
}

export interface InviteContext {
  readonly request: SipRequest;
  readonly offer: string;
  readonly from: string;
  readonly to: string;
  accept(answerSdp: string): InviteSession;
  reject(status: number, reason?: string): void;
}
export type InviteHandler = (ctx: InviteContext) => void | Promise<void>;

export interface InviteRole {
  invite(from: string, to: string, offerSdp: string): Promise<{ response: SipResponse; session?: InviteSession }>;
  onInvite(handler: InviteHandler): void;
  /** INVITE, ACK and BYE from the dispatcher. */
  handle(tx: IncomingRequest): void;
}

export interface InviteRoleOptions {
  readonly uac: Uac;
  readonly stack: Pick<SipStack, "sendStateless">;
  readonly logger: Logger;
  readonly t1Ms?: number;
  readonly t2Ms?: number;
}

type Live = { dialog: DialogState; session: ReturnType<typeof makeSession>; acked: () => void };

function makeSession(initial: DialogState, remoteSdp: string, identity: string, uac: Uac, remove: () => void) {
  let d = initial;
  let ended = false;
  const endedL = listeners<"local" | "remote" | "timeout">();
  const end = (by: "local" | "remote" | "timeout") => { if (!ended) { ended = true; remove(); endedL.emit(by); } };
  return {
    remoteSdp,
    dialog: () => d,
    set: (next: DialogState) => { d = next; },
    end,
    onEnded: (l: (by: "local" | "remote" | "timeout") => void) => endedL.add(l),
    async bye(): Promise<SipResponse | undefined> {
      if (ended) return undefined;
      const built = buildInDialogRequest(d, "BYE");
      d = built.dialog;
      end("local");
      return uac.send(built.request, { identity, ...(isFlow(d.flow) ? { target: d.flow } : {}) });
    },
  };
}

export function createInviteRole(opts: InviteRoleOptions): InviteRole {
  const { uac, stack, logger } = opts;
  const t1 = opts.t1Ms ?? 500, t2 = opts.t2Ms ?? 4000;
  const table = createDialogTable<Live>();
  let handler: InviteHandler | undefined;
  const text = (b: Uint8Array) => new TextDecoder().decode(b);

  async function ack(dialog: DialogState, cseq: number): Promise<void> {
    const { request } = buildInDialogRequest(dialog, "ACK", { cseq });
    const dest = isFlow(dialog.flow) ? dialog.flow : (await uac.destinations(request))[0];
    if (dest) await stack.sendStateless(request, dest).catch((err: unknown) => logger.warn({ err }, "ACK send failed"));
  }

  function answer(tx: IncomingRequest, body: string): InviteSession {
    const req = tx.request;
    const toTag = newTag();
    const to = parseNameAddr(req.headers.get("to") ?? "");
    const user = to ? /^sips?:([^@;?]+)@/i.exec(to.uri)?.[1] : undefined;
    const contact = uac.contactUri(user, tx.source.transport);
    const dialog = createUasDialog(req, toTag, contact);
    if (isDialogError(dialog)) { tx.respond(dialog.status, dialog.reason); throw new Error(dialog.reason); }
    const rr = req.headers.getAll("record-route");
    const res = createResponse(req, 200, undefined, {
      toTag, body, contentType: "application/sdp", headers: { contact: `<${contact}>`, ...(rr.length ? { "record-route": [...rr] } : {}) },
    });
    tx.respondWith(res);
    const session = makeSession(dialog, text(req.body), dialog.localUri, uac, () => table.delete(dialog.id));
    // §13.3.1.4: the UAS core retransmits the 2xx (T1 doubling to T2) until the ACK, for 64·T1.
    let interval = t1, waited = 0, timer: NodeJS.Timeout | undefined;
    const retransmit = () => {
      waited += interval;
      if (waited >= 64 * t1) { logger.info({ callId: dialog.id.callId }, "no ACK for 2xx, ending session"); void session.bye(); return; }
      if (tx.source.transport === "UDP") void stack.sendStateless(res).catch(() => undefined);
      interval = Math.min(interval * 2, t2);
      timer = setTimeout(retransmit, interval);
      timer.unref?.();
    };
    timer = setTimeout(retransmit, interval);
    timer.unref?.();
    table.set({ dialog, session, acked: () => { if (timer) clearTimeout(timer); } });
    return session;
  }

  function inDialog(tx: IncomingRequest): void {
    const id = incomingDialogId(tx.request);
    const live = id ? table.get(id) : undefined;
    if (tx.request.method === "ACK") { live?.acked(); return; }
    if (!live) return tx.respond(481, "Call/Transaction Does Not Exist");
    const checked = acceptRemoteSeq(live.session.dialog(), tx.request);
    if (isDialogError(checked)) return tx.respond(checked.status, checked.reason);
    live.session.set(checked);
    if (tx.request.method === "BYE") { tx.respond(200); live.session.end("remote"); return; }
    // Session modification is not supported yet (RFC 3261 §14.2: 488 keeps the session as it was).
    if (tx.request.method === "INVITE") return tx.respond(488, "Not Acceptable Here");
    tx.respond(405, "Method Not Allowed", { headers: { allow: "INVITE, ACK, BYE, CANCEL, OPTIONS" } });
  }

  return {
    onInvite(h) { handler = h; },
    handle(tx) {
      if (tx.request.method !== "INVITE" || incomingDialogId(tx.request)) return inDialog(tx);
      if (!handler) return tx.respond(488, "Not Acceptable Here");
      const from = parseNameAddr(tx.request.headers.get("from") ?? "")?.uri ?? "";
      const to = parseNameAddr(tx.request.headers.get("to") ?? "")?.uri ?? "";
      let answered = false;
      const ctx: InviteContext = {
        request: tx.request, offer: text(tx.request.body), from, to,
        accept: (sdp) => {
          // A CANCEL may have ended the transaction with 487 meanwhile (RFC 3261 §9.2): no dialog then.
          if (tx.finalSent) throw new Error("INVITE already answered (cancelled?)");
          answered = true;
          return answer(tx, sdp);
        },
        reject: (status, reason) => { answered = true; tx.respond(status, reason); },
      };
      Promise.resolve().then(() => handler!(ctx)).then(
        () => { if (!answered && !tx.finalSent) tx.respond(480, "Temporarily Unavailable"); },
        (err: unknown) => { logger.error({ err }, "INVITE handler failed"); if (!tx.finalSent) tx.respond(500); },
      );
    },
    async invite(from, to, offerSdp) {
      const req = createRequest({
        method: "INVITE", uri: to, body: offerSdp, contentType: "application/sdp",
        headers: { from: `<${from}>;tag=${newTag()}`, to: `<${to}>`, "call-id": uac.newCallId(), cseq: "1 INVITE" },
      });
      let dialog: DialogState | undefined;
      const user = /^sips?:([^@;?]+)@/i.exec(from)?.[1];
      const { request: sent, response } = await uac.exchange(req, {
        identity: from, ...(user ? { contactUser: decodeURIComponent(user) } : {}),
        // RFC 6026 §8.4: retransmitted 2xx are ACKed again by the TU.
        onAdditional2xx: () => { if (dialog) void ack(dialog, parseCSeq(sent.headers.get("cseq") ?? "")?.seq ?? 1); },
      });
      if (response.status < 200 || response.status >= 300) return { response };
      const contact = sent.headers.get("contact")?.replace(/^.*<([^>]*)>.*$/, "$1") ?? "";
      const created = createUacDialog(sent, response, contact, isFlow(response.source) ? response.source : undefined);
      if (isDialogError(created)) return { response };
      dialog = created;
      await ack(created, parseCSeq(sent.headers.get("cseq") ?? "")?.seq ?? 1);
      const session = makeSession(created, text(response.body), from, uac, () => table.delete(created.id));
      table.set({ dialog: created, session, acked: () => undefined });
      return { response, session };
    },
  };
}
