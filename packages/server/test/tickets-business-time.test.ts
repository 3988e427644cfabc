/**
 * Business time (tickets/business-time.ts), pure: due times and elapsed business minutes across a
 * weekend, a holiday, both DST changes (America/New_York, Europe/Berlin), lunch breaks and a night shift
 * written as two ranges; calendar validation (time zone, ranges spanning midnight, overlaps, dates).
 */
import test from 'ava';
import { addBusinessMinutes, businessMinutesBetween, calendarProblems, type BusinessCalendar } from '../src/tickets/business-time.js';
import { prng } from './prng.js';

const nineToFive = [{ start: '09:00', end: '17:00' }];
const weekdays = (tz: string, ranges = nineToFive, holidays: string[] = []): BusinessCalendar => ({
  timeZone: tz, hours: { mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges }, holidays,
});
const at = (iso: string) => new Date(iso);

test('across a weekend: Friday 16:00 + 120 business minutes is Monday 10:00 (Europe/Berlin, CET)', (t) => {
  const cal = weekdays('Europe/Berlin');
  const due = addBusinessMinutes(cal, at('2026-11-27T15:00:00Z'), 120);
  t.is(due.toISOString(), '2026-11-30T09:00:00.000Z');
  t.is(businessMinutesBetween(cal, at('2026-11-27T15:00:00Z'), due), 120);
  t.is(businessMinutesBetween(cal, at('2026-11-28T00:00:00Z'), at('2026-11-30T08:00:00Z')), 0, 'the weekend counts nothing');
});

test('across a holiday: Thursday 24 Dec 16:30 + 60 skips Friday 25 Dec and the weekend', (t) => {
  const cal = weekdays('Europe/Berlin', nineToFive, ['2026-12-25']);
  const due = addBusinessMinutes(cal, at('2026-12-24T15:30:00Z'), 60);
  t.is(due.toISOString(), '2026-12-28T08:30:00.000Z');
  t.is(businessMinutesBetween(cal, at('2026-12-24T15:30:00Z'), due), 60);
  t.is(addBusinessMinutes(weekdays('Europe/Berlin'), at('2026-12-24T15:30:00Z'), 60).toISOString(), '2026-12-25T08:30:00.000Z', 'without the holiday: Friday');
});

test('across a DST change: opening hours stay on the wall clock (America/New_York, spring forward 2026-03-08)', (t) => {
  const cal = weekdays('America/New_York');
  // Friday 16:00 EST (21:00Z) + 120 -> Monday 10:00 EDT (14:00Z), not 15:00Z.
  const due = addBusinessMinutes(cal, at('2026-03-06T21:00:00Z'), 120);
  t.is(due.toISOString(), '2026-03-09T14:00:00.000Z');
  t.is(businessMinutesBetween(cal, at('2026-03-06T21:00:00Z'), due), 120);
  // Europe/Berlin, fall back on Sunday 2026-10-25: Friday 16:30 CEST + 60 -> Monday 09:30 CET.
  t.is(addBusinessMinutes(weekdays('Europe/Berlin'), at('2026-10-23T14:30:00Z'), 60).toISOString(), '2026-10-26T08:30:00.000Z');
});

