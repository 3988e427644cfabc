/**
 * Least privilege, as a data-driven matrix: every API route (method + URL) x every kind of caller
 * (the four roles, no token, bad tokens, a revoked token, an expired token, a disabled user), asserting
 * the exact status: the route's success status, 401 or 403. A route in the OpenAPI document that the
 * matrix does not cover fails the test, and so does a denied request that wrote anything.
 */
import test, { type ExecutionContext } from 'ava';
import { ApiError, HotlineClient } from '../src/client/index.js';
import { CallRow, TicketAttachmentRow, TokenRow } from '../src/db/entities/index.js';
import { can, rolePermissions, type Permission } from '../src/security/roles.js';
import type { TestServer } from '../src/testing.js';
import { eachDialect, http, serve, type RawResponse, waitFor } from './helpers.js';
import { udpUa } from './sip-call-ua.js';
import { udpPeer } from './sip-ua.js';

type Access = Permission | 'authenticated' | 'public';
type Role = 'admin' | 'supervisor' | 'agent' | 'auditor';

interface Caller {
  label: string;
  /** The bearer token sent, or null for none. */
  token: string | null;
  /** The role when the token is valid; null when the server must answer 401. */
  role: Role | null;
  /** The user the token belongs to (valid or not). */
  user: string;
}

interface Req {
  path: string;
  body?: unknown;
}

interface RouteCase {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** As in the OpenAPI document: `/v1/agents/{extension}`. */
  route: string;
  /** The permission this route needs: written here from the design, not read from the route. */
  access: Access;
  ok: number;
  /** Build a request that succeeds for an allowed caller, creating what it needs with the admin client. */
  prepare(f: Fixtures, caller: Caller): Promise<Req>;
}

/** A new business calendar (its name). */
async function calendar(f: Fixtures): Promise<string> {
  return (await f.s.admin.calendars.create({ name: f.name('cal'), timeZone: 'Europe/Berlin', hours: { mon: [{ start: '09:00', end: '17:00' }] } })).name;
}

/** A new SLA policy on a new calendar (its name). */
async function slaPolicy(f: Fixtures): Promise<string> {
  const name = f.name('sla');
  await f.s.admin.slaPolicies.create({ name, calendar: await calendar(f), firstResponseMinutes: 60, resolutionMinutes: 480, priorities: ['low'] });
  return name;
}

/** A new unassigned ticket (its id as text). */
async function ticket(f: Fixtures): Promise<string> {
  return String((await f.s.admin.tickets.create({ subject: f.name('Ticket') })).id);
}

/** A new callback due in an hour (its id as text): an agent to call back from, and a number. */
async function callback(f: Fixtures): Promise<string> {
  return String((await f.s.admin.callbacks.create({ number: '+14155550100', agent: await f.agent(), inMinutes: 60 })).id);
}

/** A new disabled workflow rule (its id as text). */
async function rule(f: Fixtures): Promise<string> {
  return String((await f.s.admin.rules.create({ name: f.name('rule'), trigger: 'ticket.created', enabled: false, actions: [{ type: 'update_ticket', priority: 'high' }] })).id);
}

class Fixtures {
  private n = 0;
  private banAgent: string | undefined;
  private live: string | undefined;
  constructor(readonly s: TestServer, readonly t?: ExecutionContext) {}
  name(prefix: string): string {
    return `${prefix}-${++this.n}`;
  }
  extension(): string {
    return String(50000 + ++this.n);
  }
  async agent(): Promise<string> {
    const extension = this.extension();
    await this.s.admin.agents.create({ extension, name: `Agent ${extension}` });
    return extension;
  }
  async queue(): Promise<string> {
    const name = this.name('q');
    await this.s.admin.queues.create({ name });
    return name;
  }
  async number(): Promise<string> {
    const number = `49${this.extension()}`;
    await this.s.admin.numbers.create({ number, target: 'flow:main' });
    return number;
  }
  async user(): Promise<string> {
    const name = this.name('u');
    await this.s.admin.users.create({ name, role: 'agent' });
    return name;
  }
  /** A customer (its id as text). */
  async customer(): Promise<string> {
    return String((await this.s.admin.customers.create({ name: this.name('Customer') })).id);
  }
  /**
   * A live (ringing) call: an agent calls another whose device takes the INVITE and never answers. The
   * same call serves every denied caller; a caller allowed to hang up consumes it.
   */
  async liveCall(caller: Caller): Promise<string> {
    if (!this.t) throw new Error('fixture: liveCall needs the test context');
    if (!this.live) {
      const [from, to] = [this.extension(), this.extension()];
      for (const ext of [from, to]) await this.s.admin.agents.create({ extension: ext, name: `Agent ${ext}`, password: 'call secret' });
      const port = this.s.server.listeners['sipUdp']!.port;
      const [a, b] = [await udpUa(this.t, port, from, 'call secret'), await udpUa(this.t, port, to, 'call secret')];
      await a.register();
      await b.register();
      await a.invite(to);
      // Ringing (180): the leg waits for Timer C (180 s), not Timer B (32 s), so no call.ended lands mid-matrix.
      const invite = await b.request('INVITE');
      await b.reply(invite, 180, 'Ringing', { toTag: 'ringing' });
      this.live = await waitFor('live call', async () => (await this.s.admin.calls.list({ active: true })).find((c) => c.from === from)?.id);
    }
    const id = this.live;
    if (caller.role && can(caller.role, 'calls:write')) this.live = undefined;
    // Registration and call events are written asynchronously: let them land before the request under test.
    await this.s.server.services.store.writer.idle();
    return id;
  }
  /**
   * An originate body: for a caller allowed to originate, two fresh agents with registered devices. The
   * agent's device rings (180) and never answers, so the call stays live and writes nothing mid-matrix.
   */
  async originate(caller: Caller): Promise<{ from: string; to: string }> {
    if (!this.t) throw new Error('fixture: originate needs the test context');
    if (!caller.role || !can(caller.role, 'calls:write')) return { from: '1001', to: '1002' };
    const [from, to] = [this.extension(), this.extension()];
    for (const ext of [from, to]) {
      await this.s.admin.agents.create({ extension: ext, name: `Agent ${ext}`, password: 'call secret' });
      const ua = await udpUa(this.t, this.s.server.listeners['sipUdp']!.port, ext, 'call secret');
      await ua.register();
      if (ext === from) ua.request('INVITE', 60_000).then((invite) => ua.reply(invite, 180, 'Ringing', { toTag: 'ringing' })).catch(() => undefined);
    }
    await this.s.server.services.store.writer.idle();
    return { from, to };
  }
  /** A call record, written straight to the table (no SIP needed to read it back). */
  async call(): Promise<string> {
    const id = `00000000-0000-4000-8000-${String(++this.n).padStart(12, '0')}`;
    await this.s.server.services.store.writer.run((tx) => tx.em.save(CallRow, Object.assign(new CallRow(), {
      id, fromExt: '1001', toExt: '1002', direction: 'internal', state: 'ended', startedAt: new Date(), ringingAt: null,
      answeredAt: null, endedAt: new Date(), hangupBy: 'system', status: 480, reason: 'Temporarily Unavailable',
    })));
    return id;
  }
  /** A banned address: a REGISTER with a wrong password from a fresh 127.x address (the matrix server bans at the first failure). */
  async bannedAddress(): Promise<string> {
    if (!this.t) throw new Error('fixture: bannedAddress needs the test context');
    if (!this.banAgent) {
      this.banAgent = this.extension();
      await this.s.admin.agents.create({ extension: this.banAgent, name: 'Banned', password: 'right password' });
    }
    const address = `127.0.${Math.floor(++this.n / 250)}.${(this.n % 250) + 2}`;
    const peer = await udpPeer(this.t, this.s.server.listeners['sipUdp']!.port, address);
    await peer.register({ user: this.banAgent, contacts: [`<sip:${this.banAgent}@${address}:5070>`], callId: `ban-${this.n}`, cseq: 1 }, 'wrong password');
    await peer.close();
    // The ban's event is written asynchronously: let it land before the request under test.
    await this.s.server.services.store.writer.idle();
    return address;
  }
}

