// The SDK loads the failure converter by path, into the worker and into the workflow bundle:
// CommonJS, so Node's own require reads it wherever the SDK runs (tests included) without a
// TypeScript loader. Messages and stack traces move into an encoded payload, which the
// encryption codec then encrypts; what reaches Temporal's history reads "Encoded failure".
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
