// Decimal fields (Content-Length, Max-Forwards): 1*DIGIT, bounded so the value stays an exact integer.

/** 1*10DIGIT as a number, or -1 (empty, too long, or not digits). */
export function parseDigits(s: string): number {
  if (s.length === 0 || s.length > 10) return -1;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}
