// RFC 3339 §5.6 date-time, the syntax of the CPIM DateTime header (RFC 3862 §4.4) and of the IMDN
// <datetime> element (RFC 5438 §7.2.1.2). Parsed by hand rather than with Date.parse, which accepts
// many non-RFC 3339 forms and silently normalises impossible dates (2001-02-30).

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Parses an RFC 3339 date-time; undefined when the text or any field is out of range. */
export function parseRfc3339(text: string): Date | undefined {
  const m = DATE_TIME.exec(text.trim());
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number, number, number, number, number, number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // RFC 3339 §5.7: time-second may be 60 on a leap second; JS Dates have none, so it folds onto :59.
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  let offsetMin = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000);
  const utc = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms) - offsetMin * 60_000;
  return Number.isFinite(utc) ? new Date(utc) : undefined;
}

/** Formats a Date as RFC 3339 in UTC ("Z"), with milliseconds only when non-zero. */
export function formatRfc3339(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}
