/**
 * The issuer of a published key set and the URLs keys are fetched from: one rule for the
 * rotation function, which refuses to publish under an issuer verifiers could not match, and
 * for verifiers, which fetch keys over https only (plain http on the local machine at most).
 */

/** The hosts plain http is accepted on: the offline tests and the demo serve keys there. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '[::1]', 'localhost'];

/** Whether keys may be fetched from `url`: https, or http on a loopback host. */
export function isFetchableUrl(url: URL): boolean {
  return (
    url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.includes(url.hostname))
  );
}

/**
 * Why `issuer` cannot name the key set; undefined when it can. It must be `https://` and a host
 * (a port at most): no path, query, fragment, credentials or trailing slash, since tokens carry
 * it as `iss` and verifiers compare it exactly. Plain http is accepted only for a loopback host
 * when asked (the offline tests and demo serve the set on 127.0.0.1).
 */
export function issuerProblem(
  issuer: string,
  options: { readonly allowLoopbackHttp?: boolean } = {},
): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'must be an https:// URL';
  }
  if (url.protocol !== 'https:' && !(options.allowLoopbackHttp === true && isFetchableUrl(url))) {
    return 'must be an https:// URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (`${url.protocol}//${url.host}` !== issuer) {
    return 'must be the scheme and host alone (no path, query, fragment or trailing slash)';
  }
  return undefined;
}