function catalog(path: string, key: 'name' | 'code', read: Permission, write: Permission, create: (k: string) => object, patch: object): RouteCase[] {
  const make = async (f: Fixtures) => {
    const k = f.name(path.slice(0, 2));
    await f.s.admin.request('POST', `/v1/${path}`, create(k));
    return k;
  };
  return [
    { method: 'GET', route: `/v1/${path}`, access: read, ok: 200, prepare: async () => ({ path: `/v1/${path}` }) },
    { method: 'POST', route: `/v1/${path}`, access: write, ok: 201, prepare: async (f) => ({ path: `/v1/${path}`, body: create(f.name(path.slice(0, 2))) }) },
    { method: 'GET', route: `/v1/${path}/{${key}}`, access: read, ok: 200, prepare: async (f) => ({ path: `/v1/${path}/${await make(f)}` }) },
    { method: 'PATCH', route: `/v1/${path}/{${key}}`, access: write, ok: 200, prepare: async (f) => ({ path: `/v1/${path}/${await make(f)}`, body: patch }) },
    { method: 'DELETE', route: `/v1/${path}/{${key}}`, access: write, ok: 204, prepare: async (f) => ({ path: `/v1/${path}/${await make(f)}` }) },
  ];
}

const CENTER = { apiVersion: 'hotline/v1', kind: 'Center' };

