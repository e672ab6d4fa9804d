/**
 * `npm run demo`: the whole key lifecycle offline, in seconds. The real rotation handler and the
 * real client library, through the real AWS SDK clients, against the local Secrets Manager and
 * EventBridge endpoint, with a clock that runs fast: the deploy, scheduled rotations, the
 * retirement of each previous key after its grace period, and an emergency revoke, while a few
 * application instances sign and verify tokens. `npm run demo -- --algorithm ES256` runs it with
 * an asymmetric key (ES256, EdDSA or RS256; HS256 by default). `npm run demo -- --import` shows
 * a team moving from a static secret instead (demo/adopt.ts).
 */
import { parseArgs } from 'node:util';

import { isJwtAlgorithm, JWT_ALGORITHMS } from '../key-document';

import { runAdoptDemo } from './adopt';
import { runDemo } from './run-demo';

// This machine runs Node 20; the SDK's notice that later versions need Node 22 is known.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    algorithm: { type: 'string', default: 'HS256' },
    import: { type: 'boolean', default: false },
  },
});
if (!isJwtAlgorithm(values.algorithm)) {
  console.error(
    `--algorithm must be one of ${JWT_ALGORITHMS.join(', ')}, got ${JSON.stringify(values.algorithm)}`,
  );
  process.exit(2);
}

const startedAt = Date.now();
const run = values.import
  ? runAdoptDemo((line) => console.log(line))
  : runDemo((line) => console.log(line), { algorithm: values.algorithm });
run.then(
  ({ ok }) => {
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    console.log(`\n${ok ? 'OK' : 'FAILED'}: ran in ${seconds} s of real time`);
    process.exitCode = ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
