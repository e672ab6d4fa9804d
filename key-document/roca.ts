/**
 * The ROCA fingerprint (CVE-2017-15361, Nemec et al., "The Return of Coppersmith's Attack"):
 * RSA keys made by a flawed Infineon library have moduli of the form k * M + (65537^a mod M),
 * whose private key can be recovered. Such a modulus, reduced by each small prime p, falls in
 * the subgroup 65537 generates modulo p; a random modulus does so for all 38 primes with a
 * negligible probability. Wycheproof's JWK vectors include one such key.
 */

/** The primes of the published detector (roca-detect). */
const PRIMES = [
  3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101,
  103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

/** For each prime, the residues 65537 generates: computed once, at load. */
const SUBGROUPS: readonly (readonly [bigint, ReadonlySet<number>])[] = PRIMES.map((prime) => {
  const residues = new Set<number>();
  let power = 1;
  do {
    residues.add(power);
    power = (power * (65537 % prime)) % prime;
  } while (!residues.has(power));
  return [BigInt(prime), residues];
});

/** True when the modulus (big-endian bytes) has the ROCA fingerprint. */
export function hasRocaFingerprint(modulus: Uint8Array): boolean {
  const n = BigInt(`0x${Buffer.from(modulus).toString('hex') || '0'}`);
  return SUBGROUPS.every(([prime, residues]) => residues.has(Number(n % prime)));
}