export const matrix: RouteCase[] = [
  { method: 'GET', route: '/v1/health', access: 'public', ok: 200, prepare: async () => ({ path: '/v1/health' }) },
  { method: 'GET', route: '/v1/status', access: 'status:read', ok: 200, prepare: async () => ({ path: '/v1/status' }) },
  { method: 'GET', route: '/v1/me', access: 'authenticated', ok: 200, prepare: async () => ({ path: '/v1/me' }) },

  { method: 'GET', route: '/v1/users', access: 'users:read', ok: 200, prepare: async () => ({ path: '/v1/users' }) },
  { method: 'POST', route: '/v1/users', access: 'users:write', ok: 201, prepare: async (f) => ({ path: '/v1/users', body: { name: f.name('nu'), role: 'agent' } }) },
  { method: 'GET', route: '/v1/users/{name}', access: 'users:read', ok: 200, prepare: async (f) => ({ path: `/v1/users/${await f.user()}` }) },
  { method: 'PATCH', route: '/v1/users/{name}', access: 'users:write', ok: 200, prepare: async (f) => ({ path: `/v1/users/${await f.user()}`, body: { displayName: 'Renamed' } }) },
  { method: 'DELETE', route: '/v1/users/{name}', access: 'users:write', ok: 204, prepare: async (f) => ({ path: `/v1/users/${await f.user()}` }) },

  { method: 'GET', route: '/v1/tokens', access: 'authenticated', ok: 200, prepare: async () => ({ path: '/v1/tokens' }) },
  { method: 'POST', route: '/v1/tokens', access: 'authenticated', ok: 201, prepare: async () => ({ path: '/v1/tokens', body: { name: 'own' } }) },
  {
    // Everyone may revoke their own tokens; the token revoked here belongs to the caller.
    method: 'DELETE', route: '/v1/tokens/{id}', access: 'authenticated', ok: 200,
    prepare: async (f, c) => ({ path: `/v1/tokens/${(await f.s.admin.tokens.create({ name: 'to-revoke', user: c.user })).id}` }),
  },
  { method: 'GET', route: '/v1/audit', access: 'audit:read', ok: 200, prepare: async () => ({ path: '/v1/audit' }) },

  { method: 'GET', route: '/v1/agents', access: 'agents:read', ok: 200, prepare: async () => ({ path: '/v1/agents' }) },
  { method: 'POST', route: '/v1/agents', access: 'agents:write', ok: 201, prepare: async (f) => ({ path: '/v1/agents', body: { extension: f.extension(), name: 'New' } }) },
  { method: 'GET', route: '/v1/agents/{extension}', access: 'agents:read', ok: 200, prepare: async (f) => ({ path: `/v1/agents/${await f.agent()}` }) },
  { method: 'PATCH', route: '/v1/agents/{extension}', access: 'agents:write', ok: 200, prepare: async (f) => ({ path: `/v1/agents/${await f.agent()}`, body: { name: 'Renamed' } }) },
  { method: 'DELETE', route: '/v1/agents/{extension}', access: 'agents:write', ok: 204, prepare: async (f) => ({ path: `/v1/agents/${await f.agent()}` }) },
  { method: 'GET', route: '/v1/registrations', access: 'agents:read', ok: 200, prepare: async () => ({ path: '/v1/registrations' }) },
  { method: 'GET', route: '/v1/calls', access: 'agents:read', ok: 200, prepare: async () => ({ path: '/v1/calls?active=true' }) },
  { method: 'GET', route: '/v1/calls/{id}', access: 'agents:read', ok: 200, prepare: async (f) => ({ path: `/v1/calls/${await f.call()}` }) },
  { method: 'POST', route: '/v1/calls/originate', access: 'calls:write', ok: 202, prepare: async (f, c) => ({ path: '/v1/calls/originate', body: await f.originate(c) }) },
  { method: 'POST', route: '/v1/calls/{id}/hangup', access: 'calls:write', ok: 200, prepare: async (f, c) => ({ path: `/v1/calls/${await f.liveCall(c)}/hangup` }) },

  { method: 'GET', route: '/v1/queues', access: 'queues:read', ok: 200, prepare: async () => ({ path: '/v1/queues' }) },
  { method: 'POST', route: '/v1/queues', access: 'queues:write', ok: 201, prepare: async (f) => ({ path: '/v1/queues', body: { name: f.name('nq') } }) },
  { method: 'GET', route: '/v1/queues/{name}', access: 'queues:read', ok: 200, prepare: async (f) => ({ path: `/v1/queues/${await f.queue()}` }) },
  { method: 'PATCH', route: '/v1/queues/{name}', access: 'queues:write', ok: 200, prepare: async (f) => ({ path: `/v1/queues/${await f.queue()}`, body: { strategy: 'ring-all' } }) },
  { method: 'DELETE', route: '/v1/queues/{name}', access: 'queues:write', ok: 204, prepare: async (f) => ({ path: `/v1/queues/${await f.queue()}` }) },
  { method: 'GET', route: '/v1/queues/{name}/members', access: 'queues:read', ok: 200, prepare: async (f) => ({ path: `/v1/queues/${await f.queue()}/members` }) },
  {
    method: 'POST', route: '/v1/queues/{name}/members', access: 'members:write', ok: 200,
    prepare: async (f) => ({ path: `/v1/queues/${await f.queue()}/members`, body: { agent: await f.agent(), penalty: 2 } }),
  },
  {
    method: 'DELETE', route: '/v1/queues/{name}/members/{extension}', access: 'members:write', ok: 204,
    prepare: async (f) => {
      const [queue, agent] = [await f.queue(), await f.agent()];
      await f.s.admin.queues.members.add(queue, { agent });
      return { path: `/v1/queues/${queue}/members/${agent}` };
    },
  },

  ...catalog('trunks', 'name', 'trunks:read', 'trunks:write', (name) => ({ name, host: 'sip.example.net', inboundCidrs: ['192.0.2.0/24'] }), { port: 5080 }),
  { method: 'GET', route: '/v1/numbers', access: 'numbers:read', ok: 200, prepare: async () => ({ path: '/v1/numbers' }) },
  { method: 'POST', route: '/v1/numbers', access: 'numbers:write', ok: 201, prepare: async (f) => ({ path: '/v1/numbers', body: { number: `+49${f.extension()}`, target: 'flow:main' } }) },
  { method: 'GET', route: '/v1/numbers/{number}', access: 'numbers:read', ok: 200, prepare: async (f) => ({ path: `/v1/numbers/${await f.number()}` }) },
  { method: 'PATCH', route: '/v1/numbers/{number}', access: 'numbers:write', ok: 200, prepare: async (f) => ({ path: `/v1/numbers/${await f.number()}`, body: { description: 'changed' } }) },
  { method: 'DELETE', route: '/v1/numbers/{number}', access: 'numbers:write', ok: 204, prepare: async (f) => ({ path: `/v1/numbers/${await f.number()}` }) },
  ...catalog('skills', 'name', 'skills:read', 'skills:write', (name) => ({ name }), { description: 'changed' }),
  ...catalog('pause-reasons', 'code', 'catalog:read', 'catalog:write', (code) => ({ code, label: 'Lunch' }), { paid: true }),
  ...catalog('dispositions', 'code', 'catalog:read', 'catalog:write', (code) => ({ code, label: 'Sold' }), { requiresNote: true }),

  { method: 'GET', route: '/v1/security/bans', access: 'security:read', ok: 200, prepare: async () => ({ path: '/v1/security/bans' }) },
  {
    method: 'DELETE', route: '/v1/security/bans/{address}', access: 'security:write', ok: 200,
    prepare: async (f) => ({ path: `/v1/security/bans/${await f.bannedAddress()}` }),
  },

  { method: 'GET', route: '/v1/events', access: 'events:read', ok: 200, prepare: async () => ({ path: '/v1/events?limit=5' }) },

  // Tickets (tickets/): the fixture ticket is unassigned, so agents may change it too.
  { method: 'GET', route: '/v1/tickets', access: 'tickets:read', ok: 200, prepare: async () => ({ path: '/v1/tickets?limit=5' }) },
  { method: 'POST', route: '/v1/tickets', access: 'tickets:write', ok: 201, prepare: async (f) => ({ path: '/v1/tickets', body: { subject: f.name('tk') } }) },
  { method: 'GET', route: '/v1/tickets/{id}', access: 'tickets:read', ok: 200, prepare: async (f) => ({ path: `/v1/tickets/${await ticket(f)}` }) },
  { method: 'PATCH', route: '/v1/tickets/{id}', access: 'tickets:write', ok: 200, prepare: async (f) => ({ path: `/v1/tickets/${await ticket(f)}`, body: { priority: 'high' } }) },
  { method: 'POST', route: '/v1/tickets/{id}/status', access: 'tickets:write', ok: 200, prepare: async (f) => ({ path: `/v1/tickets/${await ticket(f)}/status`, body: { status: 'open' } }) },
  { method: 'POST', route: '/v1/tickets/{id}/assign', access: 'tickets:write', ok: 200, prepare: async (f) => ({ path: `/v1/tickets/${await ticket(f)}/assign`, body: { assignee: null } }) },
  { method: 'GET', route: '/v1/tickets/{id}/comments', access: 'tickets:read', ok: 200, prepare: async (f) => ({ path: `/v1/tickets/${await ticket(f)}/comments` }) },
  { method: 'POST', route: '/v1/tickets/{id}/comments', access: 'tickets:write', ok: 201, prepare: async (f) => ({ path: `/v1/tickets/${await ticket(f)}/comments`, body: { text: 'looking' } }) },
  { method: 'GET', route: '/v1/tickets/{id}/history', access: 'tickets:read', ok: 200, prepare: async (f) => ({ path: `/v1/tickets/${await ticket(f)}/history` }) },
  { method: 'GET', route: '/v1/tickets/{id}/sla', access: 'tickets:read', ok: 200, prepare: async (f) => ({ path: `/v1/tickets/${await ticket(f)}/sla` }) },
  { method: 'GET', route: '/v1/tickets/{id}/attachments', access: 'tickets:read', ok: 200, prepare: async (f) => ({ path: `/v1/tickets/${await ticket(f)}/attachments` }) },
  {
    method: 'POST', route: '/v1/tickets/{id}/attachments', access: 'tickets:write', ok: 201,
    prepare: async (f) => ({ path: `/v1/tickets/${await ticket(f)}/attachments`, body: { name: 'a.txt', contentType: 'text/plain', base64: 'aGk=' } }),
  },
  {
    method: 'GET', route: '/v1/tickets/{id}/attachments/{attachment}', access: 'tickets:read', ok: 200,
    prepare: async (f) => {
      const id = await ticket(f);
      return { path: `/v1/tickets/${id}/attachments/${(await f.s.admin.tickets.attachments.upload(id, { name: 'a.txt', contentType: 'text/plain', base64: 'aGk=' })).id}` };
    },
  },
  {
    // Agents delete only their own uploads: the attachment is the caller's.
    method: 'DELETE', route: '/v1/tickets/{id}/attachments/{attachment}', access: 'tickets:write', ok: 204,
    prepare: async (f, c) => {
      const id = Number(await ticket(f));
      const row = await f.s.server.services.store.writer.run((tx) => tx.em.save(TicketAttachmentRow, Object.assign(new TicketAttachmentRow(), {
        ticketId: id, name: 'a.txt', contentType: 'text/plain', size: 2, sha256: '8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4', createdBy: c.user, createdAt: new Date(),
      })));
      return { path: `/v1/tickets/${id}/attachments/${row.id}` };
    },
  },
  { method: 'GET', route: '/v1/calendars', access: 'tickets:read', ok: 200, prepare: async () => ({ path: '/v1/calendars' }) },
  { method: 'POST', route: '/v1/calendars', access: 'sla:write', ok: 201, prepare: async (f) => ({ path: '/v1/calendars', body: { name: f.name('cal'), timeZone: 'UTC', hours: { mon: [{ start: '09:00', end: '17:00' }] } } }) },
  { method: 'GET', route: '/v1/calendars/{name}', access: 'tickets:read', ok: 200, prepare: async (f) => ({ path: `/v1/calendars/${await calendar(f)}` }) },
  { method: 'PATCH', route: '/v1/calendars/{name}', access: 'sla:write', ok: 200, prepare: async (f) => ({ path: `/v1/calendars/${await calendar(f)}`, body: { timeZone: 'UTC' } }) },
  { method: 'DELETE', route: '/v1/calendars/{name}', access: 'sla:write', ok: 204, prepare: async (f) => ({ path: `/v1/calendars/${await calendar(f)}` }) },
  { method: 'GET', route: '/v1/sla-policies', access: 'tickets:read', ok: 200, prepare: async () => ({ path: '/v1/sla-policies' }) },
  {
    method: 'POST', route: '/v1/sla-policies', access: 'sla:write', ok: 201,
    prepare: async (f) => ({ path: '/v1/sla-policies', body: { name: f.name('sla'), calendar: await calendar(f), firstResponseMinutes: 60, resolutionMinutes: 480, priorities: ['low'] } }),
  },
  {
    method: 'GET', route: '/v1/sla-policies/{name}', access: 'tickets:read', ok: 200,
    prepare: async (f) => ({ path: `/v1/sla-policies/${await slaPolicy(f)}` }),
  },
  {
    method: 'PATCH', route: '/v1/sla-policies/{name}', access: 'sla:write', ok: 200,
    prepare: async (f) => ({ path: `/v1/sla-policies/${await slaPolicy(f)}`, body: { resolutionMinutes: 960 } }),
  },
  {
    method: 'DELETE', route: '/v1/sla-policies/{name}', access: 'sla:write', ok: 204,
    prepare: async (f) => ({ path: `/v1/sla-policies/${await slaPolicy(f)}` }),
  },
  // Workflow rules (workflow/): admins manage, supervisors read and dry-run, auditors read.
  { method: 'GET', route: '/v1/rules', access: 'rules:read', ok: 200, prepare: async () => ({ path: '/v1/rules' }) },
  { method: 'POST', route: '/v1/rules', access: 'rules:write', ok: 201, prepare: async (f) => ({ path: '/v1/rules', body: { name: f.name('rule'), trigger: 'ticket.created', enabled: false, actions: [{ type: 'update_ticket', priority: 'high' }] } }) },
  { method: 'GET', route: '/v1/rules/{id}', access: 'rules:read', ok: 200, prepare: async (f) => ({ path: `/v1/rules/${await rule(f)}` }) },
  { method: 'PATCH', route: '/v1/rules/{id}', access: 'rules:write', ok: 200, prepare: async (f) => ({ path: `/v1/rules/${await rule(f)}`, body: { trigger: 'ticket.updated' } }) },
  { method: 'DELETE', route: '/v1/rules/{id}', access: 'rules:write', ok: 204, prepare: async (f) => ({ path: `/v1/rules/${await rule(f)}` }) },
  // Scheduled callbacks (workflow/callbacks.ts): everyone reads; agents, supervisors and admins schedule and cancel.
  { method: 'GET', route: '/v1/callbacks', access: 'callbacks:read', ok: 200, prepare: async () => ({ path: '/v1/callbacks?status=scheduled' }) },
  { method: 'POST', route: '/v1/callbacks', access: 'callbacks:write', ok: 201, prepare: async (f) => ({ path: '/v1/callbacks', body: { number: '+14155550100', agent: await f.agent(), inMinutes: 60 } }) },
  { method: 'GET', route: '/v1/callbacks/{id}', access: 'callbacks:read', ok: 200, prepare: async (f) => ({ path: `/v1/callbacks/${await callback(f)}` }) },
  { method: 'POST', route: '/v1/callbacks/{id}/cancel', access: 'callbacks:write', ok: 200, prepare: async (f) => ({ path: `/v1/callbacks/${await callback(f)}/cancel` }) },
  { method: 'POST', route: '/v1/rules/{id}/test', access: 'rules:test', ok: 200, prepare: async (f) => ({ path: `/v1/rules/${await rule(f)}/test`, body: { type: 'ticket.created', subjectType: 'ticket', subjectId: '1' } }) },
  // CRM (crm/): customers, notes, custom fields.
  { method: 'GET', route: '/v1/customers', access: 'customers:read', ok: 200, prepare: async () => ({ path: '/v1/customers?limit=5' }) },
  { method: 'POST', route: '/v1/customers', access: 'customers:write', ok: 201, prepare: async (f) => ({ path: '/v1/customers', body: { name: f.name('cu') } }) },
  { method: 'GET', route: '/v1/customers/lookup', access: 'customers:read', ok: 200, prepare: async () => ({ path: '/v1/customers/lookup?phone=%2B14155550100' }) },
  { method: 'GET', route: '/v1/customers/personalization', access: 'customers:read', ok: 200, prepare: async () => ({ path: '/v1/customers/personalization?phone=%2B14155550100' }) },
  { method: 'GET', route: '/v1/customers/export', access: 'customers:export', ok: 200, prepare: async () => ({ path: '/v1/customers/export?limit=5' }) },
  {
    method: 'POST', route: '/v1/customers/import', access: 'customers:write', ok: 200,
    prepare: async (f) => ({ path: '/v1/customers/import', body: { rows: [{ name: f.name('imp') }] } }),
  },
  { method: 'GET', route: '/v1/customers/{id}', access: 'customers:read', ok: 200, prepare: async (f) => ({ path: `/v1/customers/${await f.customer()}` }) },
  { method: 'PATCH', route: '/v1/customers/{id}', access: 'customers:write', ok: 200, prepare: async (f) => ({ path: `/v1/customers/${await f.customer()}`, body: { company: 'Acme' } }) },
  { method: 'DELETE', route: '/v1/customers/{id}', access: 'customers:write', ok: 204, prepare: async (f) => ({ path: `/v1/customers/${await f.customer()}` }) },
  { method: 'GET', route: '/v1/customers/{id}/notes', access: 'customers:read', ok: 200, prepare: async (f) => ({ path: `/v1/customers/${await f.customer()}/notes` }) },
  {
    method: 'POST', route: '/v1/customers/{id}/notes', access: 'customer-notes:write', ok: 201,
    prepare: async (f) => ({ path: `/v1/customers/${await f.customer()}/notes`, body: { text: 'called back' } }),
  },
  {
    // Agents delete only their own notes: the note belongs to the caller.
    method: 'DELETE', route: '/v1/customers/{id}/notes/{noteId}', access: 'customer-notes:write', ok: 204,
    prepare: async (f, c) => {
      const id = await f.customer();
      const author = c.role && can(c.role, 'customer-notes:write') && c.token ? new HotlineClient({ url: f.s.url, token: c.token }) : f.s.admin;
      const note = await author.customers.notes.add(id, 'to delete');
      return { path: `/v1/customers/${id}/notes/${note.id}` };
    },
  },
  { method: 'GET', route: '/v1/customers/{id}/timeline', access: 'customers:read', ok: 200, prepare: async (f) => ({ path: `/v1/customers/${await f.customer()}/timeline` }) },
  { method: 'GET', route: '/v1/customers/{id}/duplicates', access: 'customers:read', ok: 200, prepare: async (f) => ({ path: `/v1/customers/${await f.customer()}/duplicates` }) },
  { method: 'GET', route: '/v1/customers/{id}/export', access: 'privacy:read', ok: 200, prepare: async (f) => ({ path: `/v1/customers/${await f.customer()}/export` }) },
  { method: 'POST', route: '/v1/customers/{id}/erase', access: 'privacy:erase', ok: 200, prepare: async (f) => ({ path: `/v1/customers/${await f.customer()}/erase`, body: {} }) },
  {
    method: 'POST', route: '/v1/customers/{id}/merge', access: 'customers:write', ok: 200,
    prepare: async (f) => ({ path: `/v1/customers/${await f.customer()}/merge`, body: { from: Number(await f.customer()) } }),
  },
  { method: 'GET', route: '/v1/customer-fields', access: 'customers:read', ok: 200, prepare: async () => ({ path: '/v1/customer-fields' }) },
  {
    method: 'POST', route: '/v1/customer-fields', access: 'customer-fields:write', ok: 201,
    prepare: async (f) => ({ path: '/v1/customer-fields', body: { name: f.name('cf').replace('-', '_'), type: 'string' } }),
  },
  {
    method: 'DELETE', route: '/v1/customer-fields/{name}', access: 'customer-fields:write', ok: 204,
    prepare: async (f) => {
      const name = f.name('cf').replace('-', '_');
      await f.s.admin.customerFields.create({ name, type: 'number' });
      return { path: `/v1/customer-fields/${name}` };
    },
  },

  // Knowledge base (kb/): writers are made KB editors first (the capability is per user; kb/access.ts).
  { method: 'GET', route: '/v1/kb/articles', access: 'kb:read', ok: 200, prepare: async () => ({ path: '/v1/kb/articles?limit=5' }) },
  { method: 'POST', route: '/v1/kb/articles', access: 'kb:edit', ok: 201, prepare: async (f, c) => ((await kbEditor(f, c)), { path: '/v1/kb/articles', body: { kind: 'knowledge', title: f.name('kb') } }) },
  { method: 'GET', route: '/v1/kb/articles/{id}', access: 'kb:read', ok: 200, prepare: async (f) => ({ path: `/v1/kb/articles/${await kbArticle(f)}` }) },
  { method: 'PATCH', route: '/v1/kb/articles/{id}', access: 'kb:edit', ok: 200, prepare: async (f, c) => ((await kbEditor(f, c)), { path: `/v1/kb/articles/${await kbArticle(f)}`, body: { body: 'new' } }) },
  { method: 'DELETE', route: '/v1/kb/articles/{id}', access: 'kb:edit', ok: 204, prepare: async (f, c) => ((await kbEditor(f, c)), { path: `/v1/kb/articles/${await kbArticle(f)}` }) },
  {
    method: 'POST', route: '/v1/kb/articles/{id}/status', access: 'kb:edit', ok: 200,
    prepare: async (f, c) => ((await kbEditor(f, c)), { path: `/v1/kb/articles/${await kbArticle(f, 'knowledge', false)}/status`, body: { status: 'review' } }),
  },
  { method: 'GET', route: '/v1/kb/articles/{id}/versions', access: 'kb:read', ok: 200, prepare: async (f) => ({ path: `/v1/kb/articles/${await kbArticle(f)}/versions` }) },
  { method: 'GET', route: '/v1/kb/articles/{id}/diff', access: 'kb:read', ok: 200, prepare: async (f) => ({ path: `/v1/kb/articles/${await kbArticle(f)}/diff?from=1` }) },
  {
    method: 'POST', route: '/v1/kb/articles/{id}/restore', access: 'kb:edit', ok: 200,
    prepare: async (f, c) => ((await kbEditor(f, c)), { path: `/v1/kb/articles/${await kbArticle(f)}/restore`, body: { version: 1 } }),
  },
  {
    method: 'POST', route: '/v1/kb/articles/{id}/render', access: 'kb:read', ok: 200,
    prepare: async (f) => ({ path: `/v1/kb/articles/${await kbArticle(f, 'phrase')}/render`, body: { vars: { 'customer.name': 'Ada' } } }),
  },
  {
    method: 'PUT', route: '/v1/kb/articles/{id}/file', access: 'kb:edit', ok: 200,
    prepare: async (f, c) => ((await kbEditor(f, c)), { path: `/v1/kb/articles/${await kbArticle(f, 'attachment', false)}/file`, body: { name: 'a.txt', contentType: 'text/plain', base64: 'aGk=' } }),
  },
  { method: 'GET', route: '/v1/kb/articles/{id}/file', access: 'kb:read', ok: 200, prepare: async (f) => ({ path: `/v1/kb/articles/${await kbArticle(f, 'attachment')}/file` }) },
  { method: 'GET', route: '/v1/kb/search', access: 'kb:read', ok: 200, prepare: async () => ({ path: '/v1/kb/search?q=%E9%80%80%E6%AC%BE' }) },
  { method: 'GET', route: '/v1/kb/suggest', access: 'kb:read', ok: 200, prepare: async () => ({ path: '/v1/kb/suggest?queue=sales&subject=refund' }) },
  { method: 'GET', route: '/v1/kb/categories', access: 'kb:read', ok: 200, prepare: async () => ({ path: '/v1/kb/categories' }) },
  { method: 'POST', route: '/v1/kb/categories', access: 'kb:edit', ok: 201, prepare: async (f, c) => ((await kbEditor(f, c)), { path: '/v1/kb/categories', body: { path: f.name('cat') } }) },
  {
    method: 'POST', route: '/v1/kb/categories/{path}/move', access: 'kb:edit', ok: 200,
    prepare: async (f, c) => ((await kbEditor(f, c)), { path: `/v1/kb/categories/${encodeURIComponent((await f.s.admin.kb.categories.create(`${f.name('p')}/${f.name('c')}`)).path)}/move`, body: { parent: null } }),
  },
  {
    method: 'DELETE', route: '/v1/kb/categories/{path}', access: 'kb:edit', ok: 204,
    prepare: async (f, c) => ((await kbEditor(f, c)), { path: `/v1/kb/categories/${(await f.s.admin.kb.categories.create(f.name('cat'))).path}` }),
  },
  {
    method: 'PUT', route: '/v1/kb/categories/{path}/rules', access: 'kb:admin', ok: 200,
    prepare: async (f) => ({ path: `/v1/kb/categories/${(await f.s.admin.kb.categories.create(f.name('cat'))).path}/rules`, body: { rules: [{ role: 'agent', access: 'read' }] } }),
  },
  { method: 'GET', route: '/v1/kb/editors', access: 'kb:admin', ok: 200, prepare: async () => ({ path: '/v1/kb/editors' }) },
  { method: 'PUT', route: '/v1/kb/editors/{user}', access: 'kb:admin', ok: 200, prepare: async (f) => ({ path: `/v1/kb/editors/${await f.user()}` }) },
  {
    method: 'DELETE', route: '/v1/kb/editors/{user}', access: 'kb:admin', ok: 204,
    prepare: async (f) => {
      const user = await f.user();
      await f.s.admin.kb.editors.add(user);
      return { path: `/v1/kb/editors/${user}` };
    },
  },

  { method: 'GET', route: '/v1/center', access: 'center:read', ok: 200, prepare: async () => ({ path: '/v1/center' }) },
  {
    method: 'POST', route: '/v1/center/plan', access: 'center:read', ok: 200,
    prepare: async (f) => ({ path: '/v1/center/plan', body: { center: { ...CENTER, skills: [{ name: f.name('ps') }] } } }),
  },
  {
    method: 'POST', route: '/v1/center/apply', access: 'center:write', ok: 200,
    prepare: async (f) => ({ path: '/v1/center/apply', body: { center: { ...CENTER, skills: [{ name: f.name('as') }] } } }),
  },
  { method: 'GET', route: '/v1/center/schema', access: 'public', ok: 200, prepare: async () => ({ path: '/v1/center/schema' }) },
];

