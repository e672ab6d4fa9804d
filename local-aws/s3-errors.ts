/** S3's errors: the XML document's Code, the status and S3's extra elements. */
import { randomBytes } from 'node:crypto';

import { ServiceError } from './service-error';
import { escapeXml } from './xml';

/** An S3 error: the XML document's Code, the status, and S3's extra elements. */
export function s3Error(
  code: string,
  message: string,
  status: number,
  fields: Record<string, string> = {},
): ServiceError {
  return new ServiceError(code, message, status, fields);
}

/** S3's XML error document. */
export function s3ErrorXml(error: ServiceError, requestId: string): string {
  const fields = Object.entries(error.fields)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<Error><Code>${escapeXml(error.type)}</Code><Message>${escapeXml(error.message)}</Message>` +
    `${fields}<RequestId>${requestId}</RequestId><HostId>${randomBytes(24).toString('base64')}</HostId></Error>`
  );
}
