/**
 * The CDK app: one JwtKeysStack, its settings from context, cdk-nag's packs attached. Needs no
 * AWS credentials to synthesize (environment-agnostic, no lookups).
 */
import { App } from 'aws-cdk-lib';

import { keyPropsFromContext } from '../lib/app-settings';
import { JwtKeysStack } from '../lib/jwt-keys-stack';
import { addNagChecks } from '../lib/nag-checks';

const app = new App();
new JwtKeysStack(app, 'JwtKeys', {
  description:
    'JWT signing key in Secrets Manager, rotated with a grace period (rotating-jwt-keys)',
  key: keyPropsFromContext((name) => app.node.tryGetContext(name)),
});
addNagChecks(app);
app.synth();