test('a whole day is 23 or 25 hours on DST days; a range across the change is shorter or longer in real time', (t) => {
  const sundays: BusinessCalendar = { timeZone: 'America/New_York', hours: { sun: [{ start: '00:00', end: '24:00' }] }, holidays: [] };
  t.is(businessMinutesBetween(sundays, at('2026-03-08T00:00:00Z'), at('2026-03-10T00:00:00Z')), 23 * 60);
  t.is(businessMinutesBetween(sundays, at('2026-11-01T00:00:00Z'), at('2026-11-03T00:00:00Z')), 25 * 60);
  const early: BusinessCalendar = { timeZone: 'America/New_York', hours: { sun: [{ start: '01:00', end: '03:00' }] }, holidays: [] };
  t.is(businessMinutesBetween(early, at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z')), 60, '01:00 EST to 03:00 EDT is one real hour');
  const gap: BusinessCalendar = { timeZone: 'America/New_York', hours: { sun: [{ start: '02:00', end: '03:00' }] }, holidays: [] };
  t.is(businessMinutesBetween(gap, at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z')), 0, 'the skipped hour does not exist');
  t.is(addBusinessMinutes(early, at('2026-03-08T00:00:00Z'), 90).toISOString(), '2026-03-15T05:30:00.000Z', 'the rest comes a week later (01:30 EDT)');
});

test('before opening, lunch breaks, zero minutes, and a night shift as two ranges', (t) => {
  const lunch = weekdays('UTC', [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }]);
  t.is(addBusinessMinutes(lunch, at('2026-11-23T07:00:00Z'), 30).toISOString(), '2026-11-23T09:30:00.000Z');
  t.is(addBusinessMinutes(lunch, at('2026-11-23T11:30:00Z'), 60).toISOString(), '2026-11-23T13:30:00.000Z');
  t.is(businessMinutesBetween(lunch, at('2026-11-23T00:00:00Z'), at('2026-11-24T00:00:00Z')), 7 * 60);
  t.is(addBusinessMinutes(lunch, at('2026-11-23T07:00:00Z'), 0).toISOString(), '2026-11-23T07:00:00.000Z');
  t.is(businessMinutesBetween(lunch, at('2026-11-24T00:00:00Z'), at('2026-11-23T00:00:00Z')), 0);
  const night: BusinessCalendar = { timeZone: 'Asia/Shanghai', hours: { mon: [{ start: '22:00', end: '24:00' }], tue: [{ start: '00:00', end: '06:00' }] }, holidays: [] };
  // Monday 2026-11-23 23:00 +08:00 (15:00Z) + 120 -> Tuesday 01:00 +08:00.
  t.is(addBusinessMinutes(night, at('2026-11-23T15:00:00Z'), 120).toISOString(), '2026-11-23T17:00:00.000Z');
  t.throws(() => addBusinessMinutes({ timeZone: 'UTC', hours: {}, holidays: [] }, at('2026-11-23T00:00:00Z'), 1), { instanceOf: RangeError });
});

test('calendar validation: IANA zone, ranges (no spanning midnight, no overlaps), weekdays, holiday dates', (t) => {
  t.deepEqual(calendarProblems(weekdays('Europe/Berlin')), []);
  const problems = calendarProblems({
    timeZone: 'Mars/Olympus',
    hours: { mon: [{ start: '22:00', end: '06:00' }], tue: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '13:00' }], wed: [{ start: '9:00', end: '25:00' }] } as BusinessCalendar['hours'],
    holidays: ['2026-02-30', '2026-12-25'],
  });
  t.deepEqual(problems.map((p) => p.path), ['/timeZone', '/hours/mon/0', '/hours/tue/1', '/hours/wed/0', '/holidays/0']);
  t.regex(problems[1]!.message, /never spans midnight/);
  t.deepEqual(calendarProblems({ timeZone: 'UTC', hours: { xyz: [] } as unknown as BusinessCalendar['hours'], holidays: [] }).map((p) => p.path), ['/hours/xyz']);
});

test('addBusinessMinutes and businessMinutesBetween agree (seeded random starts and lengths, several zones, DST years)', (t) => {
  const rnd = prng(20261124);
  const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC'];
  const lunch = [{ start: '08:30', end: '12:00' }, { start: '13:00', end: '17:45' }];
  for (let i = 0; i < 300; i++) {
    const tz = zones[i % zones.length]!;
    const cal = { ...weekdays(tz, lunch, ['2026-03-30', '2026-10-26', '2026-12-25']), hours: { ...weekdays(tz, lunch).hours, sun: [{ start: '00:00', end: '24:00' }] } };
    const start = new Date(Date.UTC(2026, 0, 1) + Math.floor(rnd() * 365 * 86_400_000));
    const minutes = 1 + Math.floor(rnd() * 5000);
    const due = addBusinessMinutes(cal, start, minutes);
    t.true(due > start);
    t.is(businessMinutesBetween(cal, start, due), minutes, `${tz} ${start.toISOString()} + ${minutes}`);
  }
});
