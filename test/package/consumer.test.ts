/**
 * The package as a user gets it (issue 14). `npm pack`, then, outside the repository, a CDK app
 * that installs the tarball: the README's construct example compiled against the package's types
 * and synthesized (the rotation function's code is the bundle the package ships), the construct
 * library imported from ESM with named imports, and a service with no aws-cdk-lib at all that
 * loads the client from CommonJS and ESM and runs the jwt-keys command. How the apps are built:
 * consumer-app.ts. Packs dist/ as `npm run build` left it, which npm test runs first.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { APPLICATION_STAGES, ROTATION_HANDLER } from '../../contract';
import { ROTATION_BUNDLE_DIR, ROTATION_BUNDLE_FILE } from '../../lib/rotation-code';
import { findRotationBundle } from '../../scripts/build-rotation-bundle';

import {
  esmCheck,
  importedPackages,
  installInApp,
  pack,
  PACKAGE_JSON,
  PACKAGE_NAME,
  readmeBlock,
  REPOSITORY,
  runNode,
  scratchFolder,
  type Tarball,
  writeFiles,
} from './consumer-app';

const README_MARKER = '<!-- construct-example:';
const TSC = join(REPOSITORY, 'node_modules', 'typescript', 'bin', 'tsc');
const BUNDLE = join(ROTATION_BUNDLE_DIR, ROTATION_BUNDLE_FILE);

/** What the package's root must export (more is fine, as long as ESM sees what CommonJS sees). */
const ROOT_EXPORTS = [
  'RotatingJwtKey',
  'RotatingJwtKeyError',
  'JwtKeysStack',
  'EVENT_SOURCE',
  'KEY_ROTATED',
  'KEY_RETIRED',
  'parseRotationEvent',
  'APPLICATION_STAGES',
  'AWSCURRENT',
  'AWSPREVIOUS',
  'AWSPENDING',
  'STANDBY_STAGE',
  'METRIC_NAMESPACE',
  'ROTATION_METRICS',
  'SECRET_NAME_DIMENSION',
];
const CLIENT_EXPORTS = ['JwtKeyRing', 'JwtKeyRingError', 'createEmbeddedMetricsObserver'];
const OPENTELEMETRY_EXPORTS = ['createOpenTelemetryObserver'];
const JWKS_EXPORTS = ['JwksVerifier', 'JwtKeyRingError', 'createEmbeddedMetricsObserver'];

/**
 * Every error class the README names, with its code type, and the entry points a consumer
 * imports it from (issue 25: the README showed `instanceof RotatingJwtKeyError`, which the root
 * did not export). A README that names another error class fails until it is listed here.
 */
const README_ERRORS: Readonly<Record<string, readonly string[]>> = {
  RotatingJwtKeyError: [PACKAGE_NAME],
  JwtKeyRingError: [`${PACKAGE_NAME}/client`, `${PACKAGE_NAME}/client/jwks`],
  JwtVerificationError: [`${PACKAGE_NAME}/client`, `${PACKAGE_NAME}/client/jwks`],
};

/** Compiled in the CDK app: each class and its `…Code` type, imported as the README shows. */
const ERRORS_SOURCE = Object.entries(README_ERRORS)
  .flatMap(([name, specifiers]) =>
    specifiers.map((specifier, index) =>
      [
        `import { ${name} as Class${index}${name}, type ${name}Code as Code${index}${name} } from '${specifier}';`,
        `export function codeOf${index}${name}(error: unknown): Code${index}${name} | undefined {`,
        `  return error instanceof Class${index}${name} ? error.code : undefined;`,
        '}',
      ].join('\n'),
    ),
  )
  .join('\n');

/** The README's observers, typed: the OpenTelemetry entry point and the embedded-metrics one. */
const TELEMETRY_SOURCE = `import { metrics } from '@opentelemetry/api';
import { createEmbeddedMetricsObserver, JwtKeyRing } from '${PACKAGE_NAME}/client';
import { createOpenTelemetryObserver } from '${PACKAGE_NAME}/client/opentelemetry';

export const ring = new JwtKeyRing({
  secretId: 'app/jwt',
  observer: createOpenTelemetryObserver(metrics.getMeter('consumer')),
});
export const emf = createEmbeddedMetricsObserver({ application: 'consumer', flushIntervalMs: 0 });
`;

const dependencies = Object.keys(PACKAGE_JSON.dependencies ?? {});
const peers = Object.keys(PACKAGE_JSON.peerDependencies ?? {});
/** What a TypeScript app or service has besides: Node's types. */
const appTypes = ['@types/node'];

