import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** A template's JSON value, loosely typed for reading nested properties. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** Files and internals a consumer cannot open: the team's reference notes, source paths, tool modules. */
export const UNSHIPPED = /aws-facts|cdk-anchors|§|\bseeds\b|seed report|shared\/reference|\b(test|lambda\/src|lib)\/[\w/.-]+\.ts\b|\.test\.ts|\blambda\/src\/|\bscripts\/|cfnlint\/|\.py\b|endpoints\.json|get_id\b|\bissue \d+\b/i;

/** What `String(token)` of a number token reads: a value that must never reach a template. */
export const ENCODED_NUMBER = /-?1\.888\d*e\+289/;

/** A stack in `region` whose numeric props are CloudFormation parameters, one per prop name. */
export class ParameterStack {
  public readonly stack: Stack;
  private readonly parameters = new Map<string, CfnParameter>();

  constructor(region = 'us-east-1') {
    this.stack = new Stack(new App(), 'Tokens', { env: { region } });
  }

  /** The number token of the parameter named after `prop` (created on first use). */
  public number(prop: string): number {
    return this.parameter(prop).valueAsNumber;
  }

  /** The logical id of the parameter named after `prop`. */
  public logicalId(prop: string): string {
    return this.stack.resolve(this.parameter(prop).logicalId);
  }

  /** The parameters created so far, by prop. */
  public props(): string[] {
    return [...this.parameters.keys()];
  }

  public template(): Template {
    return Template.fromStack(this.stack);
  }

  private parameter(prop: string): CfnParameter {
    let parameter = this.parameters.get(prop);
    if (!parameter) {
      parameter = new CfnParameter(this.stack, prop.replace(/[^A-Za-z0-9]/g, ''), { type: 'Number' });
      this.parameters.set(prop, parameter);
    }
    return parameter;
  }
}

/** Whether `value` (any part of a template) references the parameter `logicalId`. */
export function references(value: unknown, logicalId: string): boolean {
  return JSON.stringify(value ?? null).includes(JSON.stringify({ Ref: logicalId }));
}

/** The properties of the one resource of `type` that `match` picks. */
export function resourceProperties(template: Template, type: string, match: (properties: Json) => boolean = () => true): Json {
  const found = Object.values(template.findResources(type)).map((resource: Json) => resource.Properties).filter(match);
  if (found.length !== 1) {
    throw new Error(`expected one ${type} matching, found ${found.length}`);
  }
  return found[0];
}

/** The environment variables of the one function that has `variable`. */
export function environmentWith(template: Template, variable: string): Record<string, unknown> {
  return resourceProperties(template, 'AWS::Lambda::Function', (properties) => properties.Environment?.Variables?.[variable] !== undefined)
    .Environment.Variables;
}
