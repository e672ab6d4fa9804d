/**
 * cdk-nag's AwsSolutions and Serverless packs, added by this repository's app (and its tests).
 * Kept apart from the acknowledgements (nag.ts) so the shipped construct never loads cdk-nag.
 */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { type IConstruct } from 'constructs';

export function addNagChecks(scope: IConstruct): void {
  Validations.of(scope).addPlugins(new AwsSolutionsChecks(scope), new ServerlessChecks(scope));
}
