/**
 * The masking pre-step of pattern mining (Drain's "preprocess by domain knowledge"): a message is cut
 * into tokens, and tokens that are plainly variable (timestamps, dates, times, IP addresses, UUIDs,
 * hex strings, numbers, e-mail addresses, URLs) are marked with their kind. The miner treats marked
 * tokens as parameters from the first line on, and the pattern names them the way CloudWatch names
 * dynamic tokens (`<IPAddress-1>`, `<Time-2>`).
 *
 * Words are split at whitespace, then at structural punctuation (brackets, quotes, `=`, `,`, `;`,
 * `|`, `:`), and a number glued to a unit (`35ms`) is split from it, so that `user=42,` and
 * `[2024-05-01T10:00:00Z]` expose their values as whole tokens. Each token records whether whitespace
 * preceded it, so a template renders back with the message's own spacing.
 */

/** What the masking step recognises as a variable. */
export type TokenKind = 'Timestamp' | 'Date' | 'Time' | 'IPAddress' | 'UUID' | 'Hex' | 'Number' | 'Email' | 'URL';

/**
 * The type part of a dynamic token's inferred name (CloudWatch's `inferredTokenName`): a mask kind,
 * `ID` for letter-and-digit identifiers seen at a position that became variable, and `Token` when the
 * values do not agree on a type ("If CloudWatch Logs can't infer the type ... <Token-number>").
 */
export type TokenName = TokenKind | 'ID' | 'Token';

export interface Token {
  text: string;
  /** Whitespace precedes the token (never for the first token, nor for pieces split off a word). */
  gap: boolean;
  /** Set when the masking step recognised the token as a variable. */
  kind: TokenKind | null;
}

/** "Pattern analysis analyzes only up to the first 1500 characters of a log line" (AWS, Log anomaly detection FAQ). */
export const MAX_ANALYZED_CHARS = 1500;

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/** Tried in order; the first full match names the token. */
const MASKS: ReadonlyArray<readonly [TokenKind, RegExp]> = [
  ['URL', /^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+$/],
  ['Email', /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/],
  ['UUID', /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/],
  // ISO 8601 in one word; the Apache/nginx access-log form `10/Oct/2023:13:55:36`.
  ['Timestamp', /^\d{4}-\d{2}-\d{2}[T_]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/],
  ['Timestamp', /^\d{1,2}\/[A-Za-z]{3}\/\d{4}:\d{2}:\d{2}:\d{2}$/],
  ['Date', /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{1,2}\/[A-Za-z]{3}\/\d{4})$/],
  ['Time', /^\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,9})?Z?$/],
  ['IPAddress', new RegExp(`^${OCTET}(?:\\.${OCTET}){3}(?::\\d{1,5})?$`)],
  // IPv6: two or more colons, hex groups, at least one digit (so that `a:b:c` words stay words).
  ['IPAddress', /^(?=[^:]*:[^:]*:)(?=.*\d)(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}$/],
  ['Hex', /^0[xX][0-9a-fA-F]+$/],
  ['Hex', /^(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}$/],
  ['Number', /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/],
];

/** The kind a token text would be masked as, or null. */
export function maskKind(text: string): TokenKind | null {
  // Every mask needs a digit, except URL (`://`) and Email (`@`): most words are out in one scan.
  let digit = false;
  let other = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digit = true;
    else if (c === 64 || c === 58) other = true;
  }
  if (!digit && !other) return null;
  for (const [kind, re] of MASKS) if (re.test(text)) return kind;
  return null;
}

const ID = /^(?=.*\d)(?=.*[A-Za-z_.:-])[A-Za-z0-9][A-Za-z0-9_.:-]{5,}$/;

/** The name a value contributes to its dynamic position: its mask kind, `ID`, or `Token`. */
export function nameOf(token: Token): TokenName {
  if (token.kind !== null) return token.kind;
  return ID.test(token.text) ? 'ID' : 'Token';
}

const PUNCTUATION = /^[^\p{L}\p{N}]+$/u;

/** Only punctuation: structure, not content (the miner does not weigh it, nor route on it). */
export function isPunctuation(text: string): boolean {
  return PUNCTUATION.test(text);
}

const STRUCTURE = /([[\]{}()<>"'=,;|])/;
const HAS_STRUCTURE = /[[\]{}()<>"'=,;|:]/;
const COLON = /(:)/;
/** A number glued to a unit of measure: `35ms`, `1.5s`, `512KB`, `99%`. Not any digits-then-letters (`4fzq1` is an id). */
const NUMBER_UNIT = /^([+-]?\d+(?:\.\d+)?)(ns|us|µs|ms|s|sec|secs|m|min|mins|h|hr|hrs|d|b|kb|mb|gb|tb|kib|mib|gib|tib|k|x|%|rps|qps|rpm)$/i;
const TRAILING_STOP = /^(.*?[^.!?])([.!?]+)$/s;

/** JavaScript's `\s`, which is also what `@regexString` uses. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** The analysed part of a message: its first MAX_ANALYZED_CHARS characters, without splitting a surrogate pair. */
export function analyzedText(message: string): string {
  if (message.length <= MAX_ANALYZED_CHARS) return message;
  const last = message.charCodeAt(MAX_ANALYZED_CHARS - 1);
  const cut = last >= 0xd800 && last <= 0xdbff ? MAX_ANALYZED_CHARS - 1 : MAX_ANALYZED_CHARS;
  return message.slice(0, cut);
}

/** Tokens of the analysed part of `message`, with the masking step applied. */
export function tokenize(message: string): Token[] {
  const text = analyzedText(message);
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (i === text.length) break;
    const start = i;
    while (i < text.length && !isSpace(text.charCodeAt(i))) i++;
    const word = text.slice(start, i);
    const gap = out.length > 0;
    const kind = maskKind(word);
    if (kind !== null || !HAS_STRUCTURE.test(word)) {
      if (kind === null) pushSub(out, word, gap, true);
      else out.push({ text: word, gap, kind });
      continue;
    }
    let first = true;
    for (const piece of word.split(STRUCTURE)) {
      if (piece === '') continue;
      pushPiece(out, piece, first && gap);
      first = false;
    }
  }
  return out;
}

function pushPiece(out: Token[], piece: string, gap: boolean): void {
  const kind = maskKind(piece);
  if (kind !== null || piece.length === 1) {
    out.push({ text: piece, gap, kind });
    return;
  }
  if (!piece.includes(':')) {
    pushSub(out, piece, gap, true);
    return;
  }
  let first = true;
  for (const sub of piece.split(COLON)) {
    if (sub === '') continue;
    pushSub(out, sub, first && gap, false);
    first = false;
  }
}

/** `unmasked`: the caller already found that `sub` is no mask. */
function pushSub(out: Token[], sub: string, gap: boolean, unmasked: boolean): void {
  const last = sub.charCodeAt(sub.length - 1);
  const stop = last === 46 || last === 33 || last === 63 ? TRAILING_STOP.exec(sub) : null;
  const body = stop ? (stop[1] as string) : sub;
  const kind = unmasked && !stop ? null : maskKind(body);
  const c0 = body.charCodeAt(0);
  const unit = kind === null && ((c0 >= 48 && c0 <= 57) || c0 === 43 || c0 === 45) ? NUMBER_UNIT.exec(body) : null;
  if (unit) {
    out.push({ text: unit[1] as string, gap, kind: 'Number' });
    out.push({ text: unit[2] as string, gap: false, kind: null });
  } else {
    out.push({ text: body, gap, kind });
  }
  if (stop) out.push({ text: stop[2] as string, gap: false, kind: null });
}
