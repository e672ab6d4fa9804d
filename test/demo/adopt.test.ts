/**
 * `npm run demo -- --import` in CI: the legacy service's tokens (jsonwebtoken, a short string
 * secret, with and without exp) verify after the import until the stated end and not a second
 * later, and the retirement removes the legacy key.
 */
import { runAdoptDemo } from '../../demo/adopt';

describe('npm run demo -- --import', () => {
  it('verifies the legacy tokens until the stated end, then refuses them', async () => {
    // GIVEN / WHEN
    const lines: string[] = [];
    const { figures, ok } = await runAdoptDemo((line) => lines.push(line));
    const output = lines.join('\n');

    // THEN every check went as expected, the last acceptance one second before the end
    expect(ok).toBe(true);
    const withoutExp = figures.checks.filter((check) => check.token === 'token without exp');
    expect(withoutExp.at(-2)).toMatchObject({
      at: figures.graceEndsAt - 1000,
      got: 'accepted (legacy key)',
    });
    expect(withoutExp.at(-1)).toMatchObject({
      at: figures.graceEndsAt,
      got: 'ERR_JWT_PREVIOUS_KEY_EXPIRED',
    });
    expect(
      figures.checks.filter((check) => check.got === 'accepted (legacy key)').length,
    ).toBeGreaterThanOrEqual(4);
    // AND the output warns about the short key and never shows it
    expect(output).toContain('WARNING: the legacy key is 17 bytes');
    expect(output).toMatch(/retirement check: retired/);
    expect(output).not.toContain('change-me-in-prod');
    expect(output).not.toContain(Buffer.from('change-me-in-prod').toString('base64url'));
  });
});
