import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** A webhook target the policy refuses (an internal address); never worth a retry. */
export class AddressRefusedError extends Error {
  override readonly name = 'AddressRefusedError';
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

function bareHost(hostname: string): string {
  return hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

/**
 * Which addresses outbound webhooks may reach: public unicast only (no loopback, private,
 * link-local — 169.254.169.254 is the cloud metadata service —, unspecified, CGNAT, unique-local,
 * NAT64 or other special ranges), unless the operator lists a host name or a CIDR in
 * WEBHOOK_ALLOW_HOSTS. Checked when a webhook is saved (the URL's host) and again on every
 * connection, after DNS resolution, on the address actually dialled, so a name that resolves (or
 * later re-resolves) to an internal address is refused too.
 */
export class AddressPolicy {
  private readonly hosts = new Set<string>();
  private readonly cidrs: Cidr[] = [];

  constructor(allow: readonly string[]) {
    for (const raw of allow.map((a) => a.trim()).filter(Boolean)) {
      if (raw.includes('/')) this.cidrs.push(ipaddr.parseCIDR(raw));
      else if (ipaddr.isValid(bareHost(raw))) {
        const addr = ipaddr.process(bareHost(raw));
        this.cidrs.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
      } else this.hosts.add(bareHost(raw));
    }
  }

  /** Why `ip` may not be called, or undefined when it may. IPv4-mapped IPv6 counts as its IPv4. */
  refusal(ip: string): string | undefined {
    const addr = ipaddr.process(bareHost(ip));
    if (this.cidrs.some(([net, bits]) => addr.kind() === net.kind() && addr.match(net, bits))) return undefined;
    const range = addr.range();
    return range === 'unicast' ? undefined : `${addr.toString()} is a ${range} address`;
  }

  /** Why a webhook URL may not be saved (its host is an internal address or a loopback name), or undefined. */
  urlRefusal(url: string): string | undefined {
    const host = bareHost(new URL(url).hostname);
    if (this.hosts.has(host)) return undefined;
    if (ipaddr.isValid(host)) return this.refusal(host);
    if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is a loopback name`;
    return undefined;
  }

  /** Whether a request to `url` needs no further checks (an allowed name). */
  allowsHostOf(url: string): boolean {
    return this.hosts.has(bareHost(new URL(url).hostname));
  }

  /** A `lookup` for node:http: resolves as usual, then refuses when any resolved address is internal. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 4);
      const refused = this.hosts.has(bareHost(hostname))
        ? undefined
        : addresses.map((a) => this.refusal(a.address)).find((r) => r !== undefined);
      if (refused || addresses.length === 0) {
        return callback(new AddressRefusedError(`refused ${hostname}: ${refused ?? 'no address'}`), '', 4);
      }
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
