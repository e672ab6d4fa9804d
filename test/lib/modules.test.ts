/**
 * The construct loads and synthesizes without cdk-nag (a development dependency the package does
 * not ship). Import cycles and the folders' imports are eslint's (eslint.config.mjs).
 */
import type * as Nag from '../../bin/nag';

import type * as Support from './support';

// Any require of cdk-nag from the construct's module graph fails the test that loads it.
jest.mock('cdk-nag', () => {
  throw new Error('cdk-nag was loaded');
});

describe('lib/ modules', () => {
  it('the construct loads and synthesizes without cdk-nag; only bin/nag.ts needs it', () => {
    // GIVEN cdk-nag cannot be loaded (above)
    // WHEN the construct is loaded and synthesized
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { synthKey } = require('./support') as typeof Support;
    const { template } = synthKey();

    // THEN it synthesizes
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    // AND the app's own nag module is the one that needs cdk-nag
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(() => require('../../bin/nag') as typeof Nag).toThrow(/cdk-nag was loaded/);
  });
});
