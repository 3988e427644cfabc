/**
 * The egress allow-list (DESIGN.md "Security": the server sends SIP only to trunks, registered contacts
 * and configured networks; never to a host named in someone else's headers). `SipTransport` consults
 * the policy for every request and for responses to peers it has not just heard from.
 *
 * The lists: the registered contacts (the packet source (transport, address, port) each REGISTER came
 * from, which is also where the B2BUA sends INVITEs and in-dialog requests), and the trunks (main.ts
 * passes routing/call-routes.ts `egressRule()`: each enabled trunk's outbound host:port/transport, with
 * the host a literal IP or localhost, and any address in an enabled trunk's inbound CIDRs), and the
 * configured networks (`networksRule`, setting `sip.egressNetworks`).
 * `egressPolicy` takes any number of allow-lists.
 *
 * Single node: the bindings are this node's (see bindings.ts).
 */
import type { BindingStore } from './bindings.js';
import type { TransportName } from './transaction-types.js';
import type { EgressPolicy } from './transport.js';
import { inNetworks, networkList } from '../net.js';

/** One allow-list: true when it allows sending to the destination. */
export type EgressRule = (address: string, port: number, transport: TransportName) => boolean;

/** Allows the sources registered contacts registered from (the registrar's index of them, bindings.ts). */
export function registeredContactsRule(bindings: Pick<BindingStore, 'hasSource'>): EgressRule {
  return (address, port, transport) => bindings.hasSource(transport, address, port);
}

/** Allows any address in the configured networks (setting `sip.egressNetworks`), on any port and transport. */
export function networksRule(cidrs: readonly string[]): EgressRule {
  if (cidrs.length === 0) return () => false;
  const list = networkList(cidrs);
  return (address) => inNetworks(list, address);
}

/** The transport's policy: allowed when any rule allows (no rule: deny everything). */
export function egressPolicy(...rules: EgressRule[]): EgressPolicy {
  return (address, port, transport) => rules.some((rule) => rule(address, port, transport));
}
