// SIPp scenarios of the presence benchmarks, generated so that the presentity, hold time and markers
// are parameters. Every watcher is a distinct SIP user: the From user is "<prefix>[call_number]", so
// N calls are N watchers (N `subscribe` stanzas to the XMPP user, N roster entries on her server).
import { scenarioFile } from "../../test/support/sipp-im-scenarios.js";

const HEADER = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
`;

const ok200 = `<send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>`;

// The gateway's server transaction answers a retransmitted SUBSCRIBE with its 200 again; SIPp sees a
// late one as unexpected and aborts the call (the 3000-subscription stall: NOTIFY answers stopped at
// 3266 / 3708 of 6000). An optional receive before each later NOTIFY absorbs it.
const late200 = `<recv response="200" optional="true"/>`;

function subscribe(presentity: string, watcherPrefix: string, expires: number): string {
  return `<send retrans="500">
    <![CDATA[
      SUBSCRIBE sip:${presentity} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <sip:${watcherPrefix}[call_number]@sip.example>;tag=[pid]SIPpTag[call_number]
      To: <sip:${presentity}>
      Call-ID: [call_id]
      CSeq: 1 SUBSCRIBE
      Contact: <sip:${watcherPrefix}[call_number]@[local_ip]:[local_port];transport=[transport]>
      Event: presence
      Accept: application/pidf+xml
      Expires: ${expires}
      Content-Length: 0

    ]]>
  </send>`;
}

/** A watcher's opening: SUBSCRIBE → 200 → NOTIFY pending (its variable `pend`) → 200. */
const subscribedPending = (presentity: string, watcherPrefix: string): string => `${subscribe(presentity, watcherPrefix, 3600)}
  <recv response="200" rtd="true"/>
  ${late200}
  <recv request="NOTIFY">
    <action>
      <ereg regexp="^ *pending" search_in="hdr" header="Subscription-State:" check_it="true" assign_to="pend"/>
    </action>
  </recv>
  ${ok200}`;

/**
 * Fan-out watcher: SUBSCRIBE → 200 → NOTIFY pending → NOTIFY active (the XMPP user approved), then
 * every NOTIFY is answered 200 and logged as "<call_number> <marker> <SIPp [timestamp]>" (-trace_logs),
 * where the marker is the first "<markerPrefix><digits>" in the body (empty for NOTIFYs without one);
 * the call ends after the NOTIFY whose body carries "<markerPrefix><digits>-last".
 */
export function fanoutWatcherUac(o: { readonly presentity: string; readonly watcherPrefix: string; readonly markerPrefix: string }): string {
  return scenarioFile("presence-fanout-uac.xml", `${HEADER}<scenario name="presence fan-out watcher">
  ${subscribedPending(o.presentity, o.watcherPrefix)}
  ${late200}
  <recv request="NOTIFY">
    <action>
      <ereg regexp="^ *active" search_in="hdr" header="Subscription-State:" check_it="true" assign_to="act"/>
      <log message="[call_number] active [timestamp]"/>
    </action>
  </recv>
  ${ok200}
  <label id="1"/>
  ${late200}
  <recv request="NOTIFY">
    <action>
      <ereg regexp="${o.markerPrefix}[0-9]+" search_in="body" assign_to="mark"/>
      <ereg regexp="${o.markerPrefix}[0-9]+-last" search_in="body" assign_to="last"/>
      <log message="[call_number] [$mark] [timestamp]"/>
    </action>
  </recv>
  ${ok200}
  <nop hide="true" test="last" next="2"/>
  <nop hide="true" next="1"/>
  <label id="2"/>
  <Reference variables="pend,act"/>
</scenario>
`);
}

/**
 * Holding watcher: SUBSCRIBE → 200 → NOTIFY pending → 200, then every NOTIFY (active, full-state
 * updates) is answered 200 until none has come for `holdMs`: the dialog stays open that long.
 */
export function holdingWatcherUac(o: { readonly presentity: string; readonly watcherPrefix: string; readonly holdMs: number }): string {
  return scenarioFile("presence-hold-uac.xml", `${HEADER}<scenario name="presence holding watcher">
  ${subscribedPending(o.presentity, o.watcherPrefix)}
  <label id="1"/>
  ${late200}
  <recv request="NOTIFY" timeout="${o.holdMs}" ontimeout="2"/>
  ${ok200}
  <nop hide="true" next="1"/>
  <label id="2"/>
  <Reference variables="pend"/>
</scenario>
`);
}

export interface SippLogLine {
  readonly call: number;
  readonly mark: string;
  /** SIPp's [timestamp] epoch field, in ms. */
  readonly atMs: number;
}

/** Lines of the fan-out scenario's -trace_logs file ("<call> <mark> <date>\t<time>\t<epoch.µs>"). */
export function parseSippLog(text: string): SippLogLine[] {
  const out: SippLogLine[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d+) (\S*) ?.*\t(\d+\.\d+)\s*$/.exec(line);
    if (m) out.push({ call: Number(m[1]), mark: m[2] ?? "", atMs: Number(m[3]) * 1000 });
  }
  return out;
}

/**
 * SIP presentities' notifier (UAS, one call per SUBSCRIBE, any To user): SUBSCRIBE → 200 (Expires
 * `expires`) → NOTIFY active with a PIDF (basic open, note `note`) for the To URI → 200, and the call
 * ends; the gateway's dialog stays alive until it expires. Authorization is given at once, so the
 * first NOTIFY is `active` (RFC 6665 §4.1.3 allows it without a `pending` one).
 */
/** The notifier's 200 to a SUBSCRIBE (the first one, and a re-sent one absorbed later). */
const subscribe200 = (expires: number): string => `  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]N[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:notifier@[local_ip]:[local_port];transport=[transport]>
      Expires: ${expires}
      Content-Length: 0

    ]]>
  </send>
`;

export function notifierUas(o: { readonly expires: number; readonly note: string }): string {
  return scenarioFile("presence-notifier-uas.xml", `${HEADER}<scenario name="presence notifier UAS">
  <recv request="SUBSCRIBE" rrs="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="peer"/>
      <ereg regexp="sip:[^>;]*" search_in="hdr" header="To:" check_it="true" assign_to="me"/>
    </action>
  </recv>
${subscribe200(o.expires)}  <send retrans="500">
    <![CDATA[
      NOTIFY [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <[$me]>;tag=[pid]N[call_number]
      To: [$peer]
      Call-ID: [call_id]
      CSeq: 1 NOTIFY
      Contact: <sip:notifier@[local_ip]:[local_port];transport=[transport]>
      Event: presence
      Subscription-State: active;expires=${o.expires}
      Content-Type: application/pidf+xml
      Content-Length: [len]

      <?xml version="1.0" encoding="UTF-8"?>
      <presence xmlns="urn:ietf:params:xml:ns:pidf" entity="[$me]"><tuple id="t1"><status><basic>open</basic></status><note>${o.note}</note></tuple></presence>
    ]]>
  </send>
  <label id="1"/>
  <recv request="SUBSCRIBE" optional="true" next="2"/>
  <recv response="200" next="3"/>
  <label id="2"/>
${subscribe200(o.expires)}  <nop hide="true" next="1"/>
  <label id="3"/>
</scenario>
`);
}
