/**
 * The deploy-time custom resource that makes sure the secret holds a usable key and its standby
 * key when `cdk deploy` returns. CloudFormation invokes the rotation function with a custom
 * resource event (RequestType Create / Update / Delete, ResponseURL, ResourceProperties) and the
 * function answers on the ResponseURL, as the custom resource protocol documents.
 */
export const FIRST_KEY_RESOURCE_TYPE = 'Custom::JwtSigningKeyFirstKey';

/** ResourceProperties of that resource (CloudFormation passes every value as a string). */
export interface FirstKeyResourceProperties {
  /** The secret's ARN. */
  readonly SecretId: string;
}
