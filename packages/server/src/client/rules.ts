/** The workflow rules part of the typed client (`client.rules`); types come from workflow/schemas.ts (type-only imports). */
import type { Action, ConditionT, Rule, RuleInput, RulePatch, TestEvent, TestResult } from '../workflow/schemas.js';

export type { Action as RuleAction, ConditionT as RuleCondition, Rule, RuleInput, RulePatch, TestEvent as RuleTestEvent, TestResult as RuleTestResult };

type Requester = { request<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number | boolean | undefined>): Promise<T> };

const one = (id: number | string) => `/v1/rules/${encodeURIComponent(String(id))}`;

export class RulesClient {
  constructor(private readonly c: Requester) {}

  list(): Promise<Rule[]> {
    return this.c.request('GET', '/v1/rules');
  }
  /** By id or name. */
  get(id: number | string): Promise<Rule> {
    return this.c.request('GET', one(id));
  }
  create(input: RuleInput): Promise<Rule> {
    return this.c.request('POST', '/v1/rules', input);
  }
  update(id: number | string, patch: RulePatch): Promise<Rule> {
    return this.c.request('PATCH', one(id), patch);
  }
  enable(id: number | string): Promise<Rule> {
    return this.update(id, { enabled: true });
  }
  disable(id: number | string): Promise<Rule> {
    return this.update(id, { enabled: false });
  }
  delete(id: number | string): Promise<void> {
    return this.c.request('DELETE', one(id));
  }
  /** Dry run: which conditions hold and which actions would run, with rendered parameters; changes nothing. */
  test(id: number | string, event: TestEvent): Promise<TestResult> {
    return this.c.request('POST', `${one(id)}/test`, event);
  }
}
