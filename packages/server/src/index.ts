export { loadConfig, redactUrl, type Config } from './config/load.js';
export { settings, type SettingSpec } from './config/schema.js';
export { HotlineError, ConfigInvalid, DatabaseUnavailable, type ErrorCode, type ErrorDetail } from './errors.js';
export { startServer, VERSION, type RunningServer, type StartOptions } from './main.js';
export { createLogger } from './logger.js';
export { CenterFile } from './center/schema.js';
