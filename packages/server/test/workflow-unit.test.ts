/**
 * Workflow rules without a server: the cron parser (fields, ranges, lists, steps, Sunday as 0 or 7,
 * day-of-month OR day-of-week, errors, next run), conditions over dotted paths and JSON pointers,
 * templates, and rule validation with JSON pointer paths.
 */
import test from 'ava';
import { allHold, getField, holds, render, typeMatches } from '../src/workflow/conditions.js';
import { CronError, cronMatches, nextRun, parseCron } from '../src/workflow/cron.js';
import { triggerKind, validateRule } from '../src/workflow/rules.js';

const at = (iso: string) => new Date(iso);

test('cron: */5 matches every fifth minute', (t) => {
  const c = parseCron('*/5 * * * *');
  t.true(cronMatches(c, at('2026-03-02T10:00:00Z')));
  t.true(cronMatches(c, at('2026-03-02T10:55:59Z')));
  t.false(cronMatches(c, at('2026-03-02T10:01:00Z')));
  t.deepEqual(nextRun(c, at('2026-03-02T10:01:30Z')), at('2026-03-02T10:05:00Z'));
  t.deepEqual(nextRun(c, at('2026-03-02T10:05:00Z')), at('2026-03-02T10:10:00Z'));
});

test('cron: ranges, lists, steps over a range, weekdays', (t) => {
  const c = parseCron('0,30 9-17/4 * * 1-5');
  t.deepEqual([...c.hour], [9, 13, 17]);
  t.deepEqual([...c.minute], [0, 30]);
  t.true(cronMatches(c, at('2026-03-02T13:30:00Z'))); // a Monday
  t.false(cronMatches(c, at('2026-03-01T13:30:00Z'))); // a Sunday
  t.false(cronMatches(c, at('2026-03-02T10:30:00Z')));
  t.deepEqual(nextRun(c, at('2026-03-06T17:30:00Z')), at('2026-03-09T09:00:00Z')); // Friday evening -> Monday morning
});

test('cron: Sunday is 0 or 7; day of month OR day of week when both are restricted', (t) => {
  t.true(cronMatches(parseCron('0 0 * * 7'), at('2026-03-01T00:00:00Z')));
  t.true(cronMatches(parseCron('0 0 * * 0'), at('2026-03-01T00:00:00Z')));
  const c = parseCron('0 12 15 * 1');
  t.true(cronMatches(c, at('2026-03-15T12:00:00Z'))); // the 15th, a Sunday
  t.true(cronMatches(c, at('2026-03-02T12:00:00Z'))); // a Monday
  t.false(cronMatches(c, at('2026-03-03T12:00:00Z')));
  t.deepEqual(nextRun(parseCron('0 0 29 2 *'), at('2026-03-01T00:00:00Z')), at('2028-02-29T00:00:00Z'));
});

test('cron: bad schedules are refused with the field named', (t) => {
  for (const [expr, word] of [['* * * *', '5 fields'], ['60 * * * *', 'minute'], ['* 24 * * *', 'hour'], ['* * 0 * *', 'dayOfMonth'], ['* * * 13 *', 'month'], ['* * * * 8', 'dayOfWeek'], ['*/0 * * * *', 'step'], ['a * * * *', 'minute'], ['5-1 * * * *', 'minute']] as const) {
    const err = t.throws(() => parseCron(expr), { instanceOf: CronError }, expr);
    t.true(err!.message.includes(word), `${expr}: ${err!.message}`);
  }
});

test('conditions: dotted paths and JSON pointers, every operator', (t) => {
  const e = { type: 'ticket.created', subjectId: '7', payload: { after: { priority: 'urgent', tags: ['vip', 'refund'], subject: 'Refund a/b' }, 'a/b': 1, n: 42, s: '17' } };
  t.is(getField(e, 'payload.after.priority'), 'urgent');
  t.is(getField(e, '/payload/after/priority'), 'urgent');
  t.is(getField(e, '/payload/a~1b'), 1);
  t.is(getField(e, 'payload.after.tags.1'), 'refund');
  t.is(getField(e, 'payload.nope.deeper'), undefined);
  t.true(holds({ field: 'type', op: 'eq', value: 'ticket.created' }, e));
  t.true(holds({ field: 'payload.after.priority', op: 'ne', value: 'low' }, e));
  t.true(holds({ field: 'payload.after.priority', op: 'in', value: ['high', 'urgent'] }, e));
  t.true(holds({ field: 'payload.after.tags', op: 'contains', value: 'vip' }, e));
  t.true(holds({ field: 'payload.after.subject', op: 'contains', value: 'Refund' }, e));
  t.true(holds({ field: 'payload.n', op: 'gt', value: 41 }, e));
  t.false(holds({ field: 'payload.n', op: 'lt', value: 42 }, e));
  t.true(holds({ field: 'payload.s', op: 'gt', value: 9 }, e)); // numeric text compares as a number
  t.true(holds({ field: 'payload.after', op: 'exists' }, e));
  t.true(holds({ field: 'payload.missing', op: 'exists', value: false }, e));
  t.true(holds({ field: 'payload.after.subject', op: 'matches', value: '^Refund\\s' }, e));
  t.false(holds({ field: 'payload.missing', op: 'gt', value: 1 }, e));
  t.true(allHold([], e));
  t.false(allHold([{ field: 'type', op: 'eq', value: 'ticket.created' }, { field: 'subjectId', op: 'eq', value: '8' }], e));
  t.is(render('Call from {{payload.from}} ({{ payload.n }}s){{payload.none}}', { payload: { from: '+14155550100', n: 3 } }), 'Call from +14155550100 (3s)');
  t.true(typeMatches('ticket.*', 'ticket.created'));
  t.false(typeMatches('ticket.*', 'tickets.created'));
  t.true(typeMatches('*', 'call.ended'));
});

test('rule validation names each problem by its JSON pointer', (t) => {
  t.is(triggerKind('*/5 * * * *'), 'cron');
  t.is(triggerKind('call.ended'), 'event');
  const problems = validateRule({
    trigger: '99 * * * *',
    conditions: [{ field: 'x', op: 'in', value: 'no' }, { field: 'y', op: 'matches', value: '(' }],
    actions: [{ type: 'create_ticket', text: 'x' } as never, { type: 'update_ticket' }, { type: 'webhook', url: 'ftp://x' }],
  });
  t.deepEqual(problems.map((p) => p.path), ['/trigger', '/conditions/0/value', '/conditions/1/value', '/actions/0/text', '/actions/0/subject', '/actions/1', '/actions/2/url']);
  t.deepEqual(validateRule({ trigger: 'Bad Trigger', conditions: [], actions: [{ type: 'add_customer_note', text: 'hi' }] }).map((p) => p.path), ['/trigger']);
});
