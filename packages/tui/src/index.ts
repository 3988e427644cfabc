export { duplicateKeys, helpLines, resolveKey, type Binding, type Keymap, type KeyResolution } from './keymap.js';