/** KB writes need the KB editor capability (per user): grant it to a valid non-admin caller that may hold it. */
async function kbEditor(f: Fixtures, c: Caller): Promise<void> {
  if (c.role && c.role !== 'admin' && can(c.role, 'kb:edit')) await f.s.admin.kb.editors.add(c.user);
}

/** A KB article (its id as text), published unless told otherwise; attachments get a file first. */
async function kbArticle(f: Fixtures, kind: 'knowledge' | 'phrase' | 'attachment' = 'knowledge', published = true): Promise<string> {
  const kb = f.s.admin.kb;
  const a = await kb.articles.create({ kind, title: f.name('kb'), body: kind === 'phrase' ? 'Hello {{customer.name}}' : 'text' });
  if (kind === 'attachment') await kb.articles.upload(a.id, { name: 'f.txt', contentType: 'text/plain', base64: 'aGk=' });
  if (published) {
    await kb.articles.setStatus(a.id, 'review');
    await kb.articles.setStatus(a.id, 'published');
  }
  return String(a.id);
}

/** WebSocket routes: not in the OpenAPI document (the websocket plugin hides them), covered here explicitly. */
const websocketRoutes: Array<{ route: string; access: Access }> = [{ route: '/v1/stream', access: 'events:read' }];

function expectedStatus(access: Access, ok: number, c: Caller): number {
  if (access === 'public') return ok;
  if (c.role === null) return 401;
  if (access === 'authenticated') return ok;
  return can(c.role, access) ? ok : 403;
}

