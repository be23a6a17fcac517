// XML escaping for text we write directly (src/xmpp/message/serialize.ts): the same output as ltx's,
// so the direct path and the element path agree byte for byte. Attribute values escape & < > " ' and
// text escapes & < >. Characters XML 1.0 cannot carry (§2.2) are not handled here: the translators
// remove them before (src/translate/message-text.ts, message-sip-to-chat.ts).
const ATTR_SPECIAL = /["&'<>]/;
const ATTR_SPECIALS = /["&'<>]/g;
const TEXT_SPECIAL = /[&<>]/;
const TEXT_SPECIALS = /[&<>]/g;
const ENTITY: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
const entity = (c: string): string => ENTITY[c]!;

export const escapeAttr = (s: string): string => (ATTR_SPECIAL.test(s) ? s.replace(ATTR_SPECIALS, entity) : s);
export const escapeText = (s: string): string => (TEXT_SPECIAL.test(s) ? s.replace(TEXT_SPECIALS, entity) : s);
