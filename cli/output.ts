/**
 * Writing to standard output and error without dying on a closed pipe: `jwt-keys status X |
 * head -1` closes the pipe after one line, and the next write fails with EPIPE, which Node
 * raises as an unhandled 'error' event (a stack trace). A closed stream is the reader saying it
 * has read enough: further lines are dropped, and the command ends with its own exit code.
 */
export interface LineStream {
  write(text: string): unknown;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

export function lineWriter(stream: LineStream): (text: string) => void {
  let closed = false;
  stream.on('error', (error) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
      closed = true;
      return;
    }
    throw error;
  });
  return (text) => {
    if (!closed) stream.write(`${text}\n`);
  };
}
