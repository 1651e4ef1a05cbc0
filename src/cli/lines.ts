/** Splits a byte stream (stdin) into text lines, decoding UTF-8 across chunk boundaries. */
import { StringDecoder } from 'node:string_decoder';

/**
 * Yields each line without its `\n` or `\r\n`; a last line without a newline is yielded too. A line longer
 * than `maxLength` UTF-16 units is cut to that length and the rest of it is dropped as it arrives, so one
 * endless line cannot fill memory (the caller truncates to the event limit anyway).
 */
export async function* readLines(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  maxLength = Infinity,
): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let dropping = false;
  const take = (text: string): void => {
    if (dropping) return;
    partial += text;
    if (partial.length > maxLength) {
      partial = partial.slice(0, maxLength);
      dropping = true;
    }
  };
  const finish = (): string => {
    const line = partial.endsWith('\r') && !dropping ? partial.slice(0, -1) : partial;
    partial = '';
    dropping = false;
    return line;
  };
  const split = function* (text: string): Generator<string> {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      take(text.slice(start, nl));
      yield finish();
      start = nl + 1;
    }
    take(text.slice(start));
  };
  for await (const chunk of source) {
    yield* split(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  }
  yield* split(decoder.end());
  if (partial.length > 0) yield finish();
}
