// A deployment with both component styles, IDN domains on each side, used by the address tests.
import type { AddressPlan } from "../../../src/domain/address.js";
import { compileAddressPlan } from "../../../src/translate/address-plan.js";

export function testPlan(): AddressPlan {
  const plan = compileAddressPlan({
    sipDomains: ["sip.example", "other.example", "xn--bcher-kva.example", "中文.example"],
    xmppDomains: ["xmpp.example", "München.example"],
    mappings: [
      { style: "same-domain", sipDomain: "sip.example" },
      { style: "transport", componentDomain: "sip.gw.example", sipDomains: ["other.example", "bücher.example", "xn--fiq228c.example"] },
    ],
  });
  if (!plan.ok) throw new Error(`test plan invalid: ${plan.error.detail ?? plan.error.code}`);
  return plan.value;
}

/** XEP-0106 §5.1 "JID Examples": [#, user input localpart, escaped localpart]; domain example.com. */
export const XEP0106_JID_EXAMPLES: ReadonlyArray<readonly [number, string, string]> = [
  [1, "space cadet", "space\\20cadet"],
  [2, 'call me "ishmael"', "call\\20me\\20\\22ishmael\\22"],
  [3, "at&t guy", "at\\26t\\20guy"],
  [4, "d'artagnan", "d\\27artagnan"],
  [5, "/.fanboy", "\\2f.fanboy"],
  [6, "::foo::", "\\3a\\3afoo\\3a\\3a"],
  [7, "<foo>", "\\3cfoo\\3e"],
  [8, "user@host", "user\\40host"],
  [9, "c:\\net", "c\\3a\\5cnet"],
  [10, "c:\\\\net", "c\\3a\\5c\\5cnet"],
  [11, "c:\\cool stuff", "c\\3a\\5ccool\\20stuff"],
  [12, "c:\\5commas", "c\\3a\\5c5commas"],
];