/** Callers: the four roles, and every way a token can fail. The failing ones belong to admins, so only the token is wrong. */
async function callers(s: TestServer): Promise<Caller[]> {
  const out: Caller[] = [{ label: 'admin', token: s.adminToken, role: 'admin', user: 'admin' }];
  for (const role of ['supervisor', 'agent', 'auditor'] as const) {
    const c = await s.clientFor(role, `the-${role}`);
    out.push({ label: role, token: c.token, role, user: c.user });
  }
  out.push({ label: 'no token', token: null, role: null, user: 'admin' });
  out.push({ label: 'malformed token', token: 'not-a-token', role: null, user: 'admin' });
  out.push({ label: 'unknown token', token: `hlt_AAAAAAAAAAAA_${'A'.repeat(43)}`, role: null, user: 'admin' });
  const real = await s.admin.tokens.create({ name: 'real' });
  const wrongSecret = real.token.replace(/_[^_]+$/, `_${'B'.repeat(43)}`);
  if (wrongSecret === real.token) throw new Error('fixture: the wrong secret must differ');
  out.push({ label: 'right id, wrong secret', token: wrongSecret, role: null, user: 'admin' });

  await s.admin.users.create({ name: 'revoked-admin', role: 'admin' });
  const revoked = await s.admin.tokens.create({ name: 'r', user: 'revoked-admin' });
  await s.admin.tokens.revoke(revoked.id);
  out.push({ label: 'revoked token', token: revoked.token, role: null, user: 'revoked-admin' });

  await s.admin.users.create({ name: 'expired-admin', role: 'admin' });
  const expired = await s.admin.tokens.create({ name: 'e', user: 'expired-admin', expiresInDays: 1 });
  await s.server.services.store.writer.run((tx) => tx.em.update(TokenRow, { publicId: expired.id }, { expiresAt: new Date(Date.now() - 1000) }));
  out.push({ label: 'expired token', token: expired.token, role: null, user: 'expired-admin' });

  await s.admin.users.create({ name: 'disabled-admin', role: 'admin' });
  const disabled = await s.admin.tokens.create({ name: 'd', user: 'disabled-admin' });
  await s.admin.users.update('disabled-admin', { disabled: true });
  out.push({ label: 'disabled user', token: disabled.token, role: null, user: 'disabled-admin' });
  return out;
}