/** `cdk init app --language typescript`'s compiler options, emitting instead of tsx. */
const CDK_INIT_COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  lib: ['es2022'],
  declaration: true,
  strict: true,
  noImplicitReturns: true,
  experimentalDecorators: true,
  strictPropertyInitialization: false,
  skipLibCheck: true,
  typeRoots: ['./node_modules/@types'],
  isolatedModules: true,
  types: ['node'],
  outDir: 'build',
};

/** The few properties of a template's resources this test reads. */
interface CfnProperties {
  readonly Environment?: { readonly Variables?: Readonly<Record<string, unknown>> };
  readonly Role?: { readonly 'Fn::GetAtt': readonly [string, string] };
  readonly Roles?: readonly unknown[];
  readonly PolicyDocument?: { readonly Statement: readonly object[] };
}

interface Template {
  readonly Resources: Readonly<
    Record<string, { readonly Type: string; readonly Properties: CfnProperties }>
  >;
}

interface EsmViews {
  readonly esm: string[];
  readonly cjs: string[];
}

/** What each step printed, or why it failed: a failing step fails its own test only. */
interface Results {
  readonly tarball: Tarball;
  readonly installed: string;
  readonly cdkApp: string;
  readonly service: string;
  readonly compiled: PromiseSettledResult<string>;
  readonly appRun: PromiseSettledResult<
    EsmViews & { readonly rotationFunction: string; readonly refused: string }
  >;
  readonly cjsClient: PromiseSettledResult<{ readonly names: string[]; readonly ring: boolean }>;
  readonly esmClient: PromiseSettledResult<EsmViews & { readonly ring: boolean }>;
  readonly serviceCompiled: PromiseSettledResult<string>;
  readonly cliHelp: PromiseSettledResult<string>;
  readonly otelEsm: PromiseSettledResult<EsmViews & { readonly counted: boolean }>;
  readonly otelNode10: PromiseSettledResult<string>;
  readonly jwksEsm: PromiseSettledResult<
    EsmViews & { readonly verifier: boolean; readonly sdkLoaded: boolean }
  >;
}

function valueOf<T>(outcome: PromiseSettledResult<T>): T {
  if (outcome.status === 'rejected') throw outcome.reason;
  return outcome.value;
}

const SERVICE_SOURCE = `import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { JwtKeyRing, JwtKeyRingError } from '${PACKAGE_NAME}/client';

export const ring = new JwtKeyRing({
  secretId: 'app/jwt',
  client: new SecretsManagerClient({ region: 'us-east-1' }),
});

export function codeOf(error: unknown): string | undefined {
  return error instanceof JwtKeyRingError ? error.code : undefined;
}
`;

const CLIENT_CJS = `const { SecretsManagerClient } = require('@aws-sdk/client-secrets-manager');
const client = require('${PACKAGE_NAME}/client');

const ring = new client.JwtKeyRing({
  secretId: 'app/jwt',
  client: new SecretsManagerClient({ region: 'us-east-1' }),
});
console.log(JSON.stringify({ names: Object.keys(client).sort(), ring: ring instanceof client.JwtKeyRing }));
`;

