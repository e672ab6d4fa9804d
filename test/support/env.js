// The machine runs Node 20; the SDK's notice that later versions need Node 22 (which the
// Lambda runs) is known and would otherwise repeat in every test file's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
