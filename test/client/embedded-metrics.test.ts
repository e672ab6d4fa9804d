/**
 * The CloudWatch embedded-metrics observer: what it writes is valid EMF in the namespace and
 * with the dimensions the construct's metrics and alarms read (contract/metrics.ts), counts
 * aggregated per flush (a flood is a few lines), and it flushes on its interval, on close and
 * on demand.
 */
import { createEmbeddedMetricsObserver, JwtKeyRingError } from '../../client';
import {
  APPLICATION_DIMENSION,
  ERROR_CODE_DIMENSION,
  KEY_STAGE_DIMENSION,
  METRIC_NAMESPACE,
  VERIFICATION_METRICS,
} from '../../contract';
import { parseEmfLines, sumOf } from '../support/emf';

import {
  FAILING_URLS,
  NOW as SET_READS_START,
  READS_OF_EACH_CAUSE,
  readFailing,
  readForEachCause,
} from './key-set-reads';
import { CURRENT, NOW, ringFor, TOKEN_CASES, verifyCase } from './observer-support';

const APPLICATION = 'orders-api';

function capture(options: { flushIntervalMs?: number } = {}) {
  const lines: string[] = [];
  const clock = { now: NOW };
  const observer = createEmbeddedMetricsObserver({
    application: APPLICATION,
    write: (line) => lines.push(line),
    flushIntervalMs: options.flushIntervalMs ?? 0,
    flushOnExit: false,
    clock: () => clock.now,
  });
  return { lines, clock, observer };
}

