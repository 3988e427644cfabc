export { HotlineCommand, CliFailure } from './base.js';
export { ExitCode } from './exit-codes.js';