function checkErrorBody(t: ExecutionContext, r: RawResponse, code: string, what: string): void {
  t.deepEqual(Object.keys(r.body ?? {}).sort(), ['code', 'details', 'message'], `${what}: error shape`);
  t.is(r.body?.code, code, `${what}: code`);
  t.is(typeof r.body?.message, 'string', `${what}: message`);
  t.deepEqual(r.body?.details, [], `${what}: details`);
}

eachDialect('every route x every caller answers 2xx, 401 or 403 as the role table says, and denied requests change nothing', async (t, dialect) => {
  const s = await serve(t, { dialect, sipBans: { maxFailures: 1 } });
  const who = await callers(s);
  const f = new Fixtures(s, t);
  const cursor = () => s.server.services.store.events.lastCursor();
  const failures: string[] = [];
  for (const rc of matrix) {
    for (const c of who) {
      const req = await rc.prepare(f, c);
      const before = await cursor();
      const r = await http(s.url, rc.method, req.path, { token: c.token, body: req.body });
      const want = expectedStatus(rc.access, rc.ok, c);
      const what = `${rc.method} ${rc.route} as ${c.label}`;
      if (r.status !== want) {
        failures.push(`${what}: got ${r.status}, want ${want} (${r.text.slice(0, 200)})`);
        continue;
      }
      if (want === 401) {
        checkErrorBody(t, r, 'unauthorized', what);
        t.is(r.headers.get('www-authenticate'), 'Bearer', `${what}: www-authenticate`);
      }
      if (want === 403) {
        checkErrorBody(t, r, 'forbidden', what);
        t.true(r.body.message.includes(rc.access), `${what}: the message names the permission`);
      }
      if (want >= 400) t.is(await cursor(), before, `${what}: a denied request writes nothing`);
      if (rc.method === 'GET' && want < 400) t.is(await cursor(), before, `${what}: a read writes nothing`);
    }
  }
  t.deepEqual(failures, []);
});

