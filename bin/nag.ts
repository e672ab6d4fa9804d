/**
 * cdk-nag's AwsSolutions and Serverless packs, for this repository's app (bin/app.ts). The only
 * module that loads cdk-nag (a development dependency, not shipped): the construct's own
 * acknowledgements are in lib/nag-acknowledgements.ts and need nothing but aws-cdk-lib.
 */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { type IConstruct } from 'constructs';

export function addNagChecks(scope: IConstruct): void {
  Validations.of(scope).addPlugins(new AwsSolutionsChecks(scope), new ServerlessChecks(scope));
}
