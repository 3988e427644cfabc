import test from 'ava';
import { duplicateKeys, helpLines, resolveKey, type Keymap } from '../src/keymap.js';

const keymap: Keymap<'help' | 'quit' | 'barge'> = [
  { key: '?', action: 'help', description: 'Show help' },
  { key: 'q', action: 'quit', description: 'Quit' },
  { key: 'b', action: 'barge', description: 'Barge into the call', dangerous: true, group: 'Supervise' },
];

test('dangerous actions are refused when read-only and allowed with --write', (t) => {
  t.is(resolveKey(keymap, 'b', false).refused, 'Barge into the call: read-only (start with --write)');
  t.is(resolveKey(keymap, 'b', true).binding?.action, 'barge');
  t.is(resolveKey(keymap, 'q', false).binding?.action, 'quit');
  t.deepEqual(resolveKey(keymap, 'x', true), {});
});

test('help is generated from the keymap', (t) => {
  t.deepEqual(helpLines(keymap, true), ['General', '  ?    Show help', '  q    Quit', '', 'Supervise', '  b  ! Barge into the call']);
  t.deepEqual(helpLines(keymap, false), [
    'General', '  ?    Show help', '  q    Quit', '', 'Read-only: start with --write for actions that change things.',
  ]);
});

test('duplicate keys are found', (t) => {
  t.deepEqual(duplicateKeys([...keymap, { key: 'q', action: 'quit', description: 'again' }]), ['q']);
  t.deepEqual(duplicateKeys(keymap), []);
});