describe('Package: rotating-jwt-keys, installed from its tarball', () => {
  let scratch: string | undefined;
  let results: Results;

  beforeAll(async () => {
    for (const built of [join('dist', 'lib', 'index.js'), BUNDLE]) {
      if (!existsSync(join(REPOSITORY, built))) {
        throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
      }
    }
    scratch = scratchFolder();
    // GIVEN the tarball, installed in a CDK app (with its peers) and in a service (without)
    const tarball = pack(scratch);
    const cdkApp = join(scratch, 'cdk-app');
    const installed = installInApp(cdkApp, tarball, [...dependencies, ...peers, ...appTypes]);
    const service = join(scratch, 'service');
    installInApp(service, tarball, [...dependencies, ...appTypes]);

    // AND the README's example as the CDK app's stack, the app around it, and an ES module
    // that imports the construct library by name and constructs a key
    writeFiles(cdkApp, {
      'tsconfig.json': JSON.stringify({
        compilerOptions: CDK_INIT_COMPILER_OPTIONS,
        include: ['bin', 'lib'],
      }),
      'lib/api-stack.ts': readmeBlock(README_MARKER),
      'bin/app.ts': `import { App } from 'aws-cdk-lib';
import { ApiStack } from '../lib/api-stack';

const app = new App({ outdir: 'cdk.out' });
new ApiStack(app, 'Api');
app.synth();
`,
      'api/index.js': 'exports.handler = async () => ({ statusCode: 200 });\n',
      'lib/telemetry.ts': TELEMETRY_SOURCE,
      'lib/errors.ts': ERRORS_SOURCE,
      'tsconfig.node10.json': JSON.stringify({
        compilerOptions: {
          ...CDK_INIT_COMPILER_OPTIONS,
          module: 'commonjs',
          moduleResolution: 'node10',
          ignoreDeprecations: '6.0',
          noEmit: true,
        },
        files: ['lib/telemetry.ts'],
      }),
      'otel.mjs': esmCheck(
        `${PACKAGE_NAME}/client/opentelemetry`,
        OPENTELEMETRY_EXPORTS,
        ["import { metrics } from '@opentelemetry/api';"],
        [
          "const observer = createOpenTelemetryObserver(metrics.getMeter('consumer'));",
          "observer.accepted('current', 'k1', 'HS256');",
        ],
        "counted: typeof observer.shutdown === 'function'",
      ),
      'root.mjs': esmCheck(
        PACKAGE_NAME,
        ROOT_EXPORTS,
        ["import { App, Duration, Stack } from 'aws-cdk-lib';"],
        [
          "const key = new RotatingJwtKey(new Stack(new App(), 'Esm'), 'JwtKey');",
          'let refused;',
          'try {',
          "  const app = new App({ outdir: 'cdk.out.refused' });",
          "  new RotatingJwtKey(new Stack(app, 'Bad'), 'TooLong', { gracePeriod: Duration.days(100) });",
          '  app.synth(); // where the props are checked at synth rather than in the constructor',
          '} catch (error) {',
          '  refused = error instanceof RotatingJwtKeyError ? error.code : String(error);',
          '}',
        ],
        'rotationFunction: key.rotationFunction.node.path, refused',
      ),
    });
    // AND a service that uses the client, compiled for Node16+ resolution and for node10
    writeFiles(service, {
      'service.ts': SERVICE_SOURCE,
      'tsconfig.json': JSON.stringify({
        compilerOptions: CDK_INIT_COMPILER_OPTIONS,
        files: ['service.ts'],
      }),
      'tsconfig.node10.json': JSON.stringify({
        compilerOptions: {
          ...CDK_INIT_COMPILER_OPTIONS,
          module: 'commonjs',
          moduleResolution: 'node10',
          ignoreDeprecations: '6.0',
          outDir: 'build-node10',
        },
        files: ['service.ts'],
      }),
      'client.cjs': CLIENT_CJS,
      'client.mjs': esmCheck(
        `${PACKAGE_NAME}/client`,
        CLIENT_EXPORTS,
        ["import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';"],
        [
          'const ring = new JwtKeyRing({',
          "  secretId: 'app/jwt',",
          "  client: new SecretsManagerClient({ region: 'us-east-1' }),",
          '});',
        ],
        'ring: ring instanceof JwtKeyRing',
      ),
      'jwks.mjs': esmCheck(
        `${PACKAGE_NAME}/client/jwks`,
        JWKS_EXPORTS,
        [],
        [
          "const verifier = new JwksVerifier({ jwksUri: 'https://keys.example/.well-known/jwks.json' });",
        ],
        [
          'verifier: verifier instanceof JwksVerifier,',
          // The package's files are CommonJS: whatever they loaded is in require's cache.
          "  sdkLoaded: Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('@aws-sdk'))",
        ].join('\n'),
      ),
    });

    // WHEN the CDK app is compiled, then run as `node build/bin/app.js` with the ES module
    // loaded first in the same process (tsc emits even when it reports errors, so the synth
    // shows what a user would meet at run time); and at the same time the service's checks run
    const json = async <T>(run: Promise<string>): Promise<T> => JSON.parse(await run) as T;
    const compiled = runNode(cdkApp, [TSC, '-p', '.']);
    const appRun = compiled
      .catch(() => undefined)
      .then(async () =>
        json<EsmViews & { rotationFunction: string; refused: string }>(
          runNode(
            cdkApp,
            ['--import', './root.mjs', join('build', 'bin', 'app.js')],
            // aws-cdk-lib's built-in CloudFormation validation only ever warns, and its
            // WebAssembly engine costs about 6 s of CPU to start: left to `npm run synth`
            { CDK_VALIDATION: 'false' },
          ),
        ),
      );
    const outcomes = await Promise.allSettled([
      compiled,
      appRun,
      json<{ names: string[]; ring: boolean }>(runNode(service, ['client.cjs'])),
      json<EsmViews & { ring: boolean }>(runNode(service, ['client.mjs'])),
      runNode(service, [TSC, '-b', 'tsconfig.json', 'tsconfig.node10.json']),
      runNode(service, [
        join('node_modules', PACKAGE_NAME, PACKAGE_JSON.bin['jwt-keys']!),
        '--help',
      ]),
      json<EsmViews & { counted: boolean }>(runNode(cdkApp, ['otel.mjs'])),
      runNode(cdkApp, [TSC, '-p', 'tsconfig.node10.json']),
      json<EsmViews & { verifier: boolean; sdkLoaded: boolean }>(runNode(service, ['jwks.mjs'])),
    ] as const);
    results = {
      tarball,
      installed,
      cdkApp,
      service,
      compiled: outcomes[0],
      appRun: outcomes[1],
      cjsClient: outcomes[2],
      esmClient: outcomes[3],
      serviceCompiled: outcomes[4],
      cliHelp: outcomes[5],
      otelEsm: outcomes[6],
      otelNode10: outcomes[7],
      jwksEsm: outcomes[8],
    };
  }, 120_000);

  afterAll(() => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it('ships only what users run and read: compiled code, its types, the Lambda bundle, README, docs, CHANGELOG, SECURITY and LICENSE', () => {
    const { files } = results.tarball;
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'dist/client/index.js',
        'dist/client/index.d.ts',
        'dist/cli/main.js',
        BUNDLE,
      ]),
    );
    // No test, bench, demo, example or local endpoint, no TypeScript source, map or build state
    expect(
      files.filter(
        (file) =>
          /(^|\/)(test|bench|demo|examples|local-aws|scripts|bin)(\/|$)/.test(file) ||
          /\.(ts|map|tsbuildinfo)$/.test(file.replace(/\.d\.ts$/, '')) ||
          !/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|SECURITY\.md|docs\/[^/]+\.md|dist\/.+\.(js|d\.ts))$/.test(
            file,
          ),
      ),
    ).toEqual([]);
    // Every compiled file has its source here (no leftover of a removed module) and its types
    const compiled = files.filter((file) => file.startsWith('dist/') && file !== BUNDLE);
    expect(
      compiled.filter((file) => {
        const source = file.replace(/^dist\//, '').replace(/(\.d)?\.ts$|\.js$/, '.ts');
        const pair = file.endsWith('.d.ts')
          ? file.replace(/\.d\.ts$/, '.js')
          : file.replace(/\.js$/, '.d.ts');
        return !existsSync(join(REPOSITORY, source)) || !files.includes(pair);
      }),
    ).toEqual([]);
  });

  it('links its README only to files it ships, to its own headings, or to the repository over https', () => {
    // GIVEN the README as npm shows it: the installed package's copy
    const readme = readFileSync(join(results.installed, 'README.md'), 'utf8');
    const shipped = new Set(results.tarball.files);
    const headings = new Set(
      [...readme.matchAll(/^#{1,6} (.+)$/gm)].map((match) =>
        match[1]!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const { repository, homepage } = PACKAGE_JSON as {
      repository?: { url?: string };
      homepage?: string;
    };
    const repositoryUrl = repository?.url?.replace(/^git\+/, '').replace(/\.git$/, '');

    // WHEN every link target outside code blocks is checked
    const prose = readme.replace(/^```[\s\S]*?^```/gm, '');
    const targets = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
    const broken = targets.filter((target) => {
      if (target.startsWith('#')) return !headings.has(target.slice(1));
      if (/^https:\/\//.test(target)) return false;
      return !shipped.has(target.split('#')[0]!.replace(/^\.\//, ''));
    });

    // THEN none is broken, and the package names its repository, home and tracker
    expect(targets.length).toBeGreaterThan(10);
    expect(broken).toEqual([]);
    expect(repositoryUrl).toMatch(/^https:\/\//);
    expect(homepage).toMatch(/^https:\/\//);
    expect(targets.filter((target) => target.startsWith(repositoryUrl!)).length).toBeGreaterThan(0);
  });

  it('declares what its shipped code loads as dependencies or peers, and nothing it does not load', () => {
    // GIVEN every package the installed files import (the Lambda bundle aside)
    const installedFiles = results.tarball.files.filter(
      (file) => /\.(js|d\.ts)$/.test(file) && file !== BUNDLE,
    );
    const loaded = new Set(
      installedFiles.flatMap((file) => [
        ...importedPackages(readFileSync(join(results.installed, file), 'utf8')),
      ]),
    );
    const builtin = (name: string): boolean =>
      name.startsWith('node:') || builtinModules.includes(name);
    // (the package's own name appears in its examples)
    const external = [...loaded].filter((name) => !builtin(name) && name !== PACKAGE_NAME).sort();

    // THEN each is declared (else a user's app fails to load it)
    expect(
      external.filter((name) => !dependencies.includes(name) && !peers.includes(name)),
    ).toEqual([]);
    // AND each dependency is loaded by something that ships (else every user installs it for
    // nothing: a package named here belongs in devDependencies; jose, once only the Lambda
    // imports it, is one)
    expect([...dependencies, ...peers].filter((name) => !external.includes(name))).toEqual([]);
    // AND the Lambda bundle needs only Node and the AWS SDK, which the Lambda runtime provides
    const bundleImports = importedPackages(readFileSync(join(results.installed, BUNDLE), 'utf8'));
    expect(
      [...bundleImports].filter((name) => !builtin(name) && !name.startsWith('@aws-sdk/')),
    ).toEqual([]);
  });

  it('resolves nothing from this repository but the dependencies and peers it links', () => {
    // Node looks in node_modules of each folder above the requiring file: nothing else there
    const visible = (from: string, name: string): boolean => {
      for (let dir = from; ; dir = dirname(dir)) {
        if (existsSync(join(dir, 'node_modules', name))) return true;
        if (dirname(dir) === dir) return false;
      }
    };
    const devOnly = Object.keys(PACKAGE_JSON.devDependencies ?? {}).filter(
      (name) => !peers.includes(name) && !appTypes.includes(name),
    );
    expect(devOnly).toEqual(expect.arrayContaining(['esbuild', 'tsx', 'typescript', 'cdk-nag']));
    for (const from of [results.cdkApp, results.installed, results.service]) {
      expect(devOnly.filter((name) => visible(from, name))).toEqual([]);
    }
    expect(peers.filter((name) => visible(results.service, name))).toEqual([]);
    expect(results.cdkApp.startsWith(REPOSITORY)).toBe(false);
  });

  it("compiles the README's construct example against the package's types", () => {
    expect(valueOf(results.compiled)).toBe('');
    expect(readmeBlock(README_MARKER)).toContain(
      `import { RotatingJwtKey } from '${PACKAGE_NAME}';`,
    );
  });

  it('synthesizes it: the secret, the rotation function from the shipped bundle, grantRead on AWSCURRENT and AWSPREVIOUS only', () => {
    // GIVEN the template the app wrote
    valueOf(results.appRun);
    const outdir = join(results.cdkApp, 'cdk.out');
    const template = JSON.parse(
      readFileSync(join(outdir, 'Api.template.json'), 'utf8'),
    ) as Template;
    const ofType = (type: string): [string, CfnProperties][] =>
      Object.entries(template.Resources)
        .filter(([, resource]) => resource.Type === type)
        .map(([id, resource]) => [id, resource.Properties]);

    // THEN the secret exists
    const secrets = ofType('AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(1);
    // AND the rotation function's code is an S3 asset holding the package's bundle, alone
    const rotation = findRotationBundle(outdir, 'Api');
    expect(template.Resources[rotation.logicalId]!.Properties).toMatchObject({
      Handler: ROTATION_HANDLER,
      Code: { S3Bucket: expect.anything(), S3Key: expect.stringMatching(/\.zip$/) },
    });
    expect(readdirSync(rotation.assetDir)).toEqual([ROTATION_BUNDLE_FILE]);
    expect(readFileSync(rotation.indexFile)).toEqual(readFileSync(join(results.installed, BUNDLE)));
    // AND grantRead gave the application's function GetSecretValue on the two stages only
    const [, api] = ofType('AWS::Lambda::Function').find(
      ([, properties]) => properties.Environment?.Variables?.JWT_SECRET_ARN !== undefined,
    )!;
    const apiRole = { Ref: api.Role!['Fn::GetAtt'][0] };
    const secretStatements = ofType('AWS::IAM::Policy')
      .filter(([, policy]) => policy.Roles!.some((role) => isDeepStrictEqual(role, apiRole)))
      .flatMap(([, policy]) => policy.PolicyDocument!.Statement)
      .filter((statement) => JSON.stringify(statement).includes('secretsmanager:'));
    expect(secretStatements).toEqual([
      {
        Action: 'secretsmanager:GetSecretValue',
        Effect: 'Allow',
        Resource: { Ref: secrets[0]![0] },
        Condition: { StringEquals: { 'secretsmanager:VersionStage': [...APPLICATION_STAGES] } },
      },
    ]);
  });

  it('is a construct library to ES modules too: named imports, and a key built from them', () => {
    const views = valueOf(results.appRun);
    expect(views).toEqual({
      esm: expect.arrayContaining(ROOT_EXPORTS),
      cjs: views.esm,
      rotationFunction: 'Esm/JwtKey/RotationFunction',
      refused: 'ERR_GRACE_PERIOD_TOO_LONG',
    });
  });

  it('exports every error class the README names, with its code type, from its entry point', () => {
    // GIVEN every error class the README names
    const named = new Set(
      readFileSync(join(REPOSITORY, 'README.md'), 'utf8').match(/\b\w+Error\b/g),
    );

    // THEN each is listed here with the entry points it comes from
    expect([...named].filter((name) => README_ERRORS[name] === undefined)).toEqual([]);
    // AND the CDK app's module importing each class and its code type from them compiled
    expect(valueOf(results.compiled)).toBe('');
    expect(ERRORS_SOURCE).toContain(`type RotatingJwtKeyErrorCode as`);
    // AND at run time the root's class is the one the construct throws (see the ES module view)
    expect(valueOf(results.appRun).refused).toBe('ERR_GRACE_PERIOD_TOO_LONG');
  });

  it('gives a service the client from CommonJS and ESM, without aws-cdk-lib', () => {
    const cjs = valueOf(results.cjsClient);
    expect(cjs).toEqual({ names: expect.arrayContaining(CLIENT_EXPORTS), ring: true });
    expect(valueOf(results.esmClient)).toEqual({ esm: cjs.names, cjs: cjs.names, ring: true });
    // AND its types serve both module resolutions TypeScript apps use (Node16+ and node10)
    expect(valueOf(results.serviceCompiled)).toBe('');
    expect(existsSync(join(results.service, 'build', 'service.js'))).toBe(true);
    expect(existsSync(join(results.service, 'build-node10', 'service.js'))).toBe(true);
  });

  it('gives the OpenTelemetry observer its own entry point, which the client entry never loads', () => {
    // GIVEN an app with @opentelemetry/api (a peer): it loads from ESM and CommonJS
    expect(valueOf(results.otelEsm)).toEqual({
      esm: OPENTELEMETRY_EXPORTS.concat(['METER_NAME', 'OTEL_ATTRIBUTES', 'OTEL_METRICS']).sort(),
      cjs: OPENTELEMETRY_EXPORTS.concat(['METER_NAME', 'OTEL_ATTRIBUTES', 'OTEL_METRICS']).sort(),
      counted: true,
    });
    // AND its types resolve under Node16+ (the app's compile) and node10 (typesVersions)
    expect(valueOf(results.compiled)).toBe('');
    expect(valueOf(results.otelNode10)).toBe('');
    // AND a service without @opentelemetry/api loads the client (with its EMF observer)
    expect(existsSync(join(results.service, 'node_modules', '@opentelemetry', 'api'))).toBe(false);
    expect(valueOf(results.cjsClient).names).toEqual(
      expect.arrayContaining(['createEmbeddedMetricsObserver']),
    );
    // AND neither compiled entry requires it at run time: the adapter uses its types only
    for (const file of ['dist/client/index.js', 'dist/client/opentelemetry.js']) {
      expect(readFileSync(join(results.installed, file), 'utf8')).not.toContain('@opentelemetry');
    }
  });

  it('gives a verify-only service its entry point, rotating-jwt-keys/client/jwks, which loads no AWS SDK', () => {
    const loaded = valueOf(results.jwksEsm);
    expect(loaded.esm).toEqual(expect.arrayContaining(JWKS_EXPORTS));
    expect(loaded.esm).not.toContain('JwtKeyRing');
    expect(loaded).toMatchObject({ cjs: loaded.esm, verifier: true, sdkLoaded: false });
  });

  it('runs the jwt-keys command with its dependencies alone', () => {
    expect(valueOf(results.cliHelp)).toMatch(/^usage: jwt-keys <command> SECRET/);
  });
});
