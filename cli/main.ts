#!/usr/bin/env node
/** The `jwt-keys` executable: see run-cli.ts. */
import { runCli } from './run-cli';

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  stdin: {
    isTTY: process.stdin.isTTY,
    async read() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  },
}).then((code) => {
  process.exitCode = code;
});
