/**
 * `npm run demo`: the whole key lifecycle offline, in seconds. The real rotation handler and the
 * real client library, through the real AWS SDK clients, against the local Secrets Manager and
 * EventBridge endpoint, with a clock that runs fast: the deploy, scheduled rotations, the
 * retirement of each previous key after its grace period, and an emergency revoke, while a few
 * application instances sign and verify tokens.
 */
import { runDemo } from './run-demo';

// This machine runs Node 20; the SDK's notice that later versions need Node 22 is known.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const startedAt = Date.now();
runDemo((line) => console.log(line)).then(
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
