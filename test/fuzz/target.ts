// What a fuzz target is, and the invariant helpers every target uses: the code under test never
// throws, and every refusal is a typed value carrying a protocol status (SIP 400–599).

export interface FuzzTarget {
  readonly name: string;
  /** Starting inputs (fixtures, examples from the RFCs). */
  seeds(): Uint8Array[];
  /** Tokens of the input language for the mutator. */
  readonly dictionary: readonly string[];
  /** Source path fragments whose coverage guides the fuzzer. */
  readonly sources: readonly string[];
  readonly maxLength?: number;
  /** Runs the code under test on one input; throws InvariantBroken (or whatever escaped) on a bug. */
  run(input: Uint8Array): void;
}

export class InvariantBroken extends Error {
  override readonly name = "InvariantBroken";
}

export function invariant(cond: boolean, message: string): asserts cond {
  if (!cond) throw new InvariantBroken(message);
}

/** A refusal's SIP status must be a final error status (RFC 3261 §7.2: 4xx–6xx; 6xx is global, not ours). */
export function checkStatus(status: unknown, where: string): void {
  invariant(typeof status === "number" && Number.isInteger(status) && status >= 400 && status <= 599, `${where}: status ${String(status)} not in 400–599`);
}

export function checkReason(reason: unknown, where: string): void {
  invariant(typeof reason === "string" && reason.length > 0, `${where}: empty reason`);
  // A reason phrase goes on the status line, and RFC 3261 §25.1 Reason-Phrase admits no controls but HTAB.
  invariant(!/[\u0000-\u0008\u000a-\u001f\u007f]/.test(reason), `${where}: control character in reason ${JSON.stringify(reason)}`);
}

export const utf8 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");
export const bytes = (s: string): Uint8Array => Buffer.from(s, "utf8");
