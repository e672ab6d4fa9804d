/**
 * The CDK app: one JwtKeysStack, its settings from context, cdk-nag's packs attached. Needs no
 * AWS credentials to synthesize (environment-agnostic, no lookups).
 */
import { App } from 'aws-cdk-lib';

import { JwtKeysStack } from '../lib/jwt-keys-stack';

import {
  keyPropsFromContext,
  keySetCertificateArnFromContext,
  recordingReader,
  warnUnknownContext,
} from './app-settings';
import { addNagChecks } from './nag';

const app = new App();
const { context, names } = recordingReader((name) => app.node.tryGetContext(name));
const keySetCertificateArn = keySetCertificateArnFromContext(context);
const stack = new JwtKeysStack(app, 'JwtKeys', {
  description:
    'JWT signing key in Secrets Manager, rotated with a grace period (rotating-jwt-keys)',
  key: keyPropsFromContext(context),
  ...(keySetCertificateArn !== undefined && { keySetCertificateArn }),
});
warnUnknownContext(stack, Object.keys(app.node.getAllContext() as object), names);
addNagChecks(app);
app.synth();