eachDialect('the event stream needs events:read, checked before the upgrade', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const who = await callers(s);
  for (const ws of websocketRoutes) {
    for (const c of who) {
      const client = new HotlineClient({ url: s.url, ...(c.token ? { token: c.token } : {}) });
      const want = expectedStatus(ws.access, 101, c);
      const ac = new AbortController();
      const run = client.events.stream({ after: 0, signal: ac.signal, onEvent: () => {}, onLive: () => ac.abort() });
      if (want === 101) {
        await t.notThrowsAsync(run, `${ws.route} as ${c.label}`);
      } else {
        const err = await t.throwsAsync(run, { instanceOf: ApiError }, `${ws.route} as ${c.label}`);
        t.is(err?.status, want, `${ws.route} as ${c.label}`);
        t.is(err?.code, want === 401 ? 'unauthorized' : 'forbidden');
      }
    }
  }
});

test('the matrix covers every route of the OpenAPI document, and nothing else', async (t) => {
  const s = await serve(t);
  const doc = (await http(s.url, 'GET', '/v1/openapi.json')).body as { paths: Record<string, Record<string, { security?: unknown }>> };
  const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
  const covered = matrix.map((r) => `${r.method} ${r.route}`).sort();
  t.deepEqual(new Set(covered).size, covered.length, 'no route is listed twice');
  t.deepEqual(documented.filter((d) => !covered.includes(d)), [], 'documented routes missing from the matrix');
  t.deepEqual(covered.filter((c) => !documented.includes(c)), [], 'matrix routes missing from the OpenAPI document');
  // The document says which routes need a token; it agrees with the matrix.
  for (const r of matrix) {
    const op = doc.paths[r.route]![r.method.toLowerCase()]!;
    t.is(op.security !== undefined, r.access !== 'public', `${r.method} ${r.route}: security in the OpenAPI document`);
  }
  // WebSocket routes exist although the document does not list them.
  for (const ws of websocketRoutes) t.is((await http(s.url, 'GET', ws.route)).status, 401, `${ws.route} exists and wants a token`);
});

