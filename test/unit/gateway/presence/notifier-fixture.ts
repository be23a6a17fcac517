// Shared by the notifier-side presence tests: PresenceDeps whose SIP side is the real notifier over the
// fake transaction layer of the dialog tests (the subscriber side throws unless a test supplies it),
// and the store record of a SIP watcher's dialog as a SUBSCRIBE from 192.0.2.9 would create it.
import { BlockList } from "node:net";
import { createNotifier, type Notifier } from "../../../../src/sip/dialog/notifier.js";
import { createUasDialog, isDialogError, type DialogState } from "../../../../src/sip/dialog/dialog.js";
import type { SipWatcherSubscription, Store } from "../../../../src/store/store.js";
import type { PresenceDeps } from "../../../../src/gateway/presence/presence-deps.js";
import { fakeStack, incoming, logger, request } from "../../sip/dialog/fake-stack.js";
import { testPlan } from "../../translate/address-fixture.js";

export const ALICE = "alice@xmpp.example";

export function notifierDeps(store: Store, opts: {
  readonly f?: ReturnType<typeof fakeStack>;
  readonly notifier?: Notifier;
  readonly sip?: Partial<PresenceDeps["sip"]>;
} = {}): { f: ReturnType<typeof fakeStack>; notifier: Notifier; deps: PresenceDeps } {
  const f = opts.f ?? fakeStack();
  const notifier = opts.notifier ?? createNotifier({ uac: f.uac, logger });
  const deps: PresenceDeps = {
    plan: testPlan(), trust: { proxies: new BlockList(), isTrusted: () => true },
    sip: {
      onSubscribe: (pkg, h) => notifier.onSubscribe(pkg, h),
      restoreNotifierSubscription: (d) => notifier.restore(d),
      subscribe: () => { throw new Error("not used"); },
      restoreSubscription: () => { throw new Error("not used"); },
      ...opts.sip,
    },
    sendXmpp: () => undefined, store, logger,
    config: { notifyMinIntervalSeconds: 0, maxSubscriptionsPerUser: 10_000, maxSubscriptionsPerDomain: 10_000, subscribeExpires: 3600, subscribeRatePerSecond: 100, reannounceRatePerSecond: 100 },
  };
  return { f, notifier, deps };
}

/** `user`@sip.example's dialog watching ALICE (Call-ID `c-<tag>`, our tag `a-<tag>`), at `localSeq`. */
export function watcherDialog(user: string, tag: string, localSeq: number): DialogState {
  const req = {
    ...request("SUBSCRIBE", `sip:${ALICE}`, {
      from: `<sip:${user}@sip.example>;tag=t${tag}`, to: `<sip:${ALICE}>`, "call-id": `c${tag}`, cseq: "1 SUBSCRIBE",
      contact: `<sip:${user}@192.0.2.9:5062>`,
    }),
    source: { transport: "UDP" as const, address: "192.0.2.9", port: 5062 },
  };
  const d = createUasDialog(req, `a${tag}`, "sip:alice@198.51.100.1:5060");
  if (isDialogError(d)) throw new Error(d.reason);
  return { ...d, localSeq };
}

export function watcherRecord(id: string, user: string, dialog: DialogState, state: "active" | "pending" = "active"): SipWatcherSubscription {
  return {
    kind: "sipWatcher", id, watcher: `sip:${user}@sip.example`, presentity: ALICE, event: "presence",
    dialog, state, expiresAt: Date.now() + 3_600_000,
  };
}

/** The refresh SUBSCRIBE (RFC 6665 §4.1.2.2) of watcherDialog("w0", "0", …), CSeq 2, Expires 600, as received. */
export function w0Refresh(): ReturnType<typeof incoming> {
  return incoming(request("SUBSCRIBE", "sip:alice@198.51.100.1:5060", {
    from: "<sip:w0@sip.example>;tag=t0", to: `<sip:${ALICE}>;tag=a0`, "call-id": "c0", cseq: "2 SUBSCRIBE",
    event: "presence", expires: "600", contact: "<sip:w0@192.0.2.9:5062>",
  }));
}
