#!/usr/bin/env node
/** The `jwt-keys` executable: see run-cli.ts. */
import { runCli } from './run-cli';

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
}).then((code) => {
  process.exitCode = code;
});