test('the role table: least privilege as the design describes it', (t) => {
  const perms = (r: Role) => [...rolePermissions[r]].sort();
  const writes = (r: Role) => perms(r).filter((p) => p.endsWith(':write') || p === 'tokens:all');
  t.deepEqual(perms('agent'), ['callbacks:read', 'callbacks:write', 'catalog:read', 'customer-notes:write', 'customers:read', 'kb:edit', 'kb:read', 'skills:read', 'tickets:read', 'tickets:write'],
    'agents read only what their phone needs, add notes to customers, read the KB (and edit it only when made KB editors)');
  t.false(can('auditor', 'kb:edit'), 'auditors cannot even be made KB editors');
  t.deepEqual(writes('auditor'), [], 'auditors change nothing');
  t.true(can('auditor', 'audit:read'));
  t.deepEqual(writes('supervisor'), ['callbacks:write', 'calls:write', 'customer-notes:write', 'customers:write', 'members:write', 'sla:write', 'tickets:write'], 'supervisors staff queues, manage customers, tickets, callbacks and SLAs and hang up calls, and create nothing else');
  t.false(can('supervisor', 'audit:read'));
  for (const p of ['agents:write', 'queues:write', 'users:write', 'tokens:all', 'center:write', 'audit:read'] as const) {
    t.true(can('admin', p), `admin has ${p}`);
  }
  const everything = new Set(Object.values(rolePermissions).flatMap((s) => [...s]));
  t.deepEqual([...rolePermissions.admin].sort(), [...everything].sort(), 'admins hold every permission');
  t.false(can('nobody', 'status:read'), 'unknown roles hold nothing');
});

eachDialect('spot checks: agent cannot create a queue; supervisor adds members but cannot create agents; tokens are per user', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const agent = await s.clientFor('agent');
  const supervisor = await s.clientFor('supervisor');
  const auditor = await s.clientFor('auditor');
  const queueDenied = await http(s.url, 'POST', '/v1/queues', { token: agent.token, body: { name: 'sales' } });
  t.is(queueDenied.status, 403);
  t.deepEqual(queueDenied.body, { code: 'forbidden', message: 'role agent may not do this (needs queues:write)', details: [] });

  await s.admin.queues.create({ name: 'sales' });
  await s.admin.agents.create({ extension: '1001', name: 'Alice' });
  t.deepEqual(await supervisor.queues.members.add('sales', { agent: '1001', level: 2 }), { agent: '1001', name: 'Alice', penalty: 0, level: 2 });
  await t.throwsAsync(supervisor.agents.create({ extension: '1002', name: 'Bob' }), { instanceOf: ApiError, message: /needs agents:write/ });
  await t.throwsAsync(supervisor.users.create({ name: 'x', role: 'admin' }), { instanceOf: ApiError, message: /needs users:write/ });
  await t.throwsAsync(supervisor.audit.list(), { instanceOf: ApiError, message: /needs audit:read/ });
  t.true((await auditor.audit.list()).length > 0);
  await t.throwsAsync(auditor.skills.create({ name: 'x' }), { instanceOf: ApiError, message: /needs skills:write/ });

  // Non-admins manage only their own tokens: they cannot mint for others, see others', or revoke others'.
  const forOther = await t.throwsAsync(agent.tokens.create({ name: 'x', user: 'admin' }), { instanceOf: ApiError });
  t.is(forOther?.status, 403);
  const own = await agent.tokens.create({ name: 'second' });
  t.is(own.user, agent.user);
  const othersTokens = await t.throwsAsync(agent.tokens.list('admin'), { instanceOf: ApiError });
  t.is(othersTokens?.status, 403, 'a user filter does not widen the view');
  t.deepEqual((await agent.tokens.list()).map((x) => x.user), [agent.user, agent.user]);
  t.deepEqual((await agent.tokens.list(agent.user)).length, 2);
  const adminTokens = await s.admin.tokens.list('admin');
  const revokeOther = await t.throwsAsync(agent.tokens.revoke(adminTokens[0]!.id), { instanceOf: ApiError });
  t.is(revokeOther?.status, 404, 'another user\'s token does not even exist for a non-admin');
  t.true((await s.admin.tokens.list()).some((x) => x.user === agent.user), 'admins see everyone\'s tokens');
  await s.admin.tokens.revoke(own.id);
  await t.throwsAsync(new HotlineClient({ url: s.url, token: own.token }).me(), { instanceOf: ApiError, message: /invalid, expired or revoked/ });
  t.is((await agent.me()).user.name, agent.user, 'revoking one token leaves the others working');
});
