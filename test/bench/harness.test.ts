/** The statistics the bench reports: medians and quartiles of unsorted samples. */
import { median, quantile } from '../../bench/harness';

describe('quantile', () => {
  it('interpolates between the two nearest values of the sorted samples', () => {
    const samples = [4, 1, 3, 2];
    expect(quantile(samples, 0)).toBe(1);
    expect(quantile(samples, 0.25)).toBeCloseTo(1.75);
    expect(quantile(samples, 0.75)).toBeCloseTo(3.25);
    expect(quantile(samples, 1)).toBe(4);
    expect(median(samples)).toBe(2.5);
    expect(samples).toEqual([4, 1, 3, 2]);
  });

  it('takes the middle sample of an odd count and the only one of a single sample', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(quantile([7], 0.25)).toBe(7);
  });
});
