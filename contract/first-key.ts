/**
 * The deploy-time custom resource that makes sure the secret holds a usable key and its standby
 * key when `cdk deploy` returns. CloudFormation invokes the rotation function with a custom
 * resource event (RequestType Create / Update / Delete, ResponseURL, ResourceProperties) and the
 * function answers on the ResponseURL, as the custom resource protocol documents.
 */
export const FIRST_KEY_RESOURCE_TYPE = 'Custom::JwtSigningKeyFirstKey';

/**
 * The kid of the value CloudFormation generates for an HMAC key's secret (the template in
 * lib/rotating-jwt-key.ts): the first key replaces it during the deploy, before anything can
 * sign with it, and names it as its previousKid. A current key whose previousKid is this (or
 * none: asymmetric keys start with the first key) has never been rotated.
 */
export const TEMPLATE_KEY_KID = 'initial';

/** ResourceProperties of that resource (CloudFormation passes every value as a string). */
export interface FirstKeyResourceProperties {
  /** The secret's ARN. */
  readonly SecretId: string;
}
