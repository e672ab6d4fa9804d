/**
 * OpenID Connect Discovery 1.0, section 4: the key set's URL read from
 * `{issuer}/.well-known/openid-configuration`. The document must name the configured issuer
 * exactly (section 4.3: otherwise it may be another issuer's) and a `jwks_uri` on the issuer's
 * own scheme and host, so that whoever can answer for the issuer's host is the only one who
 * can name its keys.
 */
import { KEY_SET_DOCUMENTS } from '../contract/key-set';

import { JwtKeyRingError } from './errors';
import { checkFetchableUrl, fetchJson, type FetchPolicy } from './fetch-json';

/** Where the rotation function writes the document, and where OpenID Discovery looks for it. */
const OPENID_CONFIGURATION_PATH = KEY_SET_DOCUMENTS.openIdConfiguration.path;

/** Where the issuer's configuration is: its path, if any, followed by the well-known suffix. */
export function openidConfigurationUrl(issuer: URL): URL {
  return new URL(`${issuer.href.replace(/\/$/, '')}${OPENID_CONFIGURATION_PATH}`);
}

/** The jwks_uri the issuer's configuration names, checked against the issuer. */
export async function discoverJwksUri(
  issuer: string,
  issuerUrl: URL,
  policy: FetchPolicy,
): Promise<URL> {
  const configurationUrl = openidConfigurationUrl(issuerUrl);
  const { body } = await fetchJson(configurationUrl, policy);
  const fail = (problem: string): never => {
    throw new JwtKeyRingError('ERR_KEY_SET_INVALID', `${configurationUrl.href}: ${problem}`);
  };
  const configuration = (typeof body === 'object' && body !== null ? body : {}) as {
    issuer?: unknown;
    jwks_uri?: unknown;
  };
  if (configuration.issuer !== issuer) {
    fail(`its issuer must be exactly ${JSON.stringify(issuer)}`);
  }
  let jwksUri: URL | undefined;
  try {
    jwksUri = checkFetchableUrl(configuration.jwks_uri, 'jwks_uri');
  } catch {
    return fail('jwks_uri must be an https:// URL');
  }
  if (jwksUri.protocol !== issuerUrl.protocol || jwksUri.host !== issuerUrl.host) {
    fail(`jwks_uri must be on the issuer's host (${issuerUrl.protocol}//${issuerUrl.host})`);
  }
  return jwksUri;
}
