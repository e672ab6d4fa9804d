/**
 * How lib/ is put together: no module imports another that imports it back, and the construct
 * loads and synthesizes without cdk-nag (a development dependency the package does not ship).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type * as Nag from '../../bin/nag';

import type * as Support from './support';

// Any require of cdk-nag from the construct's module graph fails the test that loads it.
jest.mock('cdk-nag', () => {
  throw new Error('cdk-nag was loaded');
});

const LIB = join(__dirname, '..', '..', 'lib');

/** Each lib/ module and the lib/ modules it imports (type-only imports included). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(LIB).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(join(LIB, file), 'utf8');
    const imports = [...source.matchAll(/from '\.\/([\w-]+)'/g)].map((match) => `${match[1]}.ts`);
    graph.set(file, imports);
  }
  return graph;
}

/** Import cycles, each as the list of modules around it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const walk = (module: string, path: string[]): void => {
    for (const next of graph.get(module) ?? []) {
      const start = path.indexOf(next);
      if (start >= 0) found.push([...path.slice(start), next]);
      else walk(next, [...path, next]);
    }
  };
  for (const module of graph.keys()) walk(module, [module]);
  return found;
}

describe('lib/ modules', () => {
  it('import one another without a cycle', () => {
    // GIVEN the import graph of lib/
    const graph = importGraph();
    expect(graph.get('rotating-jwt-key.ts')).toEqual(expect.arrayContaining(['validation.ts']));

    // WHEN / THEN
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (negative control)', () => {
    expect(
      cycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['a.ts']],
        ]),
      ),
    ).toContainEqual(['a.ts', 'b.ts', 'a.ts']);
  });

  it('the construct loads and synthesizes without cdk-nag; only nag.ts needs it', () => {
    // GIVEN cdk-nag cannot be loaded (above)
    // WHEN the construct is loaded and synthesized
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { synthKey } = require('./support') as typeof Support;
    const { template } = synthKey();

    // THEN it synthesizes
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    // AND the app's own nag module is the one that needs cdk-nag
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(() => require('../../bin/nag') as typeof Nag).toThrow(/cdk-nag was loaded/);
  });
});
