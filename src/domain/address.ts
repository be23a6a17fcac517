// Protocol-neutral addresses. Values of these types are only made by src/translate/address*.ts after
// validation, so holding one means it is already in canonical form.
declare const brand: unique symbol;
type Branded<T, B extends string> = T & { readonly [brand]: B };

/** A DNS name in canonical comparison form: lower-case A-labels (RFC 5890), e.g. "xn--bcher-kva.example". */
export type DomainName = Branded<string, "DomainName">;

export type SipScheme = "sip" | "sips" | "pres" | "im";

/** A SIP-side address: an AOR, or with `gr` a GRUU naming one instance (RFC 5627 §3.1). */
export type SipAddress = Branded<
  {
    readonly scheme: SipScheme;
    /** The user part, percent-decoded (RFC 3261 §19.1.4 compares user parts after unescaping). */
    readonly user: string;
    readonly host: DomainName;
    /** RFC 5627 `gr` parameter value, decoded; absent on an AOR. */
    readonly gr?: string;
  },
  "SipAddress"
>;

/** A JID prepared per RFC 7622: escaped localpart (XEP-0106), U-label domainpart, opaque resource. */
export type Jid = Branded<
  {
    readonly local?: string;
    readonly domain: string;
    readonly resource?: string;
  },
  "Jid"
>;

/**
 * How SIP users appear on the XMPP side behind one component domain.
 * - same-domain: the component domain is the SIP domain: sip:bob@sip.example ⇄ bob@sip.example.
 * - transport: one component domain carries several SIP domains, the SIP domain escaped into the
 *   localpart (XEP-0106): sip:bob@sip.example ⇄ bob\40sip.example@sip.gw.example.
 */
export type ComponentMappingConfig =
  | { readonly style: "same-domain"; readonly sipDomain: string }
  | { readonly style: "transport"; readonly componentDomain: string; readonly sipDomains: readonly string[] };

export interface AddressPlanConfig {
  /** Domains of the SIP side that the gateway serves. */
  readonly sipDomains: readonly string[];
  /** Local XMPP domains whose users may write through the gateway. */
  readonly xmppDomains: readonly string[];
  /** One or more component mappings; together they must cover every SIP domain exactly once. */
  readonly mappings: readonly ComponentMappingConfig[];
}

export interface ComponentRoute {
  readonly style: "same-domain" | "transport";
  readonly componentDomain: DomainName;
}

/** The compiled plan: every domain canonical, every look-up a Map/Set hit. */
export interface AddressPlan {
  readonly sipDomains: ReadonlySet<DomainName>;
  readonly xmppDomains: ReadonlySet<DomainName>;
  /** SIP domain → the component domain (and style) its users appear under. */
  readonly routeBySipDomain: ReadonlyMap<DomainName, ComponentRoute>;
  /** Component domain → its style and, for transport, the SIP domains it carries. */
  readonly componentDomains: ReadonlyMap<DomainName, { readonly style: ComponentRoute["style"]; readonly sipDomains: ReadonlySet<DomainName> }>;
}
