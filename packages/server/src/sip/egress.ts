/**
 * The egress allow-list (DESIGN.md "Security": the server sends SIP only to trunks, registered contacts
 * and configured networks; never to a host named in someone else's headers). `SipTransport` consults
 * the policy for every request and for responses to peers it has not just heard from.
 *
 * The lists: the registered contacts (the packet source (transport, address, port) each REGISTER came
 * from, which is also where the B2BUA sends INVITEs and in-dialog requests), and the trunks (main.ts
 * passes routing/call-routes.ts `egressRule()`: each enabled trunk's outbound host:port/transport, with
 * the host a literal IP or localhost, and any address in an enabled trunk's inbound CIDRs).
 * `egressPolicy` takes any number of allow-lists.
 *
 * Single node: the bindings are this node's (see bindings.ts).
 */
import type { BindingSource } from './bindings.js';
import type { TransportName } from './transaction-types.js';
import type { EgressPolicy } from './transport.js';
import { normalizeAddress } from './transport-via.js';

/** One allow-list: true when it allows sending to the destination. */
export type EgressRule = (address: string, port: number, transport: TransportName) => boolean;

/** Allows the sources registered contacts registered from (`sources` is read at every check). */
export function registeredContactsRule(sources: () => Iterable<BindingSource>): EgressRule {
  return (address, port, transport) => {
    const a = normalizeAddress(address);
    for (const s of sources()) {
      if (s.transport === transport && s.port === port && normalizeAddress(s.address) === a) return true;
    }
    return false;
  };
}

/** The transport's policy: allowed when any rule allows (no rule: deny everything). */
export function egressPolicy(...rules: EgressRule[]): EgressPolicy {
  return (address, port, transport) => rules.some((rule) => rule(address, port, transport));
}
