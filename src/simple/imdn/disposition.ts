// The CPIM headers of RFC 5438 §5/§6: a message asks for notifications with
// `NS: imdn <urn:ietf:params:imdn>`, `imdn.Message-ID` and `imdn.Disposition-Notification`.
import { cpimHeaderValue, type CpimMessage } from "../cpim/types.js";

/** CPIM namespace of the IMDN headers (RFC 5438 §5). */
export const IMDN_CPIM_NS = "urn:ietf:params:imdn";
export const IMDN_PREFIX = "imdn";

export type Disposition = "positive-delivery" | "negative-delivery" | "processing" | "display";
const KNOWN: ReadonlySet<string> = new Set<Disposition>(["positive-delivery", "negative-delivery", "processing", "display"]);

export interface ImdnRequest {
  readonly messageId?: string;
  readonly dispositions: ReadonlySet<Disposition>;
}

/** Unknown tokens are ignored (RFC 5438 §5.2 extensibility); matching is case-insensitive. */
export function parseDispositions(value: string): Set<Disposition> {
  const out = new Set<Disposition>();
  for (const raw of value.split(",")) {
    const t = raw.trim().toLowerCase();
    if (KNOWN.has(t)) out.add(t as Disposition);
  }
  return out;
}

export function imdnRequestOf(msg: CpimMessage): ImdnRequest {
  const id = cpimHeaderValue(msg, IMDN_CPIM_NS, "Message-ID");
  const disp = cpimHeaderValue(msg, IMDN_CPIM_NS, "Disposition-Notification");
  return {
    ...(id !== undefined && id.trim() !== "" ? { messageId: id.trim() } : {}),
    dispositions: disp === undefined ? new Set() : parseDispositions(disp),
  };
}

/** CPIM header lines (name/value) that request the given dispositions for message `id`. */
export function imdnRequestHeaders(id: string, dispositions: readonly Disposition[]): { name: string; value: string }[] {
  const out = [{ name: `${IMDN_PREFIX}.Message-ID`, value: id }];
  if (dispositions.length > 0) out.push({ name: `${IMDN_PREFIX}.Disposition-Notification`, value: dispositions.join(", ") });
  return out;
}
