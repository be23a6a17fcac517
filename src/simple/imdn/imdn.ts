// message/imdn+xml (RFC 5438 §7): delivery and display notifications. Schema elements checked against
// the RFC 5438 XSD as shipped by liblinphone (src/xml/imdn.xsd); processing-notification is parsed for
// completeness but has no XMPP counterpart.
import { create } from "xmlbuilder2";
import { safeParseXml } from "../../xml/safe-parse.js";
import { child, textOf, type XmlElement } from "../../xml/element.js";
import type { Result } from "../../domain/message.js";
import { formatRfc3339, parseRfc3339 } from "../cpim/datetime.js";

export const IMDN_XML_NS = "urn:ietf:params:xml:ns:imdn";
export const IMDN_CONTENT_TYPE = "message/imdn+xml";

export type ImdnNotification =
  | { readonly kind: "delivery"; readonly status: "delivered" | "failed" | "forbidden" | "error" }
  | { readonly kind: "display"; readonly status: "displayed" | "forbidden" | "error" }
  | { readonly kind: "processing"; readonly status: "processed" | "stored" | "forbidden" | "error" };

export interface Imdn {
  /** imdn.Message-ID of the message this notification is about (RFC 5438 §7.2.1.1). */
  readonly messageId: string;
  readonly dateTime: Date;
  readonly recipientUri?: string;
  readonly originalRecipientUri?: string;
  readonly subject?: string;
  readonly notification: ImdnNotification;
}

const STATUSES = {
  delivery: ["delivered", "failed", "forbidden", "error"],
  display: ["displayed", "forbidden", "error"],
  processing: ["processed", "stored", "forbidden", "error"],
} as const;

function readNotification(root: XmlElement): ImdnNotification | string {
  for (const kind of ["delivery", "display", "processing"] as const) {
    const n = child(root, IMDN_XML_NS, `${kind}-notification`);
    if (n === undefined) continue;
    const status = child(n, IMDN_XML_NS, "status");
    if (status === undefined) return `IMDN: <${kind}-notification> without <status>`;
    const allowed: readonly string[] = STATUSES[kind];
    const found = status.children.find((c) => c.ns === IMDN_XML_NS && allowed.includes(c.name));
    if (found === undefined) return `IMDN: unknown ${kind} status`;
    return { kind, status: found.name } as ImdnNotification;
  }
  return "IMDN: no delivery, display or processing notification";
}

export function parseImdn(body: Uint8Array | string): Result<Imdn, { reason: string }> {
  const doc = safeParseXml(body, { maxBytes: 16 * 1024, maxDepth: 8, maxElements: 128 });
  if (!doc.ok) return { ok: false, error: { reason: `IMDN: ${doc.error.reason}` } };
  const root = doc.value;
  if (root.name !== "imdn" || root.ns !== IMDN_XML_NS) {
    return { ok: false, error: { reason: "IMDN: root is not <imdn> in the RFC 5438 namespace" } };
  }
  const messageId = textOf(child(root, IMDN_XML_NS, "message-id"));
  if (messageId === undefined || messageId === "") return { ok: false, error: { reason: "IMDN: missing <message-id>" } };
  const dt = textOf(child(root, IMDN_XML_NS, "datetime"));
  const dateTime = dt === undefined ? undefined : parseRfc3339(dt);
  if (dateTime === undefined) return { ok: false, error: { reason: "IMDN: missing or bad <datetime>" } };
  const notification = readNotification(root);
  if (typeof notification === "string") return { ok: false, error: { reason: notification } };
  const recipientUri = textOf(child(root, IMDN_XML_NS, "recipient-uri"));
  const originalRecipientUri = textOf(child(root, IMDN_XML_NS, "original-recipient-uri"));
  const subject = textOf(child(root, IMDN_XML_NS, "subject"));
  return {
    ok: true,
    value: {
      messageId, dateTime, notification,
      ...(recipientUri ? { recipientUri } : {}),
      ...(originalRecipientUri ? { originalRecipientUri } : {}),
      ...(subject ? { subject } : {}),
    },
  };
}

export function buildImdn(n: Imdn): Uint8Array {
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele(IMDN_XML_NS, "imdn");
  root.ele("message-id").txt(n.messageId);
  root.ele("datetime").txt(formatRfc3339(n.dateTime));
  // RFC 5438 schema: recipient-uri and original-recipient-uri come as a pair, subject only with them.
  if (n.recipientUri !== undefined) {
    root.ele("recipient-uri").txt(n.recipientUri);
    root.ele("original-recipient-uri").txt(n.originalRecipientUri ?? n.recipientUri);
    if (n.subject !== undefined) root.ele("subject").txt(n.subject);
  }
  root.ele(`${n.notification.kind}-notification`).ele("status").ele(n.notification.status);
  return new TextEncoder().encode(root.end({ prettyPrint: false }));
}