describe('Function: createEmbeddedMetricsObserver', () => {
  it('writes each outcome of the token table, counted by stage and by code, as valid EMF', async () => {
    // GIVEN one observer for the rings of every case of the table
    const { lines, observer } = capture();

    // WHEN each token is verified three times
    for (const tokenCase of TOKEN_CASES) {
      const { ring, clock } = await ringFor(tokenCase, observer);
      for (let round = 0; round < 3; round += 1) await verifyCase(ring, clock, tokenCase);
    }
    observer.flush();

    // THEN every line is valid EMF in the project's namespace, dimensioned by Application
    const records = parseEmfLines(lines);
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      expect(record.namespace).toBe(METRIC_NAMESPACE);
      expect(record.timestamp).toBe(NOW);
      expect(record.dimensions[APPLICATION_DIMENSION]).toBe(APPLICATION);
      expect(record.dimensionSets).toContainEqual([APPLICATION_DIMENSION]);
    }
    // AND the counts are the table's, three times over
    const expected = { accepted: new Map<string, number>(), refused: new Map<string, number>() };
    for (const { heard } of TOKEN_CASES) {
      const [map, name] =
        'accepted' in heard
          ? [expected.accepted, heard.accepted.stage]
          : [expected.refused, heard.refused.code];
      map.set(name, (map.get(name) ?? 0) + 3);
    }
    for (const [stage, count] of expected.accepted) {
      expect(sumOf(records, VERIFICATION_METRICS.accepted, { [KEY_STAGE_DIMENSION]: stage })).toBe(
        count,
      );
    }
    for (const [code, count] of expected.refused) {
      expect(sumOf(records, VERIFICATION_METRICS.refused, { [ERROR_CODE_DIMENSION]: code })).toBe(
        count,
      );
    }
    expect(sumOf(records, VERIFICATION_METRICS.refused)).toBe(
      [...expected.refused.values()].reduce((sum, count) => sum + count, 0),
    );
    // AND accepted lines are by stage, refused lines by code, with the units CloudWatch knows
    const accepted = records.find((record) => VERIFICATION_METRICS.accepted in record.metrics)!;
    expect(accepted.dimensionSets).toEqual([
      [APPLICATION_DIMENSION],
      [APPLICATION_DIMENSION, KEY_STAGE_DIMENSION],
    ]);
    expect(accepted.metrics[VERIFICATION_METRICS.accepted]!.unit).toBe('Count');
    const refused = records.find((record) => VERIFICATION_METRICS.refused in record.metrics)!;
    expect(refused.dimensionSets).toEqual([
      [APPLICATION_DIMENSION],
      [APPLICATION_DIMENSION, ERROR_CODE_DIMENSION],
    ]);
  });

  it('aggregates a flood: 10,000 forged and 5,000 unknown-kid tokens are a few lines with those counts', async () => {
    // GIVEN
    const { lines, observer } = capture();
    const { ring, clock } = await ringFor(TOKEN_CASES[0]!, observer);
    const forged = `${TOKEN_CASES[0]!.token.slice(0, -4)}AAAA`;
    const unknown = TOKEN_CASES.find((tokenCase) => tokenCase.name === 'unknown kid')!.token;

    // WHEN
    for (let index = 0; index < 15_000; index += 1) {
      clock.now = NOW + index;
      await ring.verify(index % 3 === 2 ? unknown : forged).catch(() => undefined);
    }
    observer.flush();

    // THEN the counts are exact, in no more lines than outcomes (plus the refresh line)
    const records = parseEmfLines(lines);
    expect(lines.length).toBeLessThanOrEqual(3);
    const refusedWith = (code: string): number =>
      sumOf(records, VERIFICATION_METRICS.refused, { [ERROR_CODE_DIMENSION]: code });
    expect(refusedWith('ERR_JWT_SIGNATURE_INVALID')).toBe(10_000);
    expect(refusedWith('ERR_JWT_UNKNOWN_KID')).toBe(5_000);
    // AND no line carries a kid the tokens chose, nor the tokens
    expect(lines.join('\n')).not.toContain('guessed');
    expect(lines.join('\n')).not.toContain(forged.split('.')[2]!);
  });

  it('starts each flush afresh, and reports the reads of the keys and the current key age', async () => {
    // GIVEN keys read once (at NOW), then a verification
    const { lines, clock, observer } = capture();
    const { ring } = await ringFor(TOKEN_CASES[0]!, observer);
    await ring.verify(TOKEN_CASES[0]!.token);
    observer.flush();
    const first = parseEmfLines(lines.splice(0));

    // WHEN an hour passes with no token, and it flushes again
    clock.now = NOW + 3_600_000;
    observer.flush();
    const second = parseEmfLines(lines.splice(0));

    // THEN the first flush has the token and the read; the second only the key's age, older
    expect(sumOf(first, VERIFICATION_METRICS.accepted)).toBe(1);
    expect(sumOf(first, VERIFICATION_METRICS.refreshes)).toBe(1);
    expect(sumOf(first, VERIFICATION_METRICS.refreshFailures)).toBe(0);
    const createdAt = Date.parse(CURRENT.createdAt!);
    expect(sumOf(first, VERIFICATION_METRICS.keyAge)).toBe((NOW - createdAt) / 1000);
    expect(sumOf(second, VERIFICATION_METRICS.accepted)).toBe(0);
    expect(sumOf(second, VERIFICATION_METRICS.refreshes)).toBe(0);
    expect(sumOf(second, VERIFICATION_METRICS.keyAge)).toBe((NOW + 3_600_000 - createdAt) / 1000);
    expect(second[0]!.metrics[VERIFICATION_METRICS.keyAge]!.unit).toBe('Seconds');
  });

  describe('with a JwksVerifier', () => {
    it('counts each fetch of the key set: KeyRefreshes and KeyRefreshFailures, exactly', async () => {
      // GIVEN / WHEN a verifier reads its set for each cause there is, the last read failing
      const { lines, observer } = capture();
      await readForEachCause(observer, { now: SET_READS_START });
      observer.flush();

      // THEN one flush counts the five reads and the one failure, and no key age (a key set
      // has no current key)
      const records = parseEmfLines(lines);
      expect(sumOf(records, VERIFICATION_METRICS.refreshes)).toBe(READS_OF_EACH_CAUSE.length);
      expect(sumOf(records, VERIFICATION_METRICS.refreshFailures)).toBe(1);
      const reads = records.filter((record) => VERIFICATION_METRICS.refreshes in record.metrics);
      expect(reads).toHaveLength(1);
      expect(reads[0]!.dimensionSets).toEqual([[APPLICATION_DIMENSION]]);
      expect(reads[0]!.metrics[VERIFICATION_METRICS.keyAge]).toBeUndefined();
    });

    it.each(FAILING_URLS)(
      'counts one read and one failure when the URL fails with %s',
      async (_name, fail, code) => {
        const { lines, observer } = capture();
        await expect(readFailing(observer, fail)).resolves.toBe(code);
        observer.flush();
        const records = parseEmfLines(lines);
        expect(sumOf(records, VERIFICATION_METRICS.refreshes)).toBe(1);
        expect(sumOf(records, VERIFICATION_METRICS.refreshFailures)).toBe(1);
      },
    );
  });

  it('writes nothing when nothing happened', () => {
    const { lines, observer } = capture();
    observer.flush();
    expect(lines).toEqual([]);
  });

  describe('flushing', () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    it('flushes on its interval and on close, then stops the timer', () => {
      // GIVEN an observer flushing every minute (fake timers stand in for the minute)
      jest.useFakeTimers();
      const { lines, observer } = capture({ flushIntervalMs: 60_000 });
      observer.refused('ERR_JWT_SIGNATURE_INVALID', 'k', 'current');

      // WHEN / THEN nothing before the minute, the count at the minute
      jest.advanceTimersByTime(59_999);
      expect(lines).toHaveLength(0);
      jest.advanceTimersByTime(1);
      expect(sumOf(parseEmfLines(lines), VERIFICATION_METRICS.refused)).toBe(1);

      // AND close writes what is pending at once, and the timer is gone
      observer.refused('ERR_JWT_UNKNOWN_KID', undefined, undefined);
      observer.close();
      expect(sumOf(parseEmfLines(lines), VERIFICATION_METRICS.refused)).toBe(2);
      observer.refused('ERR_JWT_UNKNOWN_KID', undefined, undefined);
      jest.advanceTimersByTime(10 * 60_000);
      expect(sumOf(parseEmfLines(lines), VERIFICATION_METRICS.refused)).toBe(2);
    });

    it('hooks process exit unless told not to, and close unhooks it', () => {
      const before = process.listenerCount('exit');
      const observer = createEmbeddedMetricsObserver({
        application: APPLICATION,
        write: () => undefined,
        flushIntervalMs: 0,
      });
      expect(process.listenerCount('exit')).toBe(before + 1);
      observer.close();
      expect(process.listenerCount('exit')).toBe(before);
    });
  });

  it.each<[string, Record<string, unknown>]>([
    ['an empty application', { application: '' }],
    ['a whitespace application', { application: '   ' }],
    ['an application of 1025 characters', { application: 'a'.repeat(1025) }],
    ['an application with a newline', { application: 'a\nb' }],
    ['an application with a control character', { application: 'orders\u0007api' }],
    ['an application with DEL (0x7F)', { application: 'orders\u007fapi' }],
    ['an application that is not ASCII', { application: 'bestellungen-über' }],
    ['an application with an emoji', { application: 'orders-🛒' }],
    ['a flush interval under a second', { application: 'a', flushIntervalMs: 500 }],
    ['a flush interval given as text', { application: 'a', flushIntervalMs: '60000' }],
  ])('fails when given %s', (_name, options) => {
    expect(() =>
      createEmbeddedMetricsObserver(options as unknown as { application: string }),
    ).toThrow(JwtKeyRingError);
  });

  it('refuses a name CloudWatch cannot take with ERR_INVALID_ARGUMENT, naming it', () => {
    const error = (() => {
      try {
        createEmbeddedMetricsObserver({ application: 'bestellungen-über', flushOnExit: false });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(JwtKeyRingError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect((error as Error).message).toContain('printable ASCII');
    expect((error as Error).message).toContain('"bestellungen-über": U+00FC at index 13');
  });

  it.each([
    [
      'space to tilde',
      Array.from({ length: 95 }, (_, index) => String.fromCharCode(0x20 + index)).join(''),
    ],
    ['1024 characters', 'x'.repeat(1024)],
    ['the ASCII spelling', 'bestellungen-ueber'],
  ])('takes a printable ASCII name: %s', (_name, application) => {
    // GIVEN / WHEN
    const lines: string[] = [];
    const observer = createEmbeddedMetricsObserver({
      application,
      write: (line) => lines.push(line),
      flushIntervalMs: 0,
      flushOnExit: false,
    });
    observer.accepted('current', 'k', 'HS256');
    observer.flush();

    // THEN its lines carry the name as the Application dimension
    expect(parseEmfLines(lines)[0]!.dimensions[APPLICATION_DIMENSION]).toBe(application);
  });
});
