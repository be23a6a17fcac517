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
