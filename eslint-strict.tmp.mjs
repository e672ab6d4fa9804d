import base from './eslint.config.mjs';
import tseslint from 'typescript-eslint';
export default [
  ...base,
  ...tseslint.configs.strictTypeChecked.map((c) => ({
    ...c,
    files: ['{client,lambda,lib,cli,key-document,rotation-events,contract,bin}/**/*.ts'],
  })),
];
