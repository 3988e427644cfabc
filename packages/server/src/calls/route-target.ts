/**
 * Where an agent's call goes (the B2BUA's routing for an agent's INVITE to something that is not an
 * extension, and click-to-call's routing of its target, originate.ts), as data for the caller to act on:
 *
 *   an extension            that agent's registered devices (internal); busy 486, no device 480
 *   a number routed to an   its registered devices (internal); queue/flow targets 480 with a Warning
 *     agent (trunk-calls.ts)
 *   anything else           out through the caller's trunk (outbound); none usable 404, trunk full 503
 *   the caller itself       482 Loop Detected (directly, or through a number)
 *
 * Limits: `busy` (sip.maxCallsPerAgent, as caller or callee) and the trunk's maxCalls over `calls`.
 */
import type { Binding } from '../sip/bindings.js';
import type { Call } from './call.js';
import { type Answer, BUSY, NOT_FOUND, notAgentAnswer, TRUNK_FULL, trunkFull } from './trunk-calls.js';
import type { OutboundTrunk, TrunkPort } from './trunk-port.js';

/** A routed call: the kind of call, the target agent's bindings (none for a trunk call), the trunk. */
export interface Routed {
  kind: Pick<Call, 'direction' | 'trunk' | 'agents'>;
  bindings: Binding[];
  trunk?: OutboundTrunk;
}

export interface RouteDeps {
  exists(extension: string): Promise<boolean>;
  bindings(extension: string): Binding[];
  busy(extension: string): boolean;
  trunks?: TrunkPort;
  /** The live calls (trunk limits). */
  calls(): Iterable<Call>;
}

const LOOP: Answer = { status: 482, reason: 'Loop Detected' };
const UNAVAILABLE: Answer = { status: 480, reason: 'Temporarily Unavailable' };

/** An agent (`caller`) calling `target`: an extension first, else `routeOut`. */
export async function routeTarget(d: RouteDeps, caller: string, target: string): Promise<Routed | Answer> {
  if (target === caller) return LOOP;
  if (!(await d.exists(target))) return routeOut(d, caller, target);
  if (d.busy(caller) || d.busy(target)) return BUSY;
  const bindings = d.bindings(target);
  if (bindings.length === 0) return UNAVAILABLE;
  return { kind: { direction: 'internal', trunk: null, agents: [caller, target] }, bindings };
}

/** Not an extension: a number routed to an agent, else out through the caller's trunk; 404 when neither. */
export async function routeOut(d: RouteDeps, caller: string, target: string): Promise<Routed | Answer> {
  const route = d.trunks ? await d.trunks.number(target) : null;
  if (route && route.type !== 'agent') return notAgentAnswer(route);
  if (route) {
    if (route.key === caller) return LOOP;
    if (d.busy(caller) || d.busy(route.key)) return BUSY;
    const bindings = d.bindings(route.key);
    if (bindings.length === 0) return UNAVAILABLE;
    return { kind: { direction: 'internal', trunk: null, agents: [caller, route.key] }, bindings };
  }
  const trunk = d.trunks ? await d.trunks.outbound(caller) : null;
  if (!trunk) return NOT_FOUND;
  if (d.busy(caller)) return BUSY;
  if (trunkFull(d.calls(), trunk.name, trunk.maxCalls)) return TRUNK_FULL;
  return { kind: { direction: 'outbound', trunk: trunk.name, agents: [caller] }, bindings: [], trunk };
}
