import { ApiError, ConnectionError, HotlineClient } from '@hotline/server/client';
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { ExitCode, exitCodeForStatus } from './exit-codes.js';
import { renderRecord, renderTable, type Column } from './output.js';
import { DEFAULT_URL, ProfileStore } from './profiles.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof HotlineCommand)['baseFlags'] & T['flags']>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/** A failure with its exit code and, when the server sent them, field-level details. */
export class CliFailure extends Errors.CLIError {
  constructor(
    message: string,
    readonly exit: number,
    readonly reason: string,
    readonly details: Array<{ path: string; message: string }> = [],
    readonly status?: number,
    /** The message for `--json`, where details are a field of their own (default: `message`). */
    readonly summary: string = message,
  ) {
    super(message, { exit });
  }
}

/**
 * Every `hotline` command extends this: `--server/--token/--profile` (env HOTLINE_URL, HOTLINE_TOKEN,
 * HOTLINE_PROFILE), `--json` everywhere, data on stdout, diagnostics on stderr, and errors mapped to
 * the documented exit codes (src/exit-codes.ts).
 */
export abstract class HotlineCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    server: Flags.string({ description: 'server URL', env: 'HOTLINE_URL', helpGroup: 'GLOBAL' }),
    token: Flags.string({ description: 'API token', env: 'HOTLINE_TOKEN', helpGroup: 'GLOBAL' }),
    profile: Flags.string({ description: 'profile saved by `hotline login`', env: 'HOTLINE_PROFILE', helpGroup: 'GLOBAL' }),
  };

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;

  public override async init(): Promise<void> {
    await super.init();
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof HotlineCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
  }

  protected profiles(): ProfileStore {
    return new ProfileStore(this.config.configDir);
  }

  /** Server URL and token: flags, then env (both via oclif), then the profile, then the default URL. */
  protected connection(): { url: string; token?: string } {
    const saved = this.profiles().get(this.flags.profile);
    if (this.flags.profile && !saved) {
      throw new CliFailure(`no profile named ${JSON.stringify(this.flags.profile)}; run \`hotline login --profile ${this.flags.profile}\``, ExitCode.usage, 'no_profile');
    }
    return { url: this.flags.server ?? saved?.profile.url ?? DEFAULT_URL, token: this.flags.token ?? saved?.profile.token };
  }

  protected client(): HotlineClient {
    const { url, token } = this.connection();
    if (!token) {
      throw new CliFailure('no API token: pass --token, set HOTLINE_TOKEN, or run `hotline login`', ExitCode.auth, 'no_token');
    }
    return new HotlineClient({ url, token });
  }

  /** Diagnostics go to stderr, never into the data on stdout. */
  protected note(message: string): void {
    if (!this.jsonEnabled()) this.logToStderr(message);
  }

  protected table<R>(rows: R[], columns: Column<R>[], empty = '(none)'): void {
    if (this.jsonEnabled()) return;
    this.log(rows.length ? renderTable(rows, columns) : empty);
  }

  protected record(pairs: Array<[string, unknown]>): void {
    if (!this.jsonEnabled()) this.log(renderRecord(pairs));
  }

  /**
   * `--json` output. oclif colours JSON by tokenizing the whole document even when the colours are
   * then dropped (~30 ms per 1,000 agents); when stdout is not a terminal, print it plainly.
   */
  protected override logJson(json: unknown): void {
    if (process.stdout.isTTY) return super.logJson(json);
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  }

  protected static failureOf(err: unknown): CliFailure | undefined {
    if (err instanceof CliFailure) return err;
    if (err instanceof ApiError) {
      const details = err.details.length ? `\n${err.details.map((d) => `  ${d.path || '/'}: ${d.message}`).join('\n')}` : '';
      return new CliFailure(`${err.message}${details}`, exitCodeForStatus(err.status), err.code, err.details, err.status, err.message);
    }
    if (err instanceof ConnectionError) return new CliFailure(err.message, ExitCode.unreachable, 'unreachable');
    return undefined;
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    const failure = HotlineCommand.failureOf(err);
    // oclif sets process.exitCode from `exitCode`, which CLIError does not carry; set it here.
    if (this.jsonEnabled()) process.exitCode = failure?.exit ?? (err as { oclif?: { exit?: number } }).oclif?.exit ?? 1;
    return super.catch(failure ?? err);
  }

  protected override toErrorJson(err: unknown): unknown {
    const f = err instanceof CliFailure ? err : undefined;
    const e = err as Error & { oclif?: { exit?: number } };
    return {
      error: {
        code: f?.reason ?? 'error',
        message: f?.summary ?? e.message,
        details: f?.details ?? [],
        ...(f?.status ? { status: f.status } : {}),
        exitCode: f?.exit ?? e.oclif?.exit ?? 1,
      },
    };
  }
}
