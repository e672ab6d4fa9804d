/**
 * Both ends of the aws-cdk-lib peer range: jest runs this file once with the newest aws-cdk-lib
 * (the devDependency) and once with every import of aws-cdk-lib, cdk-nag's included, answered
 * by the oldest (the `aws-cdk-lib-oldest` alias; jest.config.js). On each, the app synthesizes
 * with cdk-nag's AwsSolutions and Serverless packs and no error, the rotation function on the
 * newest Node.js runtime that version defines: the latest-runtime rules pass, unacknowledged.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type IConstruct } from 'constructs';

import { addNagChecks } from '../../bin/nag';
import { JwtKeysStack } from '../../lib/jwt-keys-stack';

import { newestListedNodeRuntime } from './support';

/** The package jest answers `aws-cdk-lib` with in this run (jest.config.js, `globals`). */
const UNDER_TEST = (globalThis as { AWS_CDK_LIB_UNDER_TEST?: string }).AWS_CDK_LIB_UNDER_TEST!;
const RUNTIME_RULES = /AwsSolutions-L1|Serverless-LambdaLatestVersion/;

function versionOf(name: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(`${name}/package.json`) as { version: string }).version;
}

function runtimesOf(stack: Stack): unknown[] {
  return Object.values(
    stack.resolve(
      (stack.node.findAll() as IConstruct[])
        .filter((each): each is lambda.CfnFunction => each instanceof lambda.CfnFunction)
        .map((fn) => fn.runtime),
    ) as unknown[],
  );
}

interface ValidationReport {
  readonly pluginReports: {
    readonly pluginName: string;
    readonly violations: {
      readonly ruleName: string;
      readonly severity: string;
      readonly violatingConstructs: { readonly constructPath: string }[];
    }[];
  }[];
}

const outdirs: string[] = [];
afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

/**
 * An app whose synth reports instead of failing: the oldest version prints its validation
 * report and sets the exit code, the newest throws; both write validation-report.json.
 */
function reportingApp(): App {
  const outdir = mkdtempSync(join(tmpdir(), 'aws-cdk-lib-range-'));
  outdirs.push(outdir);
  return new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
}

/** The error findings of the packs (acknowledged ones are not in the report's violations). */
function nagErrors(app: App): string[] {
  addNagChecks(app);
  // The oldest version announces every validation on stderr; other output passes through.
  const print = console.error;
  const announcement = jest
    .spyOn(console, 'error')
    .mockImplementation((...args: unknown[]) =>
      /^Performing Policy Validations\s*$/.test(String(args[0])) ? undefined : print(...args),
    );
  const assembly = (() => {
    try {
      return app.synth();
    } finally {
      announcement.mockRestore();
    }
  })();
  const report = JSON.parse(
    readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations
      .filter((violation) => violation.severity === 'error' || violation.severity === 'fatal')
      .flatMap((violation) =>
        violation.violatingConstructs.map((at) => `${violation.ruleName} at ${at.constructPath}`),
      ),
  );
}

function acknowledgements(scope: IConstruct): string {
  return JSON.stringify(scope.node.findAll().map((each) => each.node.metadata));
}

describe(`aws-cdk-lib ${versionOf(UNDER_TEST)} (${UNDER_TEST})`, () => {
  it('is the aws-cdk-lib every import gets, and an end of the peer range', () => {
    // GIVEN the package's peer range and the oldest version the suite runs
    const manifest = JSON.parse(
      readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'),
    ) as { peerDependencies: Record<string, string> };
    const oldest = versionOf('aws-cdk-lib-oldest');

    // THEN imports of aws-cdk-lib load the version of this run
    expect(versionOf('aws-cdk-lib')).toBe(versionOf(UNDER_TEST));
    // AND the range starts at the oldest version tested
    expect(manifest.peerDependencies['aws-cdk-lib']).toBe(`^${oldest}`);
  });

  it.each(['HS256', 'ES256'] as const)(
    'synthesizes the %s app with both nag packs and no error, on the newest Node.js runtime',
    (algorithm) => {
      // GIVEN the app as bin/app.ts builds it
      const app = reportingApp();
      const stack = new JwtKeysStack(app, 'JwtKeys', { key: { algorithm } });

      // WHEN it synthesizes THEN no pack reports an error
      expect(nagErrors(app)).toEqual([]);
      // AND every function runs the newest Node.js runtime this aws-cdk-lib defines
      expect(runtimesOf(stack)).toEqual([newestListedNodeRuntime()]);
      // AND that passed the latest-runtime rules: nothing acknowledges them
      expect(acknowledgements(app)).not.toMatch(RUNTIME_RULES);
    },
  );

  it('fails synthesis for a function on an older runtime (negative control: the packs see this aws-cdk-lib)', () => {
    // GIVEN a function on Node.js 22, older than the newest of both versions
    const app = reportingApp();
    new lambda.Function(new Stack(app, 'Careless'), 'Function', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });

    // WHEN / THEN both packs' latest-runtime rules report it
    expect(nagErrors(app)).toEqual(
      expect.arrayContaining([
        'AwsSolutions-L1 at Careless/Function/Resource',
        'Serverless-LambdaLatestVersion at Careless/Function/Resource',
      ]),
    );
  });
});
