/**
 * The ticket life cycle as an explicit transition table. A ticket starts `new`; work makes it `open`;
 * `pending` waits on the customer (or a third party); `resolved` is done but may be reopened
 * (resolved -> open); `closed` is final. Anything else is a 409 naming the allowed targets.
 */
export const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof STATUSES)[number];

export const TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  new: ['open', 'pending', 'resolved', 'closed'],
  open: ['pending', 'resolved', 'closed'],
  pending: ['open', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: [],
};

export function mayTransition(from: TicketStatus, to: TicketStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export const CHANNELS = ['phone', 'email', 'chat', 'web', 'manual'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof PRIORITIES)[number];
