/** The key document module is shared by the Lambda, the client and the tools: it stays light. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('Module: key-document', () => {
  it('imports nothing but node: modules, contract/ and its own files (no jose)', () => {
    // GIVEN every source file of the module
    const folder = join(__dirname, '../../key-document');
    const files = readdirSync(folder).filter((name) => name.endsWith('.ts'));

    // WHEN their imports are listed
    const imports = files.flatMap((name) =>
      [...readFileSync(join(folder, name), 'utf8').matchAll(/from '([^']+)'/g)].map(
        (match) => match[1]!,
      ),
    );

    // THEN
    expect(files.length).toBeGreaterThan(5);
    const ours = (path: string) => path.startsWith('./') || path.startsWith('../contract/');
    expect(imports.filter((path) => !path.startsWith('node:') && !ours(path))).toEqual([]);
  });
});
