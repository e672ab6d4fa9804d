/**
 * The CDK app: one JwtKeysStack, its settings from context, cdk-nag's packs attached. Needs no
 * AWS credentials to synthesize (environment-agnostic, no lookups).
 */
import { App } from 'aws-cdk-lib';

import { keyPropsFromContext, keySetCertificateArnFromContext } from '../lib/app-settings';
import { JwtKeysStack } from '../lib/jwt-keys-stack';
import { addNagChecks } from '../lib/nag';

const app = new App();
const context = (name: string): unknown => app.node.tryGetContext(name);
const keySetCertificateArn = keySetCertificateArnFromContext(context);
new JwtKeysStack(app, 'JwtKeys', {
  description:
    'JWT signing key in Secrets Manager, rotated with a grace period (rotating-jwt-keys)',
  key: keyPropsFromContext(context),
  ...(keySetCertificateArn !== undefined && { keySetCertificateArn }),
});
addNagChecks(app);
app.synth();
