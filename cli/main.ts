#!/usr/bin/env node
/** The `jwt-keys` executable: see run-cli.ts. */
import { lineWriter } from './output';
import { runCli } from './run-cli';

void runCli(process.argv.slice(2), {
  stdout: lineWriter(process.stdout),
  stderr: lineWriter(process.stderr),
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
