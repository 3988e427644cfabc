/**
 * Addresses and networks, shared by the SIP transport (egress), the trunks (inbound CIDRs) and the
 * settings (`sip.egressNetworks`).
 */
import { BlockList, isIP } from 'node:net';

/** An address as compared everywhere: lower case, IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as plain IPv4. */
export function normalizeAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

/**
 * Whether `cidr` is an IPv4/IPv6 address or network (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`).
 * node:net's BlockList accepts it as a subnet, so matching sources against it later behaves the same.
 */
export function cidrProblem(cidr: string): string | null {
  const [addr, prefix, ...rest] = cidr.split('/');
  const family = isIP(addr ?? '');
  if (family === 0 || rest.length) return 'not an IPv4 or IPv6 address or CIDR network';
  if (prefix === undefined) return null;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `the prefix length must be 0-${max}`;
  try {
    new BlockList().addSubnet(addr!, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return 'not a valid network';
  }
  return null;
}

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A host name (RFC 1123 labels) or an IP address. */
export function isHost(host: string): boolean {
  return isIP(host) !== 0 || (host.length <= 253 && host.split('.').every((l) => LABEL.test(l)));
}

/** A BlockList of addresses and CIDR networks (entries that are not valid never match). */
export function networkList(cidrs: Iterable<string>): BlockList {
  const list = new BlockList();
  for (const c of cidrs) {
    const [addr, prefix] = c.split('/');
    const family = isIP(addr ?? '') === 6 ? 'ipv6' : 'ipv4';
    try {
      if (prefix === undefined) list.addAddress(addr!, family);
      else list.addSubnet(addr!, Number(prefix), family);
    } catch {
      // validated where the list comes from (cidrProblem); a bad entry never matches
    }
  }
  return list;
}

/** Whether an address (any form, see normalizeAddress) is in the list. */
export function inNetworks(list: BlockList, address: string): boolean {
  const a = normalizeAddress(address);
  const family = isIP(a);
  return family !== 0 && list.check(a, family === 6 ? 'ipv6' : 'ipv4');
}
