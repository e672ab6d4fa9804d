/** What the key document tests share. */
import { KeyDocumentError, type KeyDocumentErrorCode } from '../../key-document';

/** The code of the KeyDocumentError `action` throws, or undefined when it throws none. */
export function codeOf(action: () => unknown): KeyDocumentErrorCode | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof KeyDocumentError) return error.code;
    throw error;
  }
  return undefined;
}
