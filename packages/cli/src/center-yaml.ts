import type { CenterFile } from '@hotline/server/client';
import { stringify } from 'yaml';

/**
 * `hotline export` output: the center file as YAML with a stable key order (the order of the file
 * format, docs/center-file.md), so that exporting an unchanged server gives byte-identical text and
 * exports diff cleanly in version control. Keys this CLI does not know yet follow, sorted.
 */
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const ORDER: Record<string, string[]> = {
  '': ['apiVersion', 'kind', 'users', 'skills', 'pauseReasons', 'dispositions', 'agents', 'queues', 'trunks', 'numbers', 'customerFields', 'calendars', 'slaPolicies', 'kbCategories', 'rules'],
  users: ['name', 'role', 'displayName', 'disabled'],
  skills: ['name', 'description'],
  pauseReasons: ['code', 'label', 'paid', 'maxMinutes'],
  dispositions: ['code', 'label', 'requiresNote'],
  agents: ['extension', 'name', 'user', 'skills', 'maxChats', 'password'],
  queues: ['name', 'strategy', 'settings', 'members'],
  'queues.settings': [
    'serviceLevelSeconds', 'maxWaitSeconds', 'maxCallers', 'ringTimeoutSeconds', 'wrapUpSeconds', 'priority',
    'announcePositionSeconds', 'joinWhenEmpty', 'requiredSkills',
  ],
  'queues.members': ['agent', 'penalty', 'level'],
  trunks: [
    'name', 'description', 'inboundCidrs', 'inboundUsername', 'inboundPassword', 'host', 'port', 'transport', 'username', 'password',
    'register', 'maxCalls', 'callerId', 'enabled',
  ],
  'trunks.callerId': ['stripPrefix', 'addPrefix', 'defaultCallerId'],
  numbers: ['number', 'description', 'target'],
  calendars: ['name', 'timeZone', 'hours', 'holidays'],
  'calendars.hours': [...DAYS],
  ...Object.fromEntries(DAYS.map((d) => [`calendars.hours.${d}`, ['start', 'end']])),
  customerFields: ['name', 'type', 'required', 'enumValues', 'description'],
  kbCategories: ['path', 'rules'],
  'kbCategories.rules': ['role', 'access'],
  rules: ['name', 'enabled', 'trigger', 'conditions', 'actions', 'secret'],
  'rules.conditions': ['field', 'op', 'value'],
  'rules.actions': ['type'],
  slaPolicies: ['name', 'calendar', 'firstResponseMinutes', 'nextResponseMinutes', 'resolutionMinutes', 'priorities'],
};

/** `section` is the dotted path without indices: '', 'agents', 'queues.settings', ... */
function ordered(value: unknown, section: string): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v, section));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const known = ORDER[section];
  // Maps without a fixed shape (skill -> proficiency) are sorted by key.
  const keys = known
    ? [...known.filter((k) => k in obj), ...Object.keys(obj).filter((k) => !known.includes(k)).sort()]
    : Object.keys(obj).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (obj[k] === undefined) continue;
    out[k] = ordered(obj[k], section ? `${section}.${k}` : k);
  }
  return out;
}

export function exportHeader(server: string): string {
  return [
    `# Hotline center file, exported by \`hotline export\` from ${server}.`,
    '# Secrets are not included: agents\' SIP passwords, trunks\' passwords and rules\' webhook keys are never exported (add them to set one).',
    '# Format: docs/center-file.md. Check with `hotline plan -f <file>`, apply with `hotline apply -f <file>`.',
  ].join('\n');
}

export function centerToYaml(center: CenterFile, server: string): string {
  const body = stringify(ordered(center, ''), { lineWidth: 0, aliasDuplicateObjects: false, indentSeq: true });
  return `${exportHeader(server)}\n${body}`;
}
